import { given } from './decider-spec.js';
import { acknowledged, alice, KEY, mint, minted, user } from './decider-fixtures.js';
import { isReadPermission, permissionPresets } from './permission-presets.js';

const dana = user('dana', 'user', ['orders:read', 'orders:write', 'reports.view', 'settings:edit']);

describe('MintKey with permissions (a narrower key)', () => {
  it("takes all of the creator's permissions when none are named", () => {
    given([acknowledged(dana)]).when(mint(dana)).then([minted(dana)]);
  });

  it("keeps a subset of the creator's permissions, in the creator's order, without repeats", () => {
    const [event] = given([acknowledged(dana)])
      .when(mint(dana, KEY, { permissions: ['reports.view', 'orders:read', 'orders:read'] }))
      .events();
    expect(event).toMatchObject({ type: 'KeyMinted', data: { permissions: ['orders:read', 'reports.view'] } });
  });

  it('allows a key with no permissions at all', () => {
    const [event] = given([acknowledged(dana)]).when(mint(dana, KEY, { permissions: [] })).events();
    expect(event).toMatchObject({ type: 'KeyMinted', data: { permissions: [] } });
  });

  it("makes a root user's narrowed key act as a plain user (root's reach is not a permission it could leave out)", () => {
    const boss = user('boss', 'root', ['orders:read', 'orders:write']);
    const [narrowed] = given([acknowledged(boss)]).when(mint(boss, KEY, { permissions: ['orders:read'] })).events();
    expect(narrowed).toMatchObject({ type: 'KeyMinted', data: { creatorRole: 'user', permissions: ['orders:read'] } });
    const [full] = given([acknowledged(boss)]).when(mint(boss)).events();
    expect(full).toMatchObject({ type: 'KeyMinted', data: { creatorRole: 'root' } });
  });

  it("refuses a permission the creator does not have, naming it", () => {
    given([acknowledged(alice)])
      .when(mint(alice, KEY, { permissions: ['keys:use', 'orders:write'] }))
      .thenThrows('invalid', /you do not have: orders:write\.$/);
  });
});

describe('permission presets', () => {
  it('offers everything and read only, by the action after the last ":" or "."', () => {
    const presets = permissionPresets(dana.permissions);
    expect(presets.map((p) => [p.id, p.permissions])).toEqual([
      ['full', ['orders:read', 'orders:write', 'reports.view', 'settings:edit']],
      ['read-only', ['orders:read', 'reports.view']],
    ]);
  });

  it.each([
    ['orders:read', true],
    ['ORDERS:READ', true],
    ['a:b:list', true],
    ['orders:cancel', false],
    ['keys:use', false],
    ['read', true],
    ['reader', false],
  ])('%s is a read permission: %s', (permission, expected) => {
    expect(isReadPermission(permission)).toBe(expected);
  });
});
