import { access, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";

import { encryptKeystore } from "../../lib/keystore.js";
import { UsageError } from "../errors.js";
import type { Command, CommandContext } from "./context.js";

/** Writes `privateKey` encrypted with STARMINER_PASSWORD to the file `--out` names, which must not exist yet. */
async function writeKeystore({ args, out }: CommandContext, privateKey: Hex): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: "string" } } });
  if (values.out === undefined) throw new UsageError("--out <file> is required: where to write the keystore");
  const password = process.env.STARMINER_PASSWORD;
  if (password === undefined || password.length < 8) {
    throw new UsageError("set STARMINER_PASSWORD to the keystore's password (at least 8 characters)");
  }
  const exists = await access(values.out).then(
    () => true,
    () => false,
  );
  if (exists) throw new Error(`${values.out} exists already: a keystore is never overwritten`);
  await writeFile(values.out, `${JSON.stringify(encryptKeystore(privateKey, password))}\n`, { mode: 0o600 });
  out.record({ address: privateKeyToAddress(privateKey), keystore: values.out });
}

/** `key new --out <file>`: a fresh random key, written only encrypted. */
export const keyNew: Command = (context) => writeKeystore(context, generatePrivateKey());

/** `key import --out <file>`: the key given by --private-key or STARMINER_PRIVATE_KEY, encrypted. */
export const keyImport: Command = async (context) => {
  const { privateKey } = context.config;
  if (privateKey === undefined)
    throw new UsageError("give the key to import with --private-key or STARMINER_PRIVATE_KEY");
  await writeKeystore(context, privateKey);
};
