import type { RecordedEvent } from '#event-store';

/**
 * `KeyMinted` → `key.minted`, `KeyExpiring` → `key.expiring`, `KeyPermissionsNarrowed` → `key.permissions_narrowed`:
 * the Standard Webhooks convention (dotted, lower case), derived by rule so a lifecycle event type added later gets
 * its name without a table to update. A type that does not start with Key is snake_cased whole.
 */
export const webhookEventType = (eventType: string): string => {
  const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
  const match = /^Key([A-Z].*)$/.exec(eventType);
  return match ? `key.${snake(match[1])}` : snake(eventType);
};

/**
 * Fields never sent, at any depth: the argon2id verifier of KeyMinted, and anything named like a secret or a token a
 * future event might carry. A receiver gets what the activity feed shows, not what authenticates a key.
 */
const WITHHELD = /(?:verifier|secret|token|password)$/i;

const withoutSecrets = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([name]) => !WITHHELD.test(name))
      .map(([name, v]) => [name, withoutSecrets(v)]),
  );
};

export interface WebhookPayload {
  type: string;
  /** When the event happened (its `at`, else when the log recorded it). */
  timestamp: string;
  data: Record<string, unknown> & { eventType: string; position: number; stream: string };
}

/**
 * The body of a delivery: `{type, timestamp, data}` (Standard Webhooks), data being the event's own data without its
 * secrets, plus where it sits in the log (`position`, `stream`) and its Keygate type, so a receiver can order what
 * it got and ask the audit export for more.
 */
export const webhookPayload = (event: RecordedEvent): WebhookPayload => {
  const data = withoutSecrets(event.data ?? {}) as Record<string, unknown>;
  const at = typeof data.at === 'string' ? data.at : event.recordedAt;
  return {
    type: webhookEventType(event.type),
    timestamp: at,
    data: { ...data, eventType: event.type, position: event.globalPosition, stream: event.streamId },
  };
};
