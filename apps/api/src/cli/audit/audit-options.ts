import { INSTANT_FORMAT, parseInstant } from '#audit';
import { AuditUsageError } from './audit-command.js';

// Values from the command line are bounded before anything uses them, as request values are.
const IDENTIFIER = /^[A-Za-z0-9._:@|-]{1,128}$/;
const KEY_ID = /^[0-9A-Za-z_-]{1,64}$/;

export const identifierOption = (value: string | undefined, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (!IDENTIFIER.test(value)) throw new AuditUsageError(`--${name} must be 1 to 128 of A-Z a-z 0-9 . _ : @ | -`);
  return value;
};

export const keyIdOption = (value: string | undefined, name = 'key'): string | undefined => {
  if (value === undefined) return undefined;
  if (!KEY_ID.test(value)) throw new AuditUsageError(`--${name} must be a key id (1 to 64 of A-Z a-z 0-9 _ -)`);
  return value;
};

/** A time as `parseInstant` takes it: ISO 8601 with a zone, a bare date (midnight UTC), or now; nothing guessed. */
export const timeOption = (value: string | undefined, name: string): Date | undefined => {
  if (value === undefined) return undefined;
  const instant = parseInstant(value);
  if (!instant) throw new AuditUsageError(`--${name} must be ${INSTANT_FORMAT} (got ${JSON.stringify(value.slice(0, 40))})`);
  return instant;
};
