import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore } from '#event-store';
import type { KeyUsed } from '#keys';
import { UsageRecorder } from '#api';
import { median } from '../bench-helpers.js';

/**
 * What it costs to answer a tools/call only once its KeyUsed is durable (fsynced), with and without
 * group commit. Same file settings as production (WAL, synchronous=FULL), same run, ratios printed.
 *   npm run -s build && node dist/bench/usage/group-commit.bench.js
 */
const USES = Number(process.env.BENCH_USES ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);

const used = (i: number): KeyUsed => ({
  type: 'KeyUsed',
  data: {
    actorUserId: 'alice', actorName: 'Alice', companyId: 'acme', keyId: 'AbCdEfGhIjKl', correlationId: `r${i}`,
    at: new Date().toISOString(), tool: 'whoami', outcome: 'ok', client: { name: 'bench', version: '1' },
    remoteAddress: '127.0.0.1', requestId: `r${i}`,
  },
});

const withStore = async (run: (store: SqliteEventStore) => Promise<void>): Promise<number> => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-usage-'));
  const db = openSqlite(join(dir, 'keygate.sqlite'));
  const store = new SqliteEventStore(db);
  const started = performance.now();
  await run(store);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return USES / seconds;
};

/** CONCURRENCY callers, each waiting for its use to be durable before the next, like keep-alive connections. */
const callers = async (record: (i: number) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < USES) await record(next++);
    }),
  );
};

const perCall: number[] = [];
const grouped: number[] = [];
const batchSizes: number[] = [];
for (let round = 0; round < 3; round++) {
  perCall.push(
    await withStore((store) =>
      callers(async (i) => {
        const e = used(i);
        await store.appendToStream('usage-acme', [{ eventId: `e${i}`, type: e.type, data: e.data }], 'any');
      }),
    ),
  );
  grouped.push(
    await withStore(async (store) => {
      const recorder = new UsageRecorder(store);
      await callers((i) => recorder.record(used(i)));
      batchSizes.push(recorder.stats.events / recorder.stats.batches);
    }),
  );
}
const a = median(perCall);
const b = median(grouped);
console.log(`durable KeyUsed, ${USES} uses, ${CONCURRENCY} concurrent callers, WAL + synchronous=FULL (median of 3)`);
console.log(`  one append (fsync) per use : ${a.toFixed(0)} uses/s`);
console.log(`  group commit (UsageRecorder): ${b.toFixed(0)} uses/s, mean batch ${median(batchSizes).toFixed(1)} uses`);
console.log(`  ratio group/per-use: ${(b / a).toFixed(2)}x`);
