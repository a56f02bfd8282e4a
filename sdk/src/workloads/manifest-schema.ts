/**
 * The JSON Schema (draft 2020-12) of a job manifest, version `starminer.job/1`. `parseJobManifest` validates
 * against it; `starminer workload schema` prints it for editors and other languages.
 */

const cid = { type: "string", pattern: "^b[a-z2-7]{58}$", description: "CIDv1, base32, sha2-256" } as const;
const name = { type: "string", pattern: "^[A-Za-z0-9_.:/-]{1,128}$" } as const;

const artifact = {
  type: "object",
  description: "Bytes held elsewhere, by content address and exact size.",
  required: ["cid", "bytes"],
  additionalProperties: false,
  properties: {
    cid,
    bytes: { type: "integer", minimum: 0, maximum: 4294967296 },
    encrypted: {
      type: "boolean",
      description: "sealed under the job key (AES-256-GCM); cid and bytes are the sealed form's",
    },
  },
} as const;

const limits = {
  type: "object",
  description: "What one run may use; a run that needs more fails.",
  required: ["timeMs", "memoryBytes", "outputBytes"],
  additionalProperties: false,
  properties: {
    timeMs: { type: "integer", minimum: 1, maximum: 3600000 },
    memoryBytes: { type: "integer", minimum: 1048576, maximum: 17179869184 },
    outputBytes: { type: "integer", minimum: 1, maximum: 1073741824 },
  },
} as const;

const tensorType = { enum: ["float32", "float64", "int8", "uint8", "int32", "int64"] } as const;

/** A canonicalisation with no parameters. */
function kindOnly<Kind extends string>(kind: Kind) {
  return {
    type: "object",
    required: ["kind"],
    additionalProperties: false,
    properties: { kind: { const: kind } },
  } as const;
}

const canonical = {
  description: "How an output is reduced to the bytes every honest provider agrees on.",
  type: "object",
  required: ["kind"],
  properties: { kind: { enum: ["fixed", "argmax", "exact"] } },
  discriminator: { propertyName: "kind" },
  oneOf: [
    {
      type: "object",
      required: ["kind", "decimals"],
      additionalProperties: false,
      properties: { kind: { const: "fixed" }, decimals: { type: "integer", minimum: 0, maximum: 9 } },
    },
    kindOnly("argmax"),
    kindOnly("exact"),
  ],
} as const;

const common = {
  version: { const: "starminer.job/1" },
  limits,
  description: { type: "string", maxLength: 1024 },
} as const;

export const JOB_MANIFEST_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "urn:starminer:schema:job-manifest:1",
  title: "StarMiner job manifest",
  type: "object",
  required: ["runtime"],
  properties: { runtime: { enum: ["onnx", "wasm", "dense-layer"] } },
  discriminator: { propertyName: "runtime" },
  oneOf: [
    {
      title: "ONNX model",
      type: "object",
      required: ["version", "runtime", "model", "inputs", "outputs", "limits"],
      additionalProperties: false,
      properties: {
        ...common,
        runtime: { const: "onnx" },
        model: artifact,
        inputs: {
          type: "array",
          minItems: 1,
          maxItems: 64,
          items: {
            type: "object",
            required: ["name", "type", "shape", "data"],
            additionalProperties: false,
            properties: {
              name,
              type: tensorType,
              shape: { type: "array", maxItems: 8, items: { type: "integer", minimum: 1, maximum: 1073741824 } },
              data: artifact,
            },
          },
        },
        outputs: {
          type: "array",
          minItems: 1,
          maxItems: 64,
          items: {
            type: "object",
            required: ["name", "canonical"],
            additionalProperties: false,
            properties: { name, canonical },
          },
        },
      },
    },
    {
      title: "WebAssembly (WASI) program",
      type: "object",
      required: ["version", "runtime", "module", "args", "files", "outputs", "limits"],
      additionalProperties: false,
      properties: {
        ...common,
        runtime: { const: "wasm" },
        module: artifact,
        args: { type: "array", maxItems: 256, items: { type: "string", maxLength: 4096 } },
        files: {
          type: "array",
          maxItems: 256,
          items: {
            type: "object",
            required: ["path", "data"],
            additionalProperties: false,
            properties: { path: { type: "string", pattern: "^in/[A-Za-z0-9_.-]{1,128}$" }, data: artifact },
          },
        },
        outputs: {
          type: "array",
          minItems: 1,
          maxItems: 64,
          items: {
            type: "object",
            required: ["path"],
            additionalProperties: false,
            properties: { path: { type: "string", pattern: "^(stdout|out/[A-Za-z0-9_.-]{1,128})$" } },
          },
        },
      },
    },
    {
      title: "Dense layer (ZK-provable)",
      type: "object",
      required: ["version", "runtime", "workload", "limits"],
      additionalProperties: false,
      properties: { ...common, runtime: { const: "dense-layer" }, workload: artifact },
    },
  ],
} as const;
