import { publicKeyPem } from '#audit';
import { loadCliConfig } from '../cli-support.js';
import { AuditUsageError, type AuditCommand } from './audit-command.js';
import { verifyingKey } from './audit-key-option.js';

export const publicKeyCommand: AuditCommand = {
  name: 'public-key',
  summary: 'print the public key that verifies the digests, to keep a copy elsewhere',
  help: `
usage: npm run audit -- public-key

Prints the audit key's public half (PEM, SPKI) and its key id, which every digest names. Keep this copy
somewhere the Keygate operators cannot write (the auditors' own repository, a ticket, a printout): verify
--public-key <that copy> then proves the digests were signed by this key, even if the server's own key file
was replaced. Reads KEYGATE_AUDIT_KEY_FILE, else the key in KEYGATE_DATA_DIR.
Exit status: 0, 2 when there is no key.
`,
  async run(args) {
    if (args.length) throw new AuditUsageError('public-key takes no arguments');
    const { key, source } = verifyingKey(undefined, () => loadCliConfig({ needsAuth: false }));
    process.stdout.write(`${publicKeyPem(key).trim()}\n`);
    process.stderr.write(`key id ${key.keyId}, from ${source}\n`);
    return 0;
  },
};
