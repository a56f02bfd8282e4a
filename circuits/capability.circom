pragma circom 2.1.6;

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/poseidon.circom";

// capability: proves that the hardware a node committed to in the registry meets a job's thresholds, without
// revealing the hardware.
//
//   commitment = Poseidon(node, vramMiB, computeCapability, salt)
//   vramMiB >= minVramMiB and computeCapability >= minComputeCapability
//
// The node's address is hashed into the commitment, so another node cannot reuse a commitment or its proofs.
//
// Limits: vramMiB and minVramMiB < 2^32, computeCapability and minComputeCapability < 2^16 (range-checked here).
template Capability() {
    // ---- public ----
    signal input node;
    signal input commitment;
    signal input minVramMiB;
    signal input minComputeCapability;

    // ---- private ----
    signal input vramMiB;
    signal input computeCapability;
    signal input salt;

    component hash = Poseidon(4);
    hash.inputs[0] <== node;
    hash.inputs[1] <== vramMiB;
    hash.inputs[2] <== computeCapability;
    hash.inputs[3] <== salt;
    commitment === hash.out;

    // GreaterEqThan(n) needs both operands below 2^n: range-check them first.
    component vramBits = Num2Bits(32);
    vramBits.in <== vramMiB;
    component minVramBits = Num2Bits(32);
    minVramBits.in <== minVramMiB;
    component ccBits = Num2Bits(16);
    ccBits.in <== computeCapability;
    component minCcBits = Num2Bits(16);
    minCcBits.in <== minComputeCapability;

    component enoughVram = GreaterEqThan(32);
    enoughVram.in[0] <== vramMiB;
    enoughVram.in[1] <== minVramMiB;
    enoughVram.out === 1;

    component enoughCompute = GreaterEqThan(16);
    enoughCompute.in[0] <== computeCapability;
    enoughCompute.in[1] <== minComputeCapability;
    enoughCompute.out === 1;
}

component main {public [node, commitment, minVramMiB, minComputeCapability]} = Capability();
