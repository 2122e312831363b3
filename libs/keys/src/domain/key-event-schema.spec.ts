import { checkedKeyEvent, checkEventForLog, keyEventProblem, MalformedEventError } from './key-event-schema.js';

const context = {
  actorUserId: 'alice',
  actorName: 'Alice',
  companyId: 'acme',
  keyId: 'AbCdEf123456',
  correlationId: 'req-1',
  at: '2026-12-01T12:00:00.000Z',
};
const used = {
  ...context,
  tool: 'whoami',
  outcome: 'ok',
  client: { name: 'claude-code', version: '2.1.0' },
  remoteAddress: '127.0.0.1',
  requestId: 'req-1',
};
const minted = {
  ...context,
  acknowledgementId: 'ack_abc',
  label: 'Cursor',
  prefix: 'kg_AbCdEf123456',
  verifier: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
  permissions: ['settings:view'],
  creatorRole: 'root',
  expiresAt: '2027-03-01T12:00:00.000Z',
};

describe('key event schema', () => {
  it("accepts issue 15's events, and refuses them out of bounds", () => {
    const rotatedMint = { ...minted, rotatedFrom: 'OlDkEy123456', owner: { userId: 'bob', name: 'Bob' } };
    expect(keyEventProblem('KeyMinted', rotatedMint)).toBeNull();
    expect(keyEventProblem('KeyMinted', { ...rotatedMint, owner: { userId: 'bob' } })).toMatch(/owner\.name/);
    expect(keyEventProblem('KeyMinted', { ...minted, rotatedFrom: 'no spaces allowed' })).toMatch(/rotatedFrom/);
    expect(keyEventProblem('KeyRotated', { ...context, rotatedTo: 'NeWkEy123456', overlapEndsAt: context.at })).toBeNull();
    expect(keyEventProblem('KeyRotated', { ...context, rotatedTo: 'NeWkEy123456' })).toMatch(/overlapEndsAt/);
    expect(keyEventProblem('KeyRevoked', { ...context, reason: 'offboarded' })).toBeNull();
    expect(keyEventProblem('KeyRevoked', { ...context, reason: 'bored' })).toMatch(/reason/);
    expect(keyEventProblem('KeySuspended', context)).toBeNull();
    expect(keyEventProblem('KeyResumed', { ...context, extra: 1 })).toMatch(/KeyResumed: /);
    expect(keyEventProblem('KeyExpiring', { ...context, expiresAt: context.at, daysBefore: 7 })).toBeNull();
    expect(keyEventProblem('KeyExpiring', { ...context, expiresAt: context.at, daysBefore: 0.5 })).toMatch(/daysBefore/);
  });

  it('accepts well-formed events of every type', () => {
    expect(keyEventProblem('KeyAcknowledged', { ...context, acknowledgementId: 'ack_1', noticeVersion: 'v1' })).toBeNull();
    expect(keyEventProblem('KeyAcknowledged', { ...context, acknowledgementId: 'ack_1', noticeVersion: 'v1', expiresAt: context.at })).toBeNull();
    expect(keyEventProblem('KeyMinted', minted)).toBeNull();
    expect(keyEventProblem('KeyRevoked', context)).toBeNull();
    expect(keyEventProblem('KeyExpired', { ...context, expiresAt: context.at })).toBeNull();
    expect(keyEventProblem('KeyDeleted', context)).toBeNull();
    expect(keyEventProblem('KeyUsed', used)).toBeNull();
    expect(keyEventProblem('KeyUsed', { ...used, tool: null, client: { name: null, version: null }, remoteAddress: null })).toBeNull();
  });

  // The request of issue 8, and values of every JSON type in each client-info field.
  const hostile: unknown[] = [{ toString: 1 }, { toString: 'x' }, [], ['a'], 1, 0, true, false, 'x'.repeat(200_000), 'a\nb', 'a\u202Eb', 'a\uD800'];
  it.each(hostile.map((v) => [JSON.stringify(v).slice(0, 30), v]))('refuses client.name %s', (_, value) => {
    expect(keyEventProblem('KeyUsed', { ...used, client: { name: value, version: null } })).toMatch(/client\.name/);
    expect(keyEventProblem('KeyUsed', { ...used, client: { name: 'x', version: value } })).toMatch(/client\.version/);
  });

  it.each([
    ['an unknown field', { ...context, extra: 1 }, /Unrecognized key/i],
    ['a missing field', { ...context, keyId: undefined }, /keyId/],
    ['a key id of another shape', { ...context, keyId: 'a/b' }, /keyId/],
    ['a time that is not ISO UTC', { ...context, at: 'yesterday' }, /at/],
    ['an impossible date', { ...context, at: '2026-13-45T99:00:00Z' }, /at/],
    ['a company id with a newline', { ...context, companyId: 'acme\nx' }, /companyId/],
    ['an actor name of 201 characters', { ...context, actorName: 'x'.repeat(201) }, /actorName/],
  ])('refuses %s', (_, data, problem) => {
    expect(keyEventProblem('KeyRevoked', data)).toMatch(problem);
  });

  it('refuses a mint with too many or odd permissions, a verifier of another kind, a label with a control character', () => {
    expect(keyEventProblem('KeyMinted', { ...minted, permissions: Array.from({ length: 101 }, (_, i) => `p${i}`) })).toMatch(/permissions/);
    expect(keyEventProblem('KeyMinted', { ...minted, permissions: ['has space'] })).toMatch(/permissions/);
    expect(keyEventProblem('KeyMinted', { ...minted, verifier: 'plain' })).toMatch(/verifier/);
    expect(keyEventProblem('KeyMinted', { ...minted, label: 'a\tb' })).toMatch(/label/);
  });

  it('refuses unknown types, even one named like a property of Object', () => {
    expect(keyEventProblem('KeyStolen', context)).toMatch(/unknown event type/);
    expect(keyEventProblem('toString', context)).toMatch(/unknown event type/);
    expect(keyEventProblem('__proto__', context)).toMatch(/unknown event type/);
  });

  it('checks metadata on append: bounded, printable scalars', () => {
    expect(() => checkEventForLog({ type: 'KeyRevoked', data: context, metadata: { correlationId: 'c', commandId: 'x' } })).not.toThrow();
    expect(() => checkEventForLog({ type: 'KeyRevoked', data: context, metadata: { correlationId: { a: 1 } } })).toThrow(MalformedEventError);
    expect(() => checkEventForLog({ type: 'KeyRevoked', data: context, metadata: { note: 'x'.repeat(257) } })).toThrow(/metadata/);
  });

  it('names the field when an event is built malformed', () => {
    expect(() => checkedKeyEvent({ type: 'KeyUsed', data: { ...used, tool: 'a b' } } as never)).toThrow(/KeyUsed: tool/);
  });

  it('an event checked as built is frozen, and the append check then reads only its metadata', () => {
    const event = checkedKeyEvent({ type: 'KeyUsed', data: { ...used, client: { ...used.client } } } as never) as { type: string; data: typeof used };
    // Frozen to the last nested object: what was checked is what reaches the log.
    expect(() => ((event.data as { tool: string }).tool = 'a b')).toThrow(TypeError);
    expect(() => ((event.data.client as { name: string }).name = '\u0000')).toThrow(TypeError);
    expect(() => checkEventForLog({ ...event, metadata: { correlationId: 'req-1' } })).not.toThrow();
    expect(() => checkEventForLog({ ...event, metadata: { correlationId: { a: 1 } } })).toThrow(/KeyUsed metadata/);
    // The same data under another type is walked again, against that type's schema.
    expect(() => checkEventForLog({ type: 'KeyRevoked', data: event.data, metadata: {} })).toThrow(/KeyRevoked/);
    // Data not built through checkedKeyEvent is walked as before.
    expect(() => checkEventForLog({ type: 'KeyUsed', data: { ...used, tool: 'a b' }, metadata: {} })).toThrow(/KeyUsed: tool/);
  });

  it('the data checked is a copy: what the caller keeps, frozen or behind a getter, cannot change it afterwards', () => {
    // Frozen by the caller at the top only: its nested client stays the caller's to change.
    const client = { ...used.client };
    const frozenTop = Object.freeze({ ...used, client });
    const first = checkedKeyEvent({ type: 'KeyUsed', data: frozenTop } as never) as { data: typeof used };
    client.name = 'a\u0000b';
    expect(first.data.client.name).toBe('claude-code');
    // A getter answers the check, then something else.
    let tool = 'whoami';
    const withGetter = Object.defineProperty({ ...used }, 'tool', { get: () => tool, enumerable: true });
    const second = checkedKeyEvent({ type: 'KeyUsed', data: withGetter } as never) as { type: string; data: typeof used };
    tool = 'a b\n';
    expect(second.data.tool).toBe('whoami');
    expect(JSON.parse(JSON.stringify(second.data)).tool).toBe('whoami');
    expect(() => checkEventForLog({ ...second, metadata: {} })).not.toThrow();
    // The caller's own object is never what is remembered as checked.
    expect(() => checkEventForLog({ type: 'KeyUsed', data: withGetter, metadata: {} })).toThrow(/KeyUsed: tool/);
  });
});
