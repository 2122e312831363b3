import { z } from 'zod';
import { codePointLength, hasControlCharacter, isWellFormed } from './display-text.js';
import type { KeyEvent, KeyEventType } from './key-events.js';

/**
 * The shape of every event Keygate writes, checked where an event is built, again by the store on append (its data
 * walked again only if it was not built through checkedKeyEvent), and by every reader before it applies one: the log
 * must only hold what every reader can read. Every value is bounded; unknown fields are refused (a reader would carry
 * them along unseen).
 *
 * The bounds, for auditors and adopters (also in the README):
 */
export const EVENT_BOUNDS = {
  /** user, company, correlation and request ids, acknowledgement ids, notice versions */
  identifier: { max: 128, pattern: 'A-Z a-z 0-9 . _ : @ | -' },
  /** a person's name from the identity provider (JWT `name`) */
  actorName: 200,
  /** a key's label (code points) */
  label: 100,
  /** each permission: printable ASCII without spaces; at most this many on a key */
  permission: 128,
  permissions: 100,
  /** an MCP tool name (the MCP specification's characters) */
  tool: 128,
  /** an MCP client's name and version, as the client announced them or its User-Agent */
  clientName: 100,
  clientVersion: 50,
  /** an IPv4 or IPv6 address, with an optional zone */
  remoteAddress: 64,
  /** metadata: keys, string values */
  metadataKeys: 16,
  metadataValue: 256,
} as const;

const IDENTIFIER = /^[A-Za-z0-9._:@|-]{1,128}$/;
// Keygate mints 12 base62 characters; the schema allows any short id of safe characters, so the rule stays
// about what a reader can handle, not about how today's ids are generated.
const KEY_ID = /^[0-9A-Za-z_-]{1,64}$/;
const PREFIX = /^kg_[0-9A-Za-z_-]{1,64}$/;
const VERIFIER = /^\$argon2id\$[A-Za-z0-9$=,+/.-]{8,300}$/;
const PERMISSION = /^[\x21-\x7e]{1,128}$/;
const TOOL = /^[A-Za-z0-9_./-]{1,128}$/;
const ADDRESS = /^[0-9A-Za-z:.%_-]{1,64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export const identifier = z.string().regex(IDENTIFIER, 'must be 1 to 128 of A-Z a-z 0-9 . _ : @ | -');
const timestamp = z
  .string()
  .regex(ISO_UTC, 'must be an ISO 8601 UTC time')
  .refine((s) => Number.isFinite(Date.parse(s)), 'must be a real date');

/** Text a person reads: 1..max code points, well-formed, no control characters (display-text.ts). */
export const displayText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max * 2) // cheap bound in code units before counting code points
    .refine(isWellFormed, 'must be well-formed Unicode')
    .refine((s) => !hasControlCharacter(s), 'must not contain control characters')
    .refine((s) => codePointLength(s) <= max, `must be at most ${max} characters`);

const keyId = z.string().regex(KEY_ID, 'must be a key id (1 to 64 of A-Z a-z 0-9 _ -)');
const context = {
  actorUserId: identifier,
  actorName: displayText(EVENT_BOUNDS.actorName),
  companyId: identifier,
  keyId,
  correlationId: identifier,
  at: timestamp,
};

const SCHEMAS = {
  KeyAcknowledged: z.strictObject({
    ...context,
    acknowledgementId: identifier,
    noticeVersion: identifier,
    expiresAt: timestamp.optional(),
  }),
  KeyMinted: z.strictObject({
    ...context,
    acknowledgementId: identifier,
    label: displayText(EVENT_BOUNDS.label),
    prefix: z.string().regex(PREFIX),
    verifier: z.string().regex(VERIFIER, 'must be an argon2id PHC string'),
    permissions: z.array(z.string().regex(PERMISSION, 'must be 1 to 128 printable ASCII characters')).max(EVENT_BOUNDS.permissions),
    creatorRole: z.enum(['root', 'user']),
    expiresAt: timestamp,
    rotatedFrom: keyId.optional(),
    owner: z.strictObject({ userId: identifier, name: displayText(EVENT_BOUNDS.actorName) }).optional(),
  }),
  KeyRotated: z.strictObject({ ...context, rotatedTo: keyId, overlapEndsAt: timestamp }),
  KeyRevoked: z.strictObject({ ...context, reason: z.enum(['rotated', 'offboarded']).optional() }),
  KeySuspended: z.strictObject(context),
  KeyResumed: z.strictObject(context),
  KeyExpiring: z.strictObject({ ...context, expiresAt: timestamp, daysBefore: z.number().int().min(1).max(365) }),
  KeyExpired: z.strictObject({ ...context, expiresAt: timestamp }),
  KeyDeleted: z.strictObject(context),
  KeyUsed: z.strictObject({
    ...context,
    tool: z.string().regex(TOOL, 'must be an MCP tool name').nullable(),
    outcome: z.enum(['ok', 'error', 'denied']),
    client: z.strictObject({
      name: displayText(EVENT_BOUNDS.clientName).nullable(),
      version: displayText(EVENT_BOUNDS.clientVersion).nullable(),
    }),
    remoteAddress: z.string().regex(ADDRESS, 'must be an IP address').nullable(),
    requestId: identifier,
  }),
} satisfies Record<KeyEventType, z.ZodType>;

const metadataValue = z.union([
  z
    .string()
    .max(EVENT_BOUNDS.metadataValue)
    .refine(isWellFormed, 'must be well-formed Unicode')
    .refine((s) => !hasControlCharacter(s), 'must not contain control characters'),
  z.number(),
  z.boolean(),
  z.null(),
]);
const METADATA = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/), metadataValue)
  .refine((m) => Object.keys(m).length <= EVENT_BOUNDS.metadataKeys, `at most ${EVENT_BOUNDS.metadataKeys} metadata fields`);

