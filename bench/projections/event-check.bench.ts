import { keyEventProblem } from '#keys';
import { generateSyntheticLog } from '../synthetic-events.js';

/**
 * What the readers' schema check (issue 8: every projection checks an event before applying it) costs per
 * event, against what a projection already pays for every event it reads: JSON.parse of the stored data.
 * Both over the same synthetic log, in the same process, alternated; medians of BENCH_REPS rounds.
 *
 *   npm run -s build && node dist/bench/projections/event-check.bench.js
 */
const n = Number(process.env.BENCH_EVENTS ?? 100_000);
const reps = Number(process.env.BENCH_REPS ?? 5);
const { commands } = generateSyntheticLog(n);
const stored = commands.map((c) => ({ type: c.event.type, json: JSON.stringify(c.event.data) }));
const parsed = stored.map((s) => ({ type: s.type, data: JSON.parse(s.json) as unknown }));

const time = (f: () => void): number => {
  const started = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - started) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let failures = 0;
const parse: number[] = [];
const check: number[] = [];
for (let r = 0; r < reps; r++) {
  const runParse = () => parse.push(time(() => stored.forEach((s) => JSON.parse(s.json))));
  const runCheck = () => check.push(time(() => parsed.forEach((e) => (keyEventProblem(e.type, e.data) === null ? 0 : failures++))));
  if (r % 2 === 0) (runParse(), runCheck());
  else (runCheck(), runParse());
}
const [p, c] = [median(parse), median(check)];
console.log(`events: ${stored.length}, rounds: ${reps}, refused: ${failures} (must be 0: the generator writes what the app writes)`);
console.log(`JSON.parse of the data:  ${p.toFixed(0)} ms  (${((p * 1000) / stored.length).toFixed(2)} µs/event)`);
console.log(`schema check:            ${c.toFixed(0)} ms  (${((c * 1000) / stored.length).toFixed(2)} µs/event)`);
console.log(`ratio check / parse:     ${(c / p).toFixed(2)}`);
process.exitCode = failures === 0 ? 0 : 1;
