import { parseArgs } from 'node:util';
import { describeWarning, printable, readKeyHistory, timelineLines, timelineOf } from '#audit';
import { AuditUsageError, EXIT_CLEAN, EXIT_FINDING, type AuditCommand } from './audit-command.js';
import { identifierOption, keyIdOption } from './audit-options.js';

export const timelineCommand: AuditCommand = {
  name: 'timeline',
  summary: "one key's whole story in order: acknowledged, minted, uses by client and tool, revoked, expired, deleted",
  help: `
usage: npm run audit -- timeline --key K [--company C] [--json]

Key K's whole story, from the event log alone, in the order it was recorded:
  acknowledged   who acknowledged the security notice, which version, when
  minted         by whom, the label, prefix, role and permissions snapshot, the expiry
  used ×N        its uses, grouped by client (name and version) and tool between two of the entries around
                 them: count, first and last use, outcomes (ok, error, denied)
  revoked        by whom, when
  expired        the sweeper's record; or, once the expiry has passed with none recorded, "no KeyExpired
                 recorded yet" (the service refused the key all the same)
  deleted        by whom, when
No token or secret is shown: the log holds none, and the stored verifier is never printed.

  --key K         the key id (the "Key ID" of the list: 1 to 64 of A-Z a-z 0-9 _ -)
  --company C     the key's company, if known: skips the search for it (a read of every acknowledgement and
                  mint in the log, filtered by the store, up to the key's)
  --json          one JSON object an entry on stdout, instead of the list
  -h, --help      this text

Events the history cannot read are left out and named on stderr, one line each.
Exit status: 0 done; 1 a finding: no such key (in the company given), or events of the key were left out
(the story may be incomplete); 2 a usage error.
`,
  async run(args, open) {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { key: { type: 'string' }, company: { type: 'string' }, json: { type: 'boolean' } },
    });
    const keyId = keyIdOption(values.key, 'key');
    if (keyId === undefined) throw new AuditUsageError('--key is required');
    const companyId = identifierOption(values.company, 'company');

    const { store, write } = await open();
    const history = await readKeyHistory(store, keyId, companyId);
    if (!history) {
      process.stderr.write(`no key ${keyId} in ${companyId === undefined ? 'any keyring of the log' : `the keyring of company ${printable(companyId)}`}\n`);
      return EXIT_FINDING;
    }
    for (const warning of history.warnings) process.stderr.write(`${describeWarning(warning)}\n`);
    const entries = timelineOf(history.events, keyId, new Date());
    if (values.json) {
      for (const entry of entries) await write(`${JSON.stringify(entry)}\n`);
    } else {
      await write(`key ${keyId} of company ${printable(history.companyId)}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}\n`);
      await write(`${timelineLines(entries).join('\n')}\n`);
    }
    return history.warnings.length > 0 ? EXIT_FINDING : EXIT_CLEAN;
  },
};
