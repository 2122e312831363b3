import type { AuditRecord } from '../audit-record.js';

const MAX_LINES = 256;
const MAX_BYTES = 64 * 1024;

/**
 * Audit records as NDJSON text, a chunk of lines at a time: one write per line would cost more than the export,
 * and a chunk is bounded in bytes too (a digest line is ~55 KB), so memory stays flat whatever the log holds.
 */
export async function* ndjsonChunks(records: AsyncIterable<AuditRecord>): AsyncIterable<string> {
  let lines: string[] = [];
  let bytes = 0;
  for await (const record of records) {
    const line = JSON.stringify(record);
    lines.push(line);
    bytes += line.length;
    if (lines.length >= MAX_LINES || bytes >= MAX_BYTES) {
      yield `${lines.join('\n')}\n`;
      lines = [];
      bytes = 0;
    }
  }
  if (lines.length) yield `${lines.join('\n')}\n`;
}
