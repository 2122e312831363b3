import type { Logger } from 'pino';
import { DigestWriter, loadOrCreateAuditKey } from '#audit';
import type { KeygateRuntime } from './keygate-runtime.js';

/**
 * The writer of audit digests for this process (the embedded server, or the production projector): the key
 * from KEYGATE_AUDIT_KEY_FILE, else generated into the data directory on first start. Each digest is also
 * published as a log line (its sequence, range and hash), one of the places an operator can copy it from.
 */
export const auditDigestWriter = (runtime: Pick<KeygateRuntime, 'config' | 'store' | 'clock'>, logger: Logger): DigestWriter => {
  const { config } = runtime;
  const { key, file, created } = loadOrCreateAuditKey(config.auditKeyFile, config.dataDir);
  if (created) logger.info({ file, keyId: key.keyId }, 'audit signing key generated; keep a copy of its public key elsewhere (npm run audit -- public-key)');
  return new DigestWriter({
    store: runtime.store,
    key,
    everyEvents: config.auditDigestEvents,
    everyMs: config.auditDigestIntervalMs,
    now: () => runtime.clock.now(),
    onDigest: (digest, hash) =>
      logger.info(
        { auditDigest: { sequence: digest.sequence, after: digest.after, through: digest.through, events: digest.events.length, hash, keyId: digest.keyId } },
        'audit digest written',
      ),
    onError: repeatedErrorLog(logger, 'audit digest pass failed; retrying at the next poll', 60_000, () => performance.now()),
  });
};

/**
 * A failure that repeats at every poll (a store down, a malformed last digest the writer cannot extend) is logged
 * the first time, then at most once per `everyMs` with how often it happened meanwhile, so it stays visible without
 * flooding the log once a second. A pass that succeeds is not reported here; the next failure is logged at once.
 */
export const repeatedErrorLog = (logger: Logger, message: string, everyMs: number, now: () => number) => {
  let lastLoggedAt = -Infinity;
  let suppressed = 0;
  return (err: unknown): void => {
    const t = now();
    if (t - lastLoggedAt < everyMs) {
      suppressed += 1;
      return;
    }
    logger.error({ err, ...(suppressed ? { repeatedSinceLastLog: suppressed } : {}) }, message);
    lastLoggedAt = t;
    suppressed = 0;
  };
};
