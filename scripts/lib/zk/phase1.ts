/**
 * Phase 1 of StarMiner's trusted setups: the public powers-of-tau files a production key may be built on, pinned by
 * their blake2b-512 hash (what `b2sum FILE` prints).
 *
 * They are the Hermez (Polygon zkEVM) files, the final output of the Perpetual Powers of Tau ceremony (54
 * contributions, then a random beacon), truncated to 2^power constraints and prepared for phase 2. Download one from
 * `url`, check it with `b2sum`, and give it to `npm run zk:ceremony -- new --ptau FILE`. Any file with a power at
 * least the circuit's works; the smallest that fits is the fastest. The hashes are those the ceremony publishes (and
 * snarkjs's README repeats).
 */
export interface PublicPhase1 {
  /** The domain's power of two: circuits up to 2^power constraints. */
  readonly power: number;
  readonly file: string;
  readonly url: string;
  /** blake2b-512 of the whole file, lowercase hex. */
  readonly blake2b: string;
}

const HERMEZ = "https://storage.googleapis.com/zkevm/ptau";

export const PUBLIC_PHASE1: readonly PublicPhase1[] = [
  {
    power: 12,
    file: "powersOfTau28_hez_final_12.ptau",
    url: `${HERMEZ}/powersOfTau28_hez_final_12.ptau`,
    blake2b:
      "ded2694169b7b08e898f736d5de95af87c3f1a64594013351b1a796dbee393bd825f88f9468c84505ddd11eb0b1465ac9b43b9064aa8ec97f2b73e04758b8a4a",
  },
  {
    power: 13,
    file: "powersOfTau28_hez_final_13.ptau",
    url: `${HERMEZ}/powersOfTau28_hez_final_13.ptau`,
    blake2b:
      "58efc8bf2834d04768a3d7ffcd8e1e23d461561729beaac4e3e7a47829a1c9066d5320241e124a1a8e8aa6c75be0ba66f65bc8239a0542ed38e11276f6fdb4d9",
  },
  {
    power: 14,
    file: "powersOfTau28_hez_final_14.ptau",
    url: `${HERMEZ}/powersOfTau28_hez_final_14.ptau`,
    blake2b:
      "eeefbcf7c3803b523c94112023c7ff89558f9b8e0cf5d6cdcba3ade60f168af4a181c9c21774b94fbae6c90411995f7d854d02ebd93fb66043dbb06f17a831c1",
  },
  {
    power: 15,
    file: "powersOfTau28_hez_final_15.ptau",
    url: `${HERMEZ}/powersOfTau28_hez_final_15.ptau`,
    blake2b:
      "982372c867d229c236091f767e703253249a9b432c1710b4f326306bfa2428a17b06240359606cfe4d580b10a5a1f63fbed499527069c18ae17060472969ae6e",
  },
  {
    power: 16,
    file: "powersOfTau28_hez_final_16.ptau",
    url: `${HERMEZ}/powersOfTau28_hez_final_16.ptau`,
    blake2b:
      "6a6277a2f74e1073601b4f9fed6e1e55226917efb0f0db8a07d98ab01df1ccf43eb0e8c3159432acd4960e2f29fe84a4198501fa54c8dad9e43297453efec125",
  },
];

/** The pinned public file with this hash, if any. */
export function publicPhase1(blake2b: string): PublicPhase1 | undefined {
  return PUBLIC_PHASE1.find((entry) => entry.blake2b === blake2b.toLowerCase());
}
