import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, randomUUID, scryptSync } from "node:crypto";
import { readFile } from "node:fs/promises";

import { type Hex, bytesToHex, concat, getAddress, hexToBytes, keccak256 } from "viem";
import { privateKeyToAddress } from "viem/accounts";

/**
 * An encrypted key file in the Web3 Secret Storage format (version 3), as geth, Foundry's `cast wallet` and ethers
 * write them: the key encrypted with AES-128-CTR under a key derived from a password (scrypt or PBKDF2), and a MAC
 * (keccak-256) that tells a wrong password from a damaged file.
 */
export interface Keystore {
  readonly version: 3;
  readonly id: string;
  readonly address: string;
  readonly crypto: {
    readonly cipher: "aes-128-ctr";
    readonly ciphertext: string;
    readonly cipherparams: { readonly iv: string };
    readonly kdf: "scrypt" | "pbkdf2";
    readonly kdfparams: Record<string, number | string>;
    readonly mac: string;
  };
}

/** scrypt's cost for new keystores: geth's "standard" (2^18) takes seconds; this takes about a tenth of one. */
const SCRYPT = { n: 2 ** 14, r: 8, p: 1, dklen: 32 } as const;

const unhex = (value: string) => Buffer.from(value.replace(/^0x/, ""), "hex");

function deriveKey(password: string, crypto: Keystore["crypto"]): Buffer {
  const params = crypto.kdfparams;
  const salt = unhex(String(params.salt));
  const dklen = Number(params.dklen);
  if (crypto.kdf === "scrypt") {
    const [n, r, p] = [Number(params.n), Number(params.r), Number(params.p)];
    return scryptSync(password, salt, dklen, { N: n, r, p, maxmem: 256 * n * r });
  }
  if (crypto.kdf === "pbkdf2" && params.prf === "hmac-sha256") {
    return pbkdf2Sync(password, salt, Number(params.c), dklen, "sha256");
  }
  throw new Error(`keystore key derivation "${crypto.kdf}" is not supported (scrypt or pbkdf2 with hmac-sha256)`);
}

const macOf = (derived: Buffer, ciphertext: Buffer) => keccak256(concat([derived.subarray(16, 32), ciphertext]));

/** Encrypts `privateKey` under `password`. */
export function encryptKeystore(privateKey: Hex, password: string): Keystore {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const crypto = {
    cipher: "aes-128-ctr" as const,
    cipherparams: { iv: iv.toString("hex") },
    kdf: "scrypt" as const,
    kdfparams: { ...SCRYPT, salt: salt.toString("hex") },
  };
  const derived = deriveKey(password, { ...crypto, ciphertext: "", mac: "" });
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(hexToBytes(privateKey)), cipher.final()]);
  return {
    version: 3,
    id: randomUUID(),
    address: privateKeyToAddress(privateKey).slice(2).toLowerCase(),
    crypto: { ...crypto, ciphertext: ciphertext.toString("hex"), mac: macOf(derived, ciphertext).slice(2) },
  };
}

/** The private key inside `keystore`; a one-line error for a wrong password or a file that is not a keystore. */
export function decryptKeystore(keystore: Keystore, password: string): Hex {
  const crypto = keystore?.crypto ?? (keystore as unknown as { Crypto?: Keystore["crypto"] })?.Crypto;
  if (keystore?.version !== 3 || crypto === undefined) throw new Error("not a version 3 JSON keystore");
  if (crypto.cipher !== "aes-128-ctr") throw new Error(`keystore cipher "${crypto.cipher}" is not supported`);
  const derived = deriveKey(password, crypto);
  const ciphertext = unhex(crypto.ciphertext);
  if (macOf(derived, ciphertext).slice(2) !== crypto.mac.replace(/^0x/, "").toLowerCase()) {
    throw new Error("wrong password for the keystore");
  }
  const decipher = createDecipheriv("aes-128-ctr", derived.subarray(0, 16), unhex(crypto.cipherparams.iv));
  const privateKey = bytesToHex(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  if (keystore.address !== undefined && keystore.address !== "") {
    const expected = getAddress(`0x${keystore.address.replace(/^0x/, "")}`);
    if (privateKeyToAddress(privateKey) !== expected) throw new Error("the keystore's key does not match its address");
  }
  return privateKey;
}

/** Reads and unlocks the keystore at `path` with `password` (STARMINER_PASSWORD); one-line errors. */
export async function unlockKeystoreFile(path: string, password: string | undefined): Promise<Hex> {
  let keystore: Keystore;
  try {
    keystore = JSON.parse(await readFile(path, "utf8")) as Keystore;
  } catch {
    throw new Error(`cannot read the keystore ${path} as JSON`);
  }
  if (password === undefined) throw new Error(`the keystore ${path} is encrypted: set STARMINER_PASSWORD`);
  try {
    return decryptKeystore(keystore, password);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
