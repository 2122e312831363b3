import { defaultMongoProjections } from './mongo-projection-runner.js';
import { checkMongoReadModelVersion, MONGO_READ_MODEL_VERSION } from './mongo-read-model-version.js';

describe('the MongoDB read side version', () => {
  it('is 2 by default (issue 15), and names every collection with it', () => {
    expect(MONGO_READ_MODEL_VERSION).toBe(2);
    expect(defaultMongoProjections().flatMap((p) => p.collections)).toEqual(['keys_list_v2', 'activity_v2', 'activity_keys_v2', 'key_lookup_v2']);
    expect(defaultMongoProjections(3).map((p) => p.name)).toEqual(['keys_list_v3', 'activity_v3', 'key_lookup_v3']);
  });

  it('refuses a version whose collections lack what this release reads (the guard must never see a suspended key as active)', () => {
    expect(() => defaultMongoProjections(1)).toThrow(/read model version 1: this release needs version 2 or higher/);
    expect(() => checkMongoReadModelVersion(1.5)).toThrow();
    expect(checkMongoReadModelVersion(7)).toBe(7);
  });
});
