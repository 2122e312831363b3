import { parseArgs } from 'node:util';
import { describeWarning, INSTANT_FORMAT, keysAt, keysAtTable, parseInstant, printable, readCompanyHistory } from '#audit';
import { AuditUsageError, EXIT_CLEAN, EXIT_FINDING, type AuditCommand } from './audit-command.js';
import { identifierOption } from './audit-options.js';

export const atCommand: AuditCommand = {
  name: 'at',
  summary: "a company's keys as they stood at an instant (status, permissions, last used, who minted and revoked), from the history alone",
  help: `
usage: npm run audit -- at <time> --company C [--json]

The keys of company C as they stood at <time>, computed from the event log alone (the company's keyring and
usage streams; no read model is consulted): id, label, prefix, status, the permissions snapshot of the mint,
created, expires, who minted it, who revoked and who deleted it (and when), last used and the number of uses.

An event counts when its own time (the time the service stamped on it) is at or before <time>. A key past
its expiry is expired at <time> even if the sweeper had not yet recorded it (as the service refused it).
Deleted keys are listed, status "deleted"; keys minted after <time> are not. No token or secret is shown:
the log holds none, and the stored verifier is never printed.

  <time>          ${INSTANT_FORMAT}
  --company C     the company id (1 to 128 of A-Z a-z 0-9 . _ : @ | -)
  --json          one JSON object a key on stdout, instead of the table
  -h, --help      this text

Events the history cannot read are left out and named on stderr, one line each.
Exit status: 0 done (also when the company had no key at <time>); 1 a finding: nothing was ever recorded
for the company (a mistyped id?), or events were left out (the answer may be incomplete); 2 a usage error.
`,
  async run(args, open) {
    const { values, positionals } = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: { company: { type: 'string' }, json: { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new AuditUsageError(`at takes one <time>, got ${positionals.length}`);
    const instant = parseInstant(positionals[0]);
    if (!instant) throw new AuditUsageError(`<time> must be ${INSTANT_FORMAT} (got ${JSON.stringify(positionals[0].slice(0, 64))})`);
    const companyId = identifierOption(values.company, 'company');
    if (companyId === undefined) throw new AuditUsageError('--company is required');

    const { store, write } = await open();
    const history = await readCompanyHistory(store, companyId, instant);
    for (const warning of history.warnings) process.stderr.write(`${describeWarning(warning)}\n`);
    if (!history.found) {
      process.stderr.write(`nothing was ever recorded for company ${printable(companyId)}\n`);
      return EXIT_FINDING;
    }
    const keys = keysAt(history.events, instant);
    if (values.json) {
      for (const key of keys) await write(`${JSON.stringify(key)}\n`);
    } else {
      await write(`company ${printable(companyId)} at ${instant.toISOString()}: ${keys.length} key(s)\n`);
      if (keys.length > 0) await write(`${keysAtTable(keys).join('\n')}\n`);
    }
    return history.warnings.length > 0 ? EXIT_FINDING : EXIT_CLEAN;
  },
};
