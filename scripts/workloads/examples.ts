/**
 * Writes the example workloads (models, a program, inputs and manifests) to examples/workloads/ from their sources.
 *
 *   npm run workloads:examples
 */
import { writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

import { EXAMPLES_DIRECTORY, buildExamples } from "../lib/workloads/examples.js";

for (const [name, bytes] of await buildExamples()) {
  const path = join(EXAMPLES_DIRECTORY, name);
  await writeFile(path, bytes);
  console.log(`wrote ${relative(process.cwd(), path)} (${bytes.length} bytes)`);
}
