import { hash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../audit-record.js';

/**
 * A digest covers a range of the log's global order, as CloudTrail's digest files cover its log files: it lists
 * the hash of every event in the range, names the previous digest by its hash (a chain: removing, inserting or
 * editing a digest breaks the next link), and is signed with the audit key (Ed25519). Digests are events
 * themselves, in a stream of their own appended with the expected revision, so two writers cannot both extend
 * the chain, and a digest is as durable as the events it covers.
 *
 * Digest events are not covered by digests: the chain and the signatures cover them.
 */
export const AUDIT_DIGEST_TYPE = 'AuditDigest';
export const AUDIT_DIGEST_STREAM = 'audit-digests';
/** Most events one digest lists: bounds a digest (about 55 KB) and the writer's and verifier's memory. */
export const MAX_EVENTS_PER_DIGEST = 1000;

/**
 * A digest of the chain: the type AND the stream. An event typed AuditDigest anywhere else is not part of the
 * chain and is covered like any other event (verify reports it), so it cannot hide an event from the digests.
 */
export const isDigestEvent = (event: { type: string; streamId: string }): boolean =>
  event.type === AUDIT_DIGEST_TYPE && event.streamId === AUDIT_DIGEST_STREAM;

export interface AuditDigest {
  version: 1;
  /** 0, 1, 2…: also the digest's revision in its stream. */
  sequence: number;
  /** Exclusive: the range starts after this global position (the previous digest's `through`, 0 for the first). */
  after: number;
  /** Inclusive: the last global position the range covers. */
  through: number;
  /** Recorded time of the first and last event listed, so `verify --from` can skip whole digests. */
  firstRecordedAt: string;
  lastRecordedAt: string;
  /** Every event in (after, through], digests excepted, in order: [global position, eventHash]. */
  events: [number, string][];
  /** digestHash of the previous digest, null for the first. */
  previousDigestHash: string | null;
  createdAt: string;
  /** Which audit key signed it (auditKeyId), so a verifier can tell a forged digest from a rotated key. */
  keyId: string;
  /** Ed25519 over the canonical JSON of every other field, base64url. */
  signature: string;
}

const HASH = /^[A-Za-z0-9_-]{43}$/;
const position = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const time = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/);

const SCHEMA = z.strictObject({
  version: z.literal(1),
  sequence: position,
  after: position,
  through: position,
  firstRecordedAt: time,
  lastRecordedAt: time,
  events: z
    .array(z.tuple([position, z.string().regex(HASH)]))
    .min(1)
    .max(MAX_EVENTS_PER_DIGEST),
  previousDigestHash: z.string().regex(HASH).nullable(),
  createdAt: time,
  keyId: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});

/** Why a digest is not well-formed (the store's append check and every reader), or null. */
export const auditDigestProblem = (data: unknown): string | null => {
  const parsed = SCHEMA.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${AUDIT_DIGEST_TYPE}: ${issue.path.join('.') || '(value)'}: ${issue.message}`;
  }
  const d = parsed.data;
  if (!(d.after < d.through)) return `${AUDIT_DIGEST_TYPE}: after must be below through`;
  let last = d.after;
  for (const [p] of d.events) {
    if (p <= last || p > d.through) return `${AUDIT_DIGEST_TYPE}: events must be in increasing order inside (after, through]`;
    last = p;
  }
  return null;
};

/** What the signature covers: the digest without its signature, canonical JSON. */
export const signedBytes = (digest: Omit<AuditDigest, 'signature'> & { signature?: string }): Buffer => {
  const { signature: _signature, ...unsigned } = digest;
  return Buffer.from(canonicalJson(unsigned));
};

/** The hash the next digest names: SHA-256 of the whole digest, signature included, canonical JSON. */
export const digestHash = (digest: AuditDigest): string => hash('sha256', canonicalJson(digest), 'base64url');
