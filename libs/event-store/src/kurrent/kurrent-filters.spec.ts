import { EVENT_TYPE, STREAM_NAME } from '@kurrent/kurrentdb-client';
import { exactEventTypes, isSystemEvent, serverFilter } from './kurrent-filters.js';

// The server evaluates the regex with .NET; for this subset (anchors, a non-capturing group, escaped literals)
// JavaScript's RegExp matches the same strings, which is what is checked here.
const matches = (types: readonly string[], candidate: string) => new RegExp(exactEventTypes(types)).test(candidate);

describe('server-side filters', () => {
  it('matches exactly the given event types: no prefix, suffix or substring', () => {
    const types = ['KeyMinted', 'KeyUsed'];
    expect(matches(types, 'KeyMinted')).toBe(true);
    expect(matches(types, 'KeyUsed')).toBe(true);
    for (const other of ['KeyMintedV2', 'OldKeyUsed', 'Key', 'KeyMinted|KeyUsed', '']) expect(matches(types, other)).toBe(false);
  });

  it('escapes regex metacharacters in type names', () => {
    const types = ['Minted.0f9c', 'a+b', 'x|y', '(z)', '$metadata', 'c:\\d'];
    for (const t of types) expect(matches(types, t)).toBe(true);
    for (const other of ['MintedX0f9c', 'aab', 'x', 'y', 'z', 'metadata', 'c:1']) expect(matches(types, other)).toBe(false);
  });

  it('filters on the event type when types are given, else drops the $-streams', () => {
    expect(serverFilter(['KeyMinted'])).toMatchObject({ filterOn: EVENT_TYPE, regex: '^(?:KeyMinted)$' });
    expect(serverFilter(undefined)).toMatchObject({ filterOn: STREAM_NAME, regex: '^[^$]' });
    expect(serverFilter([])).toMatchObject({ filterOn: STREAM_NAME });
  });

  it('tells system events by a $-prefixed type or stream', () => {
    expect(isSystemEvent({ streamId: '$settings', type: '$settings' })).toBe(true);
    expect(isSystemEvent({ streamId: '$system-stream', type: 'Unprefixed' })).toBe(true);
    expect(isSystemEvent({ streamId: 'key-1', type: '$>' })).toBe(true);
    expect(isSystemEvent({ streamId: 'key-1', type: 'KeyMinted' })).toBe(false);
  });
});
