import type { KeyListRow } from '#projections';
import { toKeyView } from './key-view.js';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2026-12-01T12:00:00.000Z');
const iso = (ms: number) => new Date(now.getTime() + ms).toISOString();

/** A key of Alice's, active, expiring in 5 days (within the first warning, 14 days). */
const row = (over: Partial<KeyListRow> = {}): KeyListRow => ({
  keyId: 'Ab3dE5gH7jK9', companyId: 'acme', userId: 'alice', userName: 'Alice', label: 'laptop', prefix: 'kg_Ab3dE5gH7jK9',
  createdAt: iso(-85 * DAY), expiresAt: iso(5 * DAY), lastUsedAt: null, status: 'active', permissions: ['clients:read'],
  rotatedFrom: null, rotatedTo: null, overlapEndsAt: null, revocationReason: null, expiryWarnedDaysBefore: null,
  ...over,
});

describe('toKeyView: a rotated key, whether its replacement still works or not', () => {
  it('given a plain key within the warning, then it expires soon and its owner may rotate it', () => {
    expect(toKeyView(row(), now, { viewerId: 'alice' })).toMatchObject({ expiresSoon: true, canRotate: true, replacedBy: null, overlapEndsAt: null });
  });

  it('given a key being replaced, then it names its replacement, is not flagged to expire, and cannot be rotated again', () => {
    const view = toKeyView(row({ rotatedTo: 'Zz9yX8wV7uT6', overlapEndsAt: iso(DAY) }), now, { viewerId: 'alice' });
    expect(view).toMatchObject({ status: 'active', replacedBy: 'Zz9yX8wV7uT6', overlapEndsAt: iso(DAY), expiresSoon: false, canRotate: false });
  });

  it('given a key whose replacement died during the overlap, then it names none, still stops at the overlap end, is not flagged, cannot be rotated', () => {
    const view = toKeyView(row({ rotatedTo: null, overlapEndsAt: iso(DAY) }), now, { viewerId: 'alice' });
    expect(view).toMatchObject({ status: 'active', replacedBy: null, overlapEndsAt: iso(DAY), expiresSoon: false, canRotate: false });
    expect(toKeyView(row({ rotatedTo: null, overlapEndsAt: iso(DAY) }), new Date(now.getTime() + DAY))).toMatchObject({ status: 'revoked', revocationReason: 'rotated' });
  });
});
