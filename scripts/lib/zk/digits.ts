/**
 * Images of digits for the example ZKML model (scripts/zk/train-digits.ts trains it, tests and benchmarks feed it):
 * each digit's 5×7 glyph on an 8×8 canvas, moved by up to three pixels across and one down, with a random ink
 * intensity, stroke pixels missing, ink bleeding into neighbours and noise. Pixels are 0 to 127, the model's int8
 * input. Everything is drawn from a seeded generator (`seededRandom`), so a dataset is reproducible.
 */

/** The digits 0 to 9 in a 5×7 font, one string per row. */
const GLYPHS = [
  ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
  ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
  ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
  ["11111", "00010", "00100", "00010", "00001", "10001", "01110"],
  ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
  ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
  ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
  ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
  ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
  ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
];

/** Standard normal numbers from a uniform generator (Box–Muller). */
export function gaussianFrom(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** One 8×8 image of `digit`, row by row, pixels 0 to 127, drawn with `uniform`'s numbers. */
export function drawDigit(digit: number, uniform: () => number): number[] {
  const glyph = GLYPHS[digit];
  if (glyph === undefined) throw new Error(`a digit is 0 to 9, got ${digit}`);
  const gaussian = gaussianFrom(uniform);
  const pixels = Array.from({ length: 64 }, () => 0);
  const dx = Math.floor(uniform() * 4);
  const dy = Math.floor(uniform() * 2);
  const ink = 0.55 + 0.45 * uniform();
  glyph.forEach((row, y) =>
    [...row].forEach((bit, x) => {
      // A stroke pixel is sometimes missing, as in a faint scan.
      if (bit === "1" && uniform() > 0.15) pixels[(y + dy) * 8 + x + dx] = ink;
    }),
  );
  return pixels.map((p, i) => {
    // A little ink bleeds into the neighbours, then noise.
    const [x, y] = [i % 8, Math.floor(i / 8)];
    const near = [
      [x - 1, y],
      [x + 1, y],
      [x, y - 1],
      [x, y + 1],
    ].filter(([a, b]) => a! >= 0 && a! < 8 && b! >= 0 && b! < 8);
    const bleed = near.reduce((sum, [a, b]) => sum + pixels[b! * 8 + a!]!, 0) * 0.08;
    const value = Math.min(1, Math.max(0, p + bleed + 0.18 * gaussian()));
    return Math.round(value * 127);
  });
}
