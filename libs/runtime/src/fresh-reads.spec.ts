import type { ActivityReadModel, KeysReadModel } from '#projections';
import { freshActivity, freshKeys } from './fresh-reads.js';

// What a person reads waits for the held-back pass of uses; what the sweeper reads does not (issue 11).
describe('fresh reads', () => {
  const calls: string[] = [];
  const fresh = async () => {
    calls.push('fresh');
  };
  const answer = (name: string) => async () => (calls.push(name), [] as never);
  const keys = {
    list: answer('list'),
    page: answer('page'),
    get: answer('get'),
    lapsed: answer('lapsed'),
    overlapsEnded: answer('overlapsEnded'),
    expiryWarningsDue: answer('expiryWarningsDue'),
  } as unknown as KeysReadModel;
  beforeEach(() => calls.splice(0));

  it('waits for the pass before the keys list, a page, a key and the activity feed', async () => {
    const model = freshKeys(keys, fresh);
    await model.list('acme', null);
    await model.page({} as never);
    await model.get('acme', 'k');
    await freshActivity({ query: answer('query') } as unknown as ActivityReadModel, fresh).query({} as never);
    expect(calls).toEqual(['fresh', 'list', 'fresh', 'page', 'fresh', 'get', 'fresh', 'query']);
  });

  it("does not wait before the sweeper's queries", async () => {
    const model = freshKeys(keys, fresh);
    const now = new Date();
    await model.lapsed(now, 10);
    await model.overlapsEnded(now, 10);
    await model.expiryWarningsDue(now, 7, 10);
    expect(calls).toEqual(['lapsed', 'overlapsEnded', 'expiryWarningsDue']);
  });
});
