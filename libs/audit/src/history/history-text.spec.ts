import { keysAtTable, timelineLines } from './history-text.js';
import type { KeyAtInstant } from './keys-at.js';
import { printable } from './printable.js';

const KEY: KeyAtInstant = {
  keyId: 'AAAAAAAAAAAA',
  label: 'Cursor on my laptop',
  prefix: 'kg_AAAAAAAAAAAA',
  status: 'revoked',
  permissions: ['settings:view', 'clients:read'],
  creatorRole: 'user',
  createdAt: '2026-05-10T12:01:00.000Z',
  expiresAt: '2026-08-08T12:01:00.000Z',
  mintedBy: { userId: 'alice', name: 'Alice' },
  owner: { userId: 'alice', name: 'Alice' },
  rotatedFrom: null,
  rotatedTo: null,
  overlapEndsAt: null,
  revokedBy: { userId: 'root-1', name: 'Root', at: '2026-05-12T12:00:00.000Z' },
  revocationReason: null,
  deletedBy: null,
  lastUsedAt: null,
  useCount: 0,
};

describe('the human form', () => {
  it('aligns the keys table: every column starts at the same place on every line', () => {
    const lines = keysAtTable([KEY, { ...KEY, keyId: 'B', label: 'ci', status: 'active', revokedBy: null, lastUsedAt: '2026-05-11T00:00:00.000Z', useCount: 12 }]);

    expect(lines).toHaveLength(3);
    const statusColumn = lines[0].indexOf('STATUS');
    expect(lines.map((l) => l.slice(statusColumn).split(' ')[0])).toEqual(['STATUS', 'revoked', 'active']);
    const permissionsColumn = lines[0].indexOf('PERMISSIONS');
    expect(lines.slice(1).map((l) => l.slice(permissionsColumn))).toEqual(['settings:view,clients:read', 'settings:view,clients:read']);
    expect(lines[1]).toContain('"Cursor on my laptop"');
    expect(lines[1]).toContain('Root (root-1) 2026-05-12T12:00:00.000Z');
  });

  it('never lets text from the log write control characters to the terminal', () => {
    const hostile = '\u001b]0;pwned\u0007 \u001b[2J\u009b';
    const lines = [
      ...keysAtTable([{ ...KEY, label: hostile, mintedBy: { userId: 'alice', name: hostile } }]),
      ...timelineLines([{ kind: 'used', at: KEY.createdAt, client: { name: hostile, version: null }, tool: null, count: 1, firstAt: KEY.createdAt, lastAt: KEY.createdAt, outcomes: { ok: 1, error: 0, denied: 0 } }]),
    ];

    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(printable('a\u001bb\ud800c')).toBe('a\\u001bb\\ud800c');
    expect(printable('emoji 🔑 stays')).toBe('emoji 🔑 stays');
  });

  it('lists a timeline one entry a line, in order', () => {
    const lines = timelineLines([
      { kind: 'revoked', at: '2026-05-12T12:00:00.000Z', by: { userId: 'root-1', name: 'Root' }, reason: null, recorded: true },
      { kind: 'expired', at: '2026-08-08T12:01:00.000Z', by: null, expiresAt: '2026-08-08T12:01:00.000Z', recorded: false },
    ]);

    expect(lines.map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['TIME', 'EVENT', 'BY / CLIENT'],
      ['2026-05-12T12:00:00.000Z', 'revoked', 'Root (root-1)'],
      ['2026-08-08T12:01:00.000Z', 'expired', '-'],
    ]);
  });

  it('tells rotation, suspension, warnings and reasons in words, and the rotation of a key in its own column', () => {
    const root = { userId: 'root-1', name: 'Root' };
    const system = { userId: 'system', name: 'Keygate' };
    const lines = timelineLines([
      {
        kind: 'minted', at: '2026-05-10T12:00:00.000Z', by: root, label: 'ci', prefix: 'kg_BBBB', permissions: ['clients:read'], creatorRole: 'user',
        expiresAt: '2026-08-08T12:00:00.000Z', owner: { userId: 'alice', name: 'Alice' }, rotatedFrom: 'AAAA',
      },
      { kind: 'suspended', at: '2026-05-11T12:00:00.000Z', by: root },
      { kind: 'resumed', at: '2026-05-11T13:00:00.000Z', by: root },
      { kind: 'expiring', at: '2026-07-25T12:00:00.000Z', by: system, expiresAt: '2026-08-08T12:00:00.000Z', daysBefore: 14 },
      { kind: 'rotated', at: '2026-07-26T12:00:00.000Z', by: root, rotatedTo: 'CCCC', overlapEndsAt: '2026-07-27T12:00:00.000Z' },
      { kind: 'revoked', at: '2026-07-27T12:00:00.000Z', by: null, reason: 'rotated', recorded: false },
      { kind: 'revoked', at: '2026-07-27T12:00:05.000Z', by: system, reason: 'rotated', recorded: true },
    ]);

    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1))).toEqual([
      ['minted', 'Root (root-1)', '"ci" kg_BBBB, role user, permissions clients:read, expires 2026-08-08T12:00:00.000Z, for Alice (alice), replaces AAAA'],
      ['suspended', 'Root (root-1)'],
      ['resumed', 'Root (root-1)'],
      ['expiring', 'Keygate (system)', 'warned 14 days before expiresAt 2026-08-08T12:00:00.000Z'],
      ['rotated', 'Root (root-1)', 'replaced by CCCC, works until 2026-07-27T12:00:00.000Z'],
      ['revoked', '-', 'its rotation overlap ended; no KeyRevoked recorded yet (the guard refuses it all the same)'],
      ['revoked', 'Keygate (system)', 'replaced by its rotation'],
    ]);
    const table = keysAtTable([{ ...KEY, rotatedFrom: 'AAAA', rotatedTo: 'CCCC', overlapEndsAt: '2026-07-27T12:00:00.000Z', revokedBy: null, revocationReason: 'rotated' }]);
    const rotationColumn = table[0].indexOf('ROTATION');
    expect(table[1].slice(rotationColumn)).toMatch(/^from AAAA, to CCCC until 2026-07-27T12:00:00\.000Z\s+\(rotated, not recorded yet\)/);
  });
});
