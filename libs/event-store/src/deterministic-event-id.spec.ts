import { eventIdFor } from './deterministic-event-id.js';

const UUID_V5_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('eventIdFor', () => {
  it('derives the same UUID-shaped id from the same command and index', () => {
    const id = eventIdFor('cmd-7f3a', 0);
    expect(id).toMatch(UUID_V5_SHAPE);
    expect(eventIdFor('cmd-7f3a', 0)).toBe(id);
  });

  it('derives different ids for different indexes and different commands', () => {
    const ids = [eventIdFor('cmd-7f3a', 0), eventIdFor('cmd-7f3a', 1), eventIdFor('cmd-7f3a', 2), eventIdFor('cmd-7f3b', 0)];
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(UUID_V5_SHAPE);
  });

  it('keeps ids stable across releases, or a command retried after an upgrade would write twice', () => {
    expect(eventIdFor('cmd-7f3a', 0)).toBe('9bb8f927-348f-5a81-af57-d2c0f6a17b56');
  });
});
