import type { RecordedEvent } from '#event-store';
import { KEY_LIFECYCLE_EVENT_TYPES } from '#keys';
import { webhookEventType, webhookPayload } from './webhook-payload.js';

const event = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  eventId: 'e-1',
  streamId: 'keyring-acme',
  streamPosition: 3,
  globalPosition: 42,
  type,
  data,
  metadata: {},
  recordedAt: '2026-05-10T12:00:01.000Z',
});

describe('webhook payload', () => {
  it('names each lifecycle type key.<snake_case> by rule, so types added later are named too', () => {
    expect(webhookEventType('KeyMinted')).toBe('key.minted');
    expect(webhookEventType('KeyRevoked')).toBe('key.revoked');
    expect(webhookEventType('KeyExpiring')).toBe('key.expiring');
    expect(webhookEventType('KeyPermissionsNarrowed')).toBe('key.permissions_narrowed');
    expect(webhookEventType('AuditDigest')).toBe('audit_digest');
    for (const type of KEY_LIFECYCLE_EVENT_TYPES) expect(webhookEventType(type)).toMatch(/^key\.[a-z_]+$/);
  });

  it("is {type, timestamp, data}: the event's data with its place in the log, and never the verifier", () => {
    const verifier = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';
    const payload = webhookPayload(
      event('KeyMinted', { keyId: 'AbCdEf123456', companyId: 'acme', at: '2026-05-10T12:00:00.000Z', label: 'laptop', verifier, permissions: ['a'] }),
    );
    expect(payload).toEqual({
      type: 'key.minted',
      timestamp: '2026-05-10T12:00:00.000Z',
      data: { keyId: 'AbCdEf123456', companyId: 'acme', at: '2026-05-10T12:00:00.000Z', label: 'laptop', permissions: ['a'], eventType: 'KeyMinted', position: 42, stream: 'keyring-acme' },
    });
    expect(JSON.stringify(payload)).not.toContain('argon2');
  });

  it('withholds anything named like a secret at any depth, and falls back to recordedAt without `at`', () => {
    const payload = webhookPayload(event('KeyRotated', { next: { newVerifier: 'x', token: 'y', clientSecret: 'z', keyId: 'k' }, list: [{ password: 'p', ok: 1 }] }));
    expect(payload.data).toMatchObject({ next: { keyId: 'k' }, list: [{ ok: 1 }] });
    expect(JSON.stringify(payload)).not.toMatch(/"(newVerifier|token|clientSecret|password)"/);
    expect(payload.timestamp).toBe('2026-05-10T12:00:01.000Z');
  });
});
