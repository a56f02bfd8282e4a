/**
 * Generates the circuit of an int8 MLP model: circuits/<name>.circom, its weights as constants of an Int8Mlp
 * instance (circuits/lib/int8_mlp.circom), from the model's JSON.
 *
 *   npm run zk:model-circuit                         circuits/models/digits_mlp.json → circuits/digits_mlp.circom
 *   npm run zk:model-circuit -- circuits/models/M.json
 *
 * Then `npm run zk:setup -- <name>` makes its keys and verifier (the circuit must be listed in
 * scripts/lib/zk/circuits.ts). The tests check that the committed circuit is what its model generates.
 */
import { writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

import { CIRCUITS_ROOT } from "../lib/zk/circuits.js";
import { digitsModelPath, mlpCircuitSource, readMlpModel } from "../lib/zk/mlp.js";
import { PROJECT_ROOT } from "../lib/project-root.js";

const modelPath = process.argv[2] ?? digitsModelPath;
const model = await readMlpModel(modelPath);
if (!/^[a-z][a-z0-9_]*$/.test(model.name))
  throw new Error(`the model's name ${JSON.stringify(model.name)} is not a circuit name`);
const out = join(CIRCUITS_ROOT, `${model.name}.circom`);
await writeFile(out, mlpCircuitSource(model, relative(PROJECT_ROOT, modelPath)));
console.log(`${relative(PROJECT_ROOT, out)} written from ${relative(PROJECT_ROOT, modelPath)}`);
