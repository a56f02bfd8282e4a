import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/**
 * A few helpers to write ONNX models from code (the protobuf definitions of `onnx-proto`): float32 and int64 initializers,
 * nodes with int, float and ints attributes, float32 graph inputs and outputs. Enough for the example models; a
 * requester brings models exported by their own framework.
 */
export type Attribute = number | readonly number[] | { readonly float: number };

export interface GraphSpec {
  readonly name: string;
  readonly docString: string;
  readonly inputs: readonly { name: string; shape: readonly (number | string)[] }[];
  readonly outputs: readonly { name: string; shape: readonly (number | string)[] }[];
  readonly initializers: readonly { name: string; shape: readonly number[]; values: Float32Array | BigInt64Array }[];
  readonly nodes: readonly {
    op: string;
    inputs: readonly string[];
    output: string;
    attributes?: Record<string, Attribute>;
  }[];
}

/** ONNX opset the example models use. */
export const EXAMPLE_OPSET = 13;

/** The model's bytes (an ONNX ModelProto), deterministic for the same spec. */
export function encodeOnnxModel(spec: GraphSpec): Uint8Array {
  const valueInfo = ({ name, shape }: { name: string; shape: readonly (number | string)[] }) => ({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: shape.map((dim) => (typeof dim === "number" ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  });
  const attribute = (name: string, value: Attribute) => {
    if (typeof value === "number") return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
    if ("float" in value) return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value.float };
    return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...value] };
  };
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: "starminer",
    producerVersion: "1",
    opsetImport: [{ domain: "", version: EXAMPLE_OPSET }],
    graph: {
      name: spec.name,
      docString: spec.docString,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: spec.initializers.map(({ name, shape, values }) => ({
        name,
        dims: [...shape],
        dataType: values instanceof BigInt64Array ? onnx.TensorProto.DataType.INT64 : onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      })),
      node: spec.nodes.map(({ op, inputs, output, attributes }, i) => ({
        name: `${op.toLowerCase()}_${i}`,
        opType: op,
        input: [...inputs],
        output: [output],
        attribute: Object.entries(attributes ?? {}).map(([name, value]) => attribute(name, value)),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
