import type { ChildResult } from './measure-child.js';

/** What export-verify.bench.ts measures and report.ts prints. */
export interface Summary {
  ms: number;
  runs: number[];
  cpuMs: number;
  peakRssMb: number;
  peakRuns: number[];
  startRssMb: number;
}

/** Where the digests sit in the log: all at its end (a writer catching up, the default), or one per ~1000 events. */
export type Layout = 'catch-up' | 'live';

export interface ExportVerifyResult {
  events: number;
  layout: Layout;
  digests: number;
  reps: number;
  fileMb: number;
  appendMs: number;
  /** The digest writer's catch-up over the whole log, once (it writes the digests the others read). */
  digest: ChildResult;
  raw: Summary;
  export: Summary & { bytes: number };
  verify: Summary;
  failures: string[];
}
