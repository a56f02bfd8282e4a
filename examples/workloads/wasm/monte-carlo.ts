// A Monte Carlo pricer for a European call option under geometric Brownian motion: the kind of embarrassingly
// parallel simulation a requester rents compute for. Every number comes from a seeded xorshift generator and
// AssemblyScript's own math library (compiled into the module), so the same arguments give the same bytes on
// every machine.
//
//   arguments: <paths> <seed>
//   in/market.txt: "spot strike rate volatility years", space-separated
//   stdout: the price and its standard error; out/histogram.csv: the terminal prices in 20 buckets

import { args, fail, print, readInput, writeOutput } from "./wasi";

const argv = args();
if (argv.length != 2) fail("usage: monte-carlo <paths> <seed>");
const paths = I32.parseInt(argv[0]);
if (paths < 1) fail("paths must be a positive integer");
let state = U64.parseInt(argv[1]) | 1;

const market = readInput("market.txt").trim().split(" ");
if (market.length != 5) fail("in/market.txt must hold: spot strike rate volatility years");
const spot = F64.parseFloat(market[0]);
const strike = F64.parseFloat(market[1]);
const rate = F64.parseFloat(market[2]);
const volatility = F64.parseFloat(market[3]);
const years = F64.parseFloat(market[4]);

function uniform(): f64 {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (f64(state >> 11) + 0.5) / 9007199254740992.0;
}

function gaussian(): f64 {
  return Math.sqrt(-2.0 * Math.log(uniform())) * Math.cos(2.0 * Math.PI * uniform());
}

const drift = (rate - 0.5 * volatility * volatility) * years;
const diffusion = volatility * Math.sqrt(years);
const buckets = new Array<i32>(20).fill(0);
const top = spot * 3.0;
let sum = 0.0;
let sumOfSquares = 0.0;
for (let i = 0; i < paths; i++) {
  const terminal = spot * Math.exp(drift + diffusion * gaussian());
  const payoff = Math.max(terminal - strike, 0.0);
  sum += payoff;
  sumOfSquares += payoff * payoff;
  buckets[i32(Math.min(terminal / top, 0.999999) * 20.0)]++;
}
const discount = Math.exp(-rate * years);
const mean = sum / f64(paths);
const error = Math.sqrt((sumOfSquares / f64(paths) - mean * mean) / f64(paths));
print("price " + (discount * mean).toString() + "\nstderr " + (discount * error).toString() + "\n");

let csv = "upper,paths\n";
for (let b = 0; b < 20; b++) csv += ((top * f64(b + 1)) / 20.0).toString() + "," + buckets[b].toString() + "\n";
writeOutput("histogram.csv", csv);
