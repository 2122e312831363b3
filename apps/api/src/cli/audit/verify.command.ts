import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { verifyExport, verifyLog, type AuditFinding, type AuditRecord } from '#audit';
import { loadCliConfig } from '../cli-support.js';
import { AuditUsageError, EXIT_CLEAN, EXIT_FINDING, type AuditCommand } from './audit-command.js';
import { verifyingKey } from './audit-key-option.js';
import { timeOption } from './audit-options.js';

const MAX_LINE = 1 << 20;

/** An export file (or stdin), parsed a line at a time. */
async function* readExport(file: string): AsyncIterable<AuditRecord> {
  const lines = createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') continue;
    if (line.length > MAX_LINE) throw new Error(`${file} line ${n}: longer than ${MAX_LINE} characters, not an export line`);
    try {
      yield JSON.parse(line) as AuditRecord;
    } catch {
      throw new Error(`${file} line ${n}: not JSON`);
    }
  }
}

export const verifyCommand: AuditCommand = {
  name: 'verify',
  summary: 'recompute the digests: name every edited, removed, inserted or reordered event and every broken digest',
  help: `
usage: npm run audit -- verify [--from T] [--public-key FILE] [--json]
       npm run audit -- verify --input history.ndjson --public-key FILE [--json]

Tamper evidence, in the manner of CloudTrail's log file validation. A follower of the log writes digests
(every KEYGATE_AUDIT_DIGEST_EVENTS events or KEYGATE_AUDIT_DIGEST_INTERVAL_MS): each lists the hash of every
event in a range of the global order and the previous digest's hash, signed with the audit key (Ed25519).
verify recomputes all of it and names each finding:
  event-edited, event-moved (reordered), event-removed, event-inserted, events-uncovered (old events no
  digest covers: digests removed from the end, or no writer), digest-malformed, digest-signature (edited or
  forged), digest-other-key (signed by another key), digest-chain (a digest removed, inserted or edited).

What it proves: the log matches what the digests recorded when they were written, and the digests were
signed by the key you verify with. What it does not: events newer than the last digest are not covered yet
(counted, not checked); and someone holding the private key could rewrite the log AND re-sign every digest.
Compare the printed head (the last digest's hash) with a copy kept elsewhere, and verify with a public key
kept elsewhere (--public-key), to rule that out (README "For auditors").

  --from T            check the events of digests reaching T or later (the chain is always checked whole)
  --public-key FILE   the public key (PEM) to verify with; default: the server's own key
  --input FILE        verify an export (npm run audit -- export, or GET /api/audit/events) instead of the store;
                      "-" reads stdin. Checks each exported event against the digests in the file.
  --json              findings as JSON lines on stdout, then a summary line
Exit status: 0 clean, 1 a finding, 2 a usage error.
`,
  async run(args, open) {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { from: { type: 'string' }, 'public-key': { type: 'string' }, input: { type: 'string' }, json: { type: 'boolean' } },
    });
    const from = timeOption(values.from, 'from');
    const json = values.json === true;
    const print = (finding: AuditFinding) =>
      process.stdout.write(json ? `${JSON.stringify(finding)}\n` : `FINDING ${finding.kind}${finding.digest === null ? '' : ` digest=${finding.digest}`}${finding.position === null ? '' : ` position=${finding.position}`}: ${finding.message}\n`);

    if (values.input !== undefined) {
      if (values['public-key'] === undefined) throw new AuditUsageError('--input needs --public-key: an export is verified against a key kept apart from it');
      if (from) throw new AuditUsageError('--from applies to the store, not to --input');
      const { key } = verifyingKey(values['public-key'], () => loadCliConfig({ needsAuth: false }));
      const r = await verifyExport(readExport(values.input), key, print);
      const summary = { verified: r.eventsVerified, uncovered: r.eventsUncovered, digests: r.digests, findings: r.findings, keyId: key.keyId };
      process.stdout.write(json ? `${JSON.stringify({ summary })}\n` : `${r.findings === 0 ? 'clean' : `${r.findings} finding(s)`}: ${r.eventsVerified} event(s) verified against ${r.digests} digest(s) (key ${key.keyId}); ${r.eventsUncovered} event(s) after the last digest not covered yet\n`);
      return r.findings === 0 ? EXIT_CLEAN : EXIT_FINDING;
    }

    const { config, store } = await open();
    const { key, source } = verifyingKey(values['public-key'], () => config);
    const now = new Date();
    // An event may wait up to one interval for its digest, and the writer polls: twice the interval plus a minute.
    const maxUncoveredMs = 2 * config.auditDigestIntervalMs + 60_000;
    const r = await verifyLog({ store, key, from, now, maxUncoveredMs, onFinding: print });
    const head = r.head ? `digest ${r.head.sequence} through position ${r.head.through}, hash ${r.head.hash}` : 'no digest yet';
    if (json) process.stdout.write(`${JSON.stringify({ summary: { ...r, keyId: key.keyId, keySource: source } })}\n`);
    else {
      process.stdout.write(
        `${r.findings === 0 ? 'clean' : `${r.findings} finding(s)`}: ${r.eventsChecked} event(s) checked against ${r.digests} digest(s), key ${key.keyId} (${source})\n` +
          `head: ${head}\n` +
          `not covered yet: ${r.uncovered.count} event(s)${r.uncovered.oldest ? `, the oldest recorded ${r.uncovered.oldest}` : ''}\n`,
      );
    }
    return r.findings === 0 ? EXIT_CLEAN : EXIT_FINDING;
  },
};
