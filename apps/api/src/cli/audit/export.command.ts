import { parseArgs } from 'node:util';
import { exportRecords, ndjsonChunks } from '#audit';
import type { AuditCommand } from './audit-command.js';
import { identifierOption, keyIdOption, timeOption } from './audit-options.js';

export const exportCommand: AuditCommand = {
  name: 'export',
  summary: 'the history as NDJSON, with the digests that cover it',
  help: `
usage: npm run audit -- export [--company C] [--key K] [--from T] [--to T] > history.ndjson

Writes the log as NDJSON, one event a line, in log order: position (global), stream, revision, eventId,
type, recordedAt, data, metadata. Streamed in constant memory, whatever the log's size. Never a token, never
a verifier: KeyMinted's argon2id verifier is replaced by its SHA-256 (verifierSha256), which the digests cover.

Every digest (type AuditDigest, stream audit-digests) that covers an exported event is exported after it,
so the file can be checked on its own: npm run audit -- verify --input history.ndjson --public-key key.pem.

  --company C   only the events of company C
  --key K       only the events of key K (its lifecycle and its uses)
  --from T      only events the log recorded at or after T (ISO 8601)
  --to T        only events the log recorded at or before T
Exit status: 0, 2 a usage error.
`,
  async run(args, open) {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { company: { type: 'string' }, key: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
    });
    const filter = {
      companyId: identifierOption(values.company, 'company'),
      keyId: keyIdOption(values.key),
      from: timeOption(values.from, 'from'),
      to: timeOption(values.to, 'to'),
    };
    const { store, write } = await open();
    for await (const chunk of ndjsonChunks(exportRecords(store, filter))) await write(chunk);
    return 0;
  },
};