/**
 * What a reader needs of an event to apply it: the fields it reads, of the types it reads them as. Looser than
 * SCHEMAS on purpose: events written before a bound existed (a name with a tab, a long User-Agent) must still
 * be applied, above all a revocation; only an event a reader would trip on is parked.
 */
const text = z.string();
const readableContext = { actorUserId: text, actorName: text, companyId: text, keyId: text, correlationId: text, at: text };
const READABLE = {
  KeyAcknowledged: z.looseObject({ ...readableContext, acknowledgementId: text, expiresAt: text.optional() }),
  KeyMinted: z.looseObject({
    ...readableContext,
    acknowledgementId: text,
    label: text,
    prefix: text,
    verifier: text,
    permissions: z.array(text),
    creatorRole: z.enum(['root', 'user']),
    expiresAt: text,
    rotatedFrom: text.optional(),
    owner: z.looseObject({ userId: text, name: text }).optional(),
  }),
  KeyRotated: z.looseObject({ ...readableContext, rotatedTo: text, overlapEndsAt: text }),
  KeyRevoked: z.looseObject({ ...readableContext, reason: text.optional() }),
  KeySuspended: z.looseObject(readableContext),
  KeyResumed: z.looseObject(readableContext),
  KeyExpiring: z.looseObject({ ...readableContext, expiresAt: text, daysBefore: z.number() }),
  KeyExpired: z.looseObject({ ...readableContext, expiresAt: text }),
  KeyDeleted: z.looseObject(readableContext),
  KeyUsed: z.looseObject({
    ...readableContext,
    tool: text.nullable(),
    outcome: text,
    client: z.looseObject({ name: text.nullable(), version: text.nullable() }),
    remoteAddress: text.nullable(),
  }),
} satisfies Record<KeyEventType, z.ZodType>;

/** Why a reader cannot apply an event (a field it reads is missing or of another type), or null. */
export const keyEventReadProblem = (type: string, data: unknown): string | null => {
  if (!Object.hasOwn(READABLE, type)) return `unknown event type ${JSON.stringify(String(type).slice(0, 64))}`;
  const parsed = (READABLE as Record<string, z.ZodType>)[type].safeParse(data);
  return parsed.success ? null : `${type}: ${describe(parsed.error)}`;
};

const describe = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(value)'}: ${i.message}`)
    .join('; ');

/** Why an event does not fit its schema, or null when it fits. Unknown types do not fit. */
export const keyEventProblem = (type: string, data: unknown, metadata?: unknown): string | null => {
  const parsed = parseKeyEventData(type, data);
  if ('problem' in parsed) return parsed.problem;
  return metadata === undefined ? null : metadataProblem(type, metadata);
};

/**
 * The data as its type's schema reads it: a new tree of plain objects (zod builds its output; no getter, nothing
 * shared with the caller, the schema's key order), or why it does not fit.
 */
const parseKeyEventData = (type: string, data: unknown): { data: object } | { problem: string } => {
  const schema = (SCHEMAS as Record<string, z.ZodType>)[type];
  if (!Object.hasOwn(SCHEMAS, type) || !schema) return { problem: `unknown event type ${JSON.stringify(type.slice(0, 64))}` };
  const parsed = schema.safeParse(data);
  return parsed.success ? { data: parsed.data as object } : { problem: `${type}: ${describe(parsed.error)}` };
};

const metadataProblem = (type: string, metadata: unknown): string | null => {
  const meta = METADATA.safeParse(metadata);
  return meta.success ? null : `${type} metadata: ${describe(meta.error)}`;
};

export class MalformedEventError extends Error {
  constructor(readonly problem: string) {
    super(`Refused to record a malformed event: ${problem}`);
    this.name = 'MalformedEventError';
  }
}

/**
 * Event data checked where it was built (the schema's own output, then frozen deeply), with the type it was checked
 * as: the store's check on append need not walk it again, since it cannot have changed. Measured under load (issue
 * 11): the schema walk of a KeyUsed is ~2.5% of the server thread, and every use was walked twice on its way to the log.
 */
const CHECKED = new WeakMap<object, string>();

/** Freezes a tree zod just built (fresh plain objects and arrays, no cycle). */
const deepFreeze = (value: unknown): void => {
  if (typeof value !== 'object' || value === null) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
};

/**
 * Checks an event where it is built; throws MalformedEventError naming the field. Returns the event with the data the
 * schema read, frozen: a copy, so neither a getter nor an object the caller keeps can change what reaches the log.
 */
export const checkedKeyEvent = <E extends KeyEvent>(event: E): E => {
  const parsed = parseKeyEventData(event.type, event.data);
  if ('problem' in parsed) throw new MalformedEventError(parsed.problem);
  deepFreeze(parsed.data);
  CHECKED.set(parsed.data, event.type);
  return { ...event, data: parsed.data };
};

/** The check the store port runs on append (see schemaCheckedStore): data (unless checked as built) and metadata. */
export const checkEventForLog = (event: { type: string; data: unknown; metadata?: unknown }): void => {
  const checkedAs = typeof event.data === 'object' && event.data !== null ? CHECKED.get(event.data) : undefined;
  const problem = checkedAs === event.type ? metadataProblem(event.type, event.metadata ?? {}) : keyEventProblem(event.type, event.data, event.metadata ?? {});
  if (problem) throw new MalformedEventError(problem);
};
