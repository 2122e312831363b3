import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeOrderedIds } from '#api';
import { openSqlite, sqliteFileIn, SqliteEventStore } from '#event-store';
import { intFromEnv } from '../bench-helpers.js';
import { sampleUse } from './sample-use.js';

/**
 * What a group commit of uses costs, by group size and by where it commits (issue 11): the real store on a file
 * (WAL, synchronous=FULL), a log of BENCH_EVENTS uses written first, then commits of G uses each, one after the
 * other, timed; G in BENCH_GROUPS. Two writers, alternated, each on a fresh file:
 *   worker  as the embedded runtime runs it: the commit in the writer thread (sqlite-writer-thread.ts);
 *   inline  the same append on the calling thread's connection (it waits for the fsync).
 * Printed per use: wall time, and the process's CPU (every thread: user + system). The CPU of a commit is
 * about fixed + G × marginal, so a use costs less the larger its group, and the writer thread's hand-off (two
 * thread wake-ups and a structured clone per commit) is the difference between the two writers.
 *
 *   npm run -s build && node dist/bench/usage/experiment-commit-cost.js
 */
const EVENTS = intFromEnv('BENCH_EVENTS', 50_000);
const GROUPS = (process.env.BENCH_GROUPS ?? '1,3,6,10,20').split(',').map((g) => {
  if (!/^[1-9][0-9]*$/.test(g.trim())) throw new Error(`BENCH_GROUPS: ${g} is not a positive integer`);
  return Number(g);
});
const USES = intFromEnv('BENCH_USES', 12_000);

const nextId = timeOrderedIds();
const use = (i: number) => sampleUse(nextId(), i);

const measure = async (writer: 'worker' | 'inline', group: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-commit-cost-'));
  const db = openSqlite(sqliteFileIn(dir));
  const store = new SqliteEventStore(db, writer === 'worker' ? { writer: 'worker' } : {});
  try {
    let n = 0;
    while (n < EVENTS) await store.appendToStream('usage-bench-co', Array.from({ length: Math.min(1000, EVENTS - n) }, () => use(n++)), 'any');
    const commits = Math.max(1, Math.round(USES / group));
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let c = 0; c < commits; c++) await store.appendToStream('usage-bench-co', Array.from({ length: group }, () => use(n++)), 'any');
    const wallUs = ((performance.now() - started) * 1000) / (commits * group);
    const used = process.cpuUsage(cpu);
    return { wallUs, cpuUs: (used.user + used.system) / (commits * group), systemUs: used.system / (commits * group) };
  } finally {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const main = async () => {
  console.log(`per use, commits of G uses one after the other; log of ${EVENTS} uses first; ${USES} uses timed per cell`);
  console.log('G    worker: wall µs  CPU µs (system)   inline: wall µs  CPU µs (system)   worker/inline CPU');
  for (const group of GROUPS) {
    const runs = { worker: [] as Awaited<ReturnType<typeof measure>>[], inline: [] as Awaited<ReturnType<typeof measure>>[] };
    for (const writer of ['worker', 'inline', 'inline', 'worker'] as const) runs[writer].push(await measure(writer, group));
    const mean = (rs: Awaited<ReturnType<typeof measure>>[], k: 'wallUs' | 'cpuUs' | 'systemUs') => rs.reduce((a, r) => a + r[k], 0) / rs.length;
    const cell = (rs: Awaited<ReturnType<typeof measure>>[]) =>
      `${mean(rs, 'wallUs').toFixed(0).padStart(15)}  ${mean(rs, 'cpuUs').toFixed(0).padStart(6)} (${mean(rs, 'systemUs').toFixed(0)})`.padEnd(33);
    console.log(`${String(group).padEnd(4)} ${cell(runs.worker)} ${cell(runs.inline)} ${(mean(runs.worker, 'cpuUs') / mean(runs.inline, 'cpuUs')).toFixed(2)}`);
  }
  console.log('command: npm run -s build && node dist/bench/usage/experiment-commit-cost.js');
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
