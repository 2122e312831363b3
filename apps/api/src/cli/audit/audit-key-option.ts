import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_KEY_FILE, verifyingKeyFromPem, type AuditVerifyingKey } from '#audit';
import type { KeygateConfig } from '#config';
import { AuditUsageError } from './audit-command.js';

/**
 * The key digests are checked against: the public key file given (the copy an operator or auditor kept
 * elsewhere: the stronger check), else the server's own key (KEYGATE_AUDIT_KEY_FILE or the data directory's).
 * Never created here: a verifier that made up a key would verify nothing.
 */
export const verifyingKey = (file: string | undefined, config: () => KeygateConfig): { key: AuditVerifyingKey; source: string } => {
  if (file !== undefined) {
    if (!existsSync(file)) throw new AuditUsageError(`--public-key ${file}: no such file`);
    return { key: verifyingKeyFromPem(readFileSync(file, 'utf8')), source: file };
  }
  const c = config();
  const local = c.auditKeyFile ?? join(c.dataDir, AUDIT_KEY_FILE);
  if (!existsSync(local)) throw new AuditUsageError(`no audit key at ${local}: pass --public-key <file> (npm run audit -- public-key prints it where the key is)`);
  return { key: verifyingKeyFromPem(readFileSync(local, 'utf8')), source: `${local} (the server's own key)` };
};
