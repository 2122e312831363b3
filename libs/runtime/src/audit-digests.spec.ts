import pino from 'pino';
import { Writable } from 'node:stream';
import { repeatedErrorLog } from './audit-digests.js';

describe('repeatedErrorLog', () => {
  it('logs the first failure, then at most once a minute with the count of those left out', () => {
    const lines: { msg: string; repeatedSinceLastLog?: number }[] = [];
    const sink = new Writable({ write: (chunk, _, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    let t = 0;
    const log = repeatedErrorLog(pino({ level: 'error' }, sink), 'failed', 60_000, () => t);
    for (let i = 0; i < 120; i++, t += 1000) log(new Error('store down'));
    expect(lines.map((l) => [l.msg, l.repeatedSinceLastLog])).toEqual([
      ['failed', undefined],
      ['failed', 59],
    ]);
  });
});
