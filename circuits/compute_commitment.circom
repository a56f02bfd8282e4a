pragma circom 2.1.6;

include "circomlib/circuits/poseidon.circom";

// compute_commitment: proves knowledge of the result digest and salt behind a job's result commitment.
//
//   resultCommitment = Poseidon(jobId, provider, resultDigest, salt)
//
// The job id and the provider are hashed into the commitment, so a proof (and the commitment itself) made for one
// job or one provider does not verify for another.
//
// Preconditions (enforced off-chain by the prover library, not by this circuit):
//   - jobId < p, provider is a 160-bit address, resultDigest = keccak256(result) mod p.
template ComputeCommitment() {
    // ---- public ----
    signal input jobId;
    signal input provider;
    signal input resultCommitment;

    // ---- private ----
    signal input resultDigest;
    signal input salt;

    component hash = Poseidon(4);
    hash.inputs[0] <== jobId;
    hash.inputs[1] <== provider;
    hash.inputs[2] <== resultDigest;
    hash.inputs[3] <== salt;
    resultCommitment === hash.out;
}

component main {public [jobId, provider, resultCommitment]} = ComputeCommitment();
