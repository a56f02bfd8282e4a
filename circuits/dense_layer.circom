pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";
include "lib/int8.circom";

// dense_layer (a ZKML workload class): proves y = ReLU(W·x + b) for the committed model and input.
//
// Shape: N = 16 inputs, M = 16 outputs. Weights and inputs are int8, biases int16, all range-checked here.
// Signed values are field elements (a negative v is p - |v|).
//
// Public signals are Poseidon commitments, so the job spec carries three field elements, not 288 numbers:
//   modelHash  = Poseidon(pack8(W + 128) ++ pack16(b + 32768))   (9 + 2 = 11 elements)
//   inputHash  = Poseidon(pack8(x + 128))                         (1 element)
//   outputHash = Poseidon(pack20(y))                              (2 elements)
// where packK(values) puts floor(248 / K) K-bit values in each field element, least significant first. Each value
// is below 2^K (the range checks and the ReLU guarantee it), so packing is injective. The TypeScript prover
// (scripts/lib/zk/dense-layer.ts) computes the same packing.
//
// The proof is also bound to the job and the provider it is submitted for: `jobId` and `provider` are public inputs
// (squared into a constraint so that the proof commits to them), so a proof made for one job or one provider does
// not verify for another, even when two jobs share a model and an input.
//
// Every accumulator is below 2^19 in magnitude (16 * 128 * 128 + 32768 < 2^19), which the ReLU's 20-bit
// decomposition relies on. Each template asserts the preconditions its soundness needs, so that an instance that
// breaks one fails to compile instead of becoming unprovable (or worse, unsound).

/// ReLU of a value known to lie in (-2^19, 2^19).
template Relu20() {
    signal input in;
    signal output out;
    component bits = Num2Bits(20);
    bits.in <== in + (1 << 19);
    // Bit 19 of in + 2^19 is set exactly when in >= 0.
    out <== bits.out[19] * in;
}

template DenseLayer(N, M) {
    assert(N >= 1 && M >= 1);
    // The ReLU decomposes 20 bits: every accumulator must lie in (-2^19, 2^19), so N * 128 * 128 + 32768 < 2^19,
    // which holds up to N = 29.
    assert(N * 128 * 128 + 32768 < (1 << 19));
    // circomlib's Poseidon takes 1 to 16 inputs: the packed model (31 weights and 15 biases per element), input
    // (31 per element) and output (12 per element) must each fit one hash.
    assert((M * N + 30) \ 31 + (M + 14) \ 15 <= 16);
    assert((N + 30) \ 31 <= 16);
    assert((M + 11) \ 12 <= 16);

    // ---- public ----
    signal input modelHash;
    signal input inputHash;
    signal input outputHash;
    signal input jobId;
    signal input provider;

    // ---- private ----
    signal input weights[M][N];
    signal input biases[M];
    signal input x[N];

    // Range checks and the offset values that are committed.
    component weightRange[M][N];
    component biasRange[M];
    component inputRange[N];
    component packWeights = Pack(M * N, 8);
    component packBiases = Pack(M, 16);
    component packInput = Pack(N, 8);
    for (var j = 0; j < M; j++) {
        for (var i = 0; i < N; i++) {
            weightRange[j][i] = SignedRange(8);
            weightRange[j][i].in <== weights[j][i];
            packWeights.in[j * N + i] <== weightRange[j][i].shifted;
        }
        biasRange[j] = SignedRange(16);
        biasRange[j].in <== biases[j];
        packBiases.in[j] <== biasRange[j].shifted;
    }
    for (var i = 0; i < N; i++) {
        inputRange[i] = SignedRange(8);
        inputRange[i].in <== x[i];
        packInput.in[i] <== inputRange[i].shifted;
    }

    // y = ReLU(W·x + b)
    signal products[M][N];
    component relu[M];
    component packOutput = Pack(M, 20);
    for (var j = 0; j < M; j++) {
        var acc = biases[j];
        for (var i = 0; i < N; i++) {
            products[j][i] <== weights[j][i] * x[i];
            acc += products[j][i];
        }
        relu[j] = Relu20();
        relu[j].in <== acc;
        packOutput.in[j] <== relu[j].out;
    }

    // Commitments.
    var modelElements = (M * N + 30) \ 31 + (M + 14) \ 15;
    component modelHasher = Poseidon(modelElements);
    var w = (M * N + 30) \ 31;
    for (var k = 0; k < w; k++) {
        modelHasher.inputs[k] <== packWeights.out[k];
    }
    for (var k = 0; k < (M + 14) \ 15; k++) {
        modelHasher.inputs[w + k] <== packBiases.out[k];
    }
    modelHash === modelHasher.out;

    component inputHasher = Poseidon((N + 30) \ 31);
    for (var k = 0; k < (N + 30) \ 31; k++) {
        inputHasher.inputs[k] <== packInput.out[k];
    }
    inputHash === inputHasher.out;

    component outputHasher = Poseidon((M + 11) \ 12);
    for (var k = 0; k < (M + 11) \ 12; k++) {
        outputHasher.inputs[k] <== packOutput.out[k];
    }
    outputHash === outputHasher.out;

    // Binding: without a constraint, the job and the provider would be free public inputs the proof ignores.
    signal jobIdSquare <== jobId * jobId;
    signal providerSquare <== provider * provider;
}

component main {public [modelHash, inputHash, outputHash, jobId, provider]} = DenseLayer(16, 16);
