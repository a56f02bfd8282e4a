pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";

// Templates shared by the int8 ZKML circuits (dense_layer, and the model circuits of lib/int8_mlp.circom).

/// Packs `n` values of `bits` bits each, already known to be below 2^bits, into ceil(n / per) field elements.
template Pack(n, bits) {
    // Each value and each packed element must fit the field (below 2^253) with room to spare.
    assert(n >= 1);
    assert(bits >= 1 && bits <= 248);
    var per = 248 \ bits;
    var outs = (n + per - 1) \ per;
    signal input in[n];
    signal output out[outs];
    var acc[outs];
    for (var k = 0; k < outs; k++) {
        acc[k] = 0;
    }
    for (var i = 0; i < n; i++) {
        acc[i \ per] += in[i] * (1 << (bits * (i % per)));
    }
    for (var k = 0; k < outs; k++) {
        out[k] <== acc[k];
    }
}

/// Range-checks a signed value into [-2^(bits-1), 2^(bits-1)) and outputs it shifted to [0, 2^bits).
template SignedRange(bits) {
    // Num2Bits above 252 bits would accept values that wrap around the field.
    assert(bits >= 1 && bits <= 252);
    signal input in;
    signal output shifted;
    shifted <== in + (1 << (bits - 1));
    component check = Num2Bits(bits);
    check.in <== shifted;
}
