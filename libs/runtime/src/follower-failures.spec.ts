import { FollowerFailures } from './follower-failures.js';

const follower = (name: string, lag: number) => ({ name, checkpoint: 10, head: 10 + lag, lag });

describe('FollowerFailures', () => {
  it('given a drop, when the follower is behind, then its failure is the error', () => {
    const failures = new FollowerFailures();
    failures.dropped('hot_key_table', new Error('connection reset'));
    expect(failures.errorOf([follower('keys_list_v1', 3), follower('hot_key_table', 2)])).toBe('hot_key_table: connection reset');
  });

  it('given a drop, when the follower is caught up (resubscribed on a quiet log), then no error', () => {
    const failures = new FollowerFailures();
    failures.dropped('hot_key_table', new Error('connection reset'));
    expect(failures.errorOf([follower('hot_key_table', 0)])).toBeNull();
  });

  it('given a drop, when the follower applies a batch again, then no error even while behind', () => {
    const failures = new FollowerFailures();
    failures.dropped('activity_v1', 'timeout');
    failures.applied('activity_v1');
    expect(failures.errorOf([follower('activity_v1', 5)])).toBeNull();
  });
});
