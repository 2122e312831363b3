import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeOrderedIds } from '#api';
import { openSqlite, sqliteFileIn, SqliteEventStore } from '#event-store';
import { intFromEnv } from '../bench-helpers.js';
import { sampleUse } from './sample-use.js';

/**
 * What appending a use and following it costs each thread (issue 11): the real store on a file with its writer
 * thread, one live subscription to every event (as the projection runner follows the log), commits of G uses sent
 * together as the usage recorder sends them, the next once the last is answered and followed. Printed per use: CPU
 * of the main thread and of the other threads (the writer's commit and fsync), user + system, from /proc (Linux), and
 * where the subscription's reads came from. Rounds on fresh files; run it on two builds to compare them.
 *
 *   npm run -s build && node dist/bench/usage/experiment-follow-cost.js
 */
const GROUP = intFromEnv('BENCH_GROUP', 5);
const USES = intFromEnv('BENCH_USES', 20_000);
const ROUNDS = intFromEnv('BENCH_ROUNDS', 3);

const nextId = timeOrderedIds();

/** CPU µs (user + system) of this process's main thread and of all its other threads. */
const threadCpu = () => {
  const tick = 1e6 / 100; // USER_HZ
  let main = 0;
  let others = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const us = (Number(fields[11]) + Number(fields[12])) * tick;
    if (Number(tid) === process.pid) main += us;
    else others += us;
  }
  return { main, others };
};

const round = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-follow-cost-'));
  const db = openSqlite(sqliteFileIn(dir));
  const store = new SqliteEventStore(db, { writer: 'worker' });
  const controller = new AbortController();
  let followed = 0;
  const following = (async () => {
    for await (const _ of store.subscribeToAll({ after: 0, signal: controller.signal })) followed += 1;
  })();
  try {
    let n = 0;
    const before = threadCpu();
    const started = performance.now();
    while (n < USES) {
      await Promise.all(Array.from({ length: GROUP }, () => store.appendToStream('usage-bench-co', [sampleUse(nextId(), n++)], 'any')));
      while (followed < n) await new Promise((resolve) => setImmediate(resolve));
    }
    const wall = performance.now() - started;
    const after = threadCpu();
    const reads = (store as { subscriptionReads?: () => { fromMemory: number; fromFile: number } }).subscriptionReads?.();
    return { main: (after.main - before.main) / n, others: (after.others - before.others) / n, wallUs: (wall * 1000) / n, reads };
  } finally {
    controller.abort();
    await following;
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const main = async () => {
  console.log(`per use: ${USES} uses in commits of ${GROUP}, one subscription following every event`);
  for (let r = 0; r < ROUNDS; r++) {
    const { main, others, wallUs, reads } = await round();
    const where = reads ? `; subscription reads from memory ${reads.fromMemory}, from the file ${reads.fromFile}` : '';
    console.log(`round ${r + 1}: main thread ${main.toFixed(1)} µs, other threads ${others.toFixed(1)} µs, wall ${wallUs.toFixed(1)} µs${where}`);
  }
  console.log('command: npm run -s build && node dist/bench/usage/experiment-follow-cost.js');
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
