import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { loadConfig } from "../../scripts/lib/client.js";
import { devAccount } from "../../scripts/lib/dev-accounts.js";
import { decryptKeystore, encryptKeystore } from "../../scripts/lib/keystore.js";

describe("the CLI's settings: flags, then the environment, then the config file", () => {
  let directory: string;
  const [a, b, c] = [devAccount(1), devAccount(2), devAccount(3)];

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "starminer-config-"));
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("takes the chain and the key from the first level that names them", async () => {
    const file = join(directory, "config.json");
    await writeFile(file, JSON.stringify({ rpcUrl: "http://file:1", privateKey: c.privateKey }));
    const env = { STARMINER_RPC_URL: "http://env:1", STARMINER_PRIVATE_KEY: b.privateKey };
    expect(await loadConfig(file, {})).to.include({ rpcUrl: "http://file:1", privateKey: c.privateKey });
    expect(await loadConfig(file, env)).to.include({ rpcUrl: "http://env:1", privateKey: b.privateKey });
    const flagged = await loadConfig(file, env, { rpcUrl: "http://flag:1", privateKey: a.privateKey });
    expect(flagged).to.include({ rpcUrl: "http://flag:1", privateKey: a.privateKey });
  });

  it("unlocks a keystore given at a higher level than a raw key, and refuses one level naming both", async () => {
    const keystore = join(directory, "key.json");
    await writeFile(keystore, JSON.stringify(encryptKeystore(a.privateKey, "a long password")));
    const env = { STARMINER_PRIVATE_KEY: b.privateKey, STARMINER_PASSWORD: "a long password" };
    expect((await loadConfig(undefined, env, { keystore })).privateKey).to.equal(a.privateKey);
    await loadConfig(undefined, { ...env, STARMINER_KEYSTORE: keystore }).then(
      () => expect.fail("a level with a key and a keystore was taken"),
      (error: Error) =>
        expect(error.message).to.equal("the environment names both a private key and a keystore: give one"),
    );
    await loadConfig(undefined, { STARMINER_PASSWORD: "wrong" }, { keystore }).then(
      () => expect.fail("a wrong password unlocked the keystore"),
      (error: Error) => expect(error.message).to.equal(`${keystore}: wrong password for the keystore`),
    );
  });

  it("reads keystores other tools wrote: the Web3 Secret Storage PBKDF2 test vector", () => {
    const vector = {
      version: 3,
      id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
      crypto: {
        cipher: "aes-128-ctr",
        cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
        ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        kdf: "pbkdf2",
        kdfparams: {
          c: 262144,
          dklen: 32,
          prf: "hmac-sha256",
          salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd",
        },
        mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
      },
    } as unknown as Parameters<typeof decryptKeystore>[0];
    expect(decryptKeystore(vector, "testpassword")).to.equal(
      "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d",
    );
  });

  it("writes keystores it reads back, and tells a damaged one from a good one", () => {
    const written = encryptKeystore(c.privateKey, "pw");
    expect(written.address).to.equal(c.address.slice(2).toLowerCase());
    expect(decryptKeystore(written, "pw")).to.equal(c.privateKey);
    const tampered = { ...written, crypto: { ...written.crypto, ciphertext: "00".repeat(32) } };
    expect(() => decryptKeystore(tampered, "pw")).to.throw("wrong password for the keystore");
  });
});
