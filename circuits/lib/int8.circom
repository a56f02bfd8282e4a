pragma circom 2.1.6;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

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

/// max(0, min(127, in >> SHIFT)) for `in` in (-2^B, 2^B): the hidden layer's ReLU and requantisation to int8.
template ReluShiftInt8(B, SHIFT) {
    assert(B >= 1 && B <= 250);
    assert(SHIFT >= 0 && SHIFT < B);
    signal input in;
    signal output out;
    component bits = Num2Bits(B + 1);
    bits.in <== in + (1 << B);
    // Bit B of in + 2^B is set exactly when in >= 0; below it are then the bits of in itself.
    var low = 0;
    for (var i = SHIFT; i < B && i < SHIFT + 7; i++) {
        low += bits.out[i] * (1 << (i - SHIFT));
    }
    var high = 0;
    for (var i = SHIFT + 7; i < B; i++) {
        high += bits.out[i];
    }
    // Saturates at 127 when any bit above the seven kept is set.
    component fits = IsZero();
    fits.in <== high;
    signal saturated <== (1 - fits.out) * (127 - low);
    out <== bits.out[B] * (low + saturated);
}
