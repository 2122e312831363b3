import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { openSqlite, sqliteFileIn, SqliteEventStore } from '#event-store';
import { sampleUse } from './sample-use.js';

/**
 * Random (v4) against time-ordered (v7) event ids for the uses (issue 11): the log's unique index on event_id takes
 * a random page per use with v4, its end with v7. A real store on a file (WAL, the writer thread, synchronous=FULL),
 * a log of BENCH_EVENTS uses written first, then BENCH_COMMITS group commits of 5 uses each, timed; the two id kinds
 * alternated, each on a fresh file. The ratio is printed; CPU is the whole process's (the writer thread's mostly).
 *
 *   npm run -s build && [BENCH_EVENTS=1000000] node dist/bench/usage/experiment-event-ids.js
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 300_000);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 2000);
const GROUP = 5;

const use = sampleUse;

const measure = async (kind: 'v4' | 'v7') => {
  const id = kind === 'v4' ? randomUUID : uuidv7;
  const dir = mkdtempSync(join(tmpdir(), 'keygate-event-ids-'));
  const db = openSqlite(sqliteFileIn(dir));
  const store = new SqliteEventStore(db, { writer: 'worker' });
  try {
    let n = 0;
    // The log first, in appends of 1000 (not timed).
    while (n < EVENTS) {
      const batch = Array.from({ length: Math.min(1000, EVENTS - n) }, () => use(id(), n++));
      await store.appendToStream('usage-bench-co', batch, 'any');
    }
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let c = 0; c < COMMITS; c++) {
      await store.appendToStream('usage-bench-co', Array.from({ length: GROUP }, () => use(id(), n++)), 'any');
    }
    const wallMs = (performance.now() - started) / COMMITS;
    const used = process.cpuUsage(cpu);
    return { wallMs, userUs: used.user / COMMITS, systemUs: used.system / COMMITS };
  } finally {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const main = async () => {
  const results: Record<'v4' | 'v7', Awaited<ReturnType<typeof measure>>[]> = { v4: [], v7: [] };
  for (const kind of ['v4', 'v7', 'v7', 'v4'] as const) {
    const r = await measure(kind);
    results[kind].push(r);
    console.log(`${kind}: ${r.wallMs.toFixed(3)} ms per commit of ${GROUP}, CPU ${r.userUs.toFixed(0)} + ${r.systemUs.toFixed(0)} µs (user + system), log of ${EVENTS} uses`);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const wall = (k: 'v4' | 'v7') => mean(results[k].map((r) => r.wallMs));
  const cpu = (k: 'v4' | 'v7') => mean(results[k].map((r) => r.userUs + r.systemUs));
  console.log(`v7/v4: commit time ${(wall('v7') / wall('v4')).toFixed(2)}, CPU ${(cpu('v7') / cpu('v4')).toFixed(2)}`);
  console.log('command: npm run -s build && node dist/bench/usage/experiment-event-ids.js');
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
