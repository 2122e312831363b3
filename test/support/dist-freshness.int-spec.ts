import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertDistIsCurrent, staleDist } from './dist-freshness.js';

// The check the suites that spawn dist/ run first, on a scratch tree.
describe('dist freshness', () => {
  let root: string;
  const at = (path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'keygate-dist-'));
    for (const dir of ['apps/api/src', 'libs/x/src', 'dist/apps/api/src', 'dist/libs/x/src']) mkdirSync(join(root, dir), { recursive: true });
    for (const file of ['apps/api/src/main.ts', 'libs/x/src/x.ts', 'libs/x/src/x.spec.ts', 'dist/apps/api/src/main.js', 'dist/libs/x/src/x.js', 'dist/.tsbuildinfo']) {
      writeFileSync(join(root, file), '');
    }
    for (const file of ['apps/api/src/main.ts', 'libs/x/src/x.ts', 'libs/x/src/x.spec.ts']) at(file, 1_000);
    at('dist/.tsbuildinfo', 2_000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('passes when the last build is newer than every shipped source (tests are not shipped)', () => {
    at('libs/x/src/x.spec.ts', 3_000);
    expect(staleDist(root)).toEqual([]);
    expect(() => assertDistIsCurrent(root)).not.toThrow();
  });

  it('fails, naming the file and the command, when a source changed after the build or was never compiled', () => {
    at('libs/x/src/x.ts', 3_000);
    writeFileSync(join(root, 'apps/api/src/new.ts'), '');
    at('apps/api/src/new.ts', 1_500);
    expect(staleDist(root)).toEqual(['apps/api/src/new.ts: not compiled (no dist/apps/api/src/new.js)', 'libs/x/src/x.ts: changed after the last build']);
    expect(() => assertDistIsCurrent(root)).toThrow(/dist\/ is older than the sources .*\(2 file\(s\)\):\n.*\n.*\nRun `npm run -s build` first/);
  });

  it('fails when nothing was built', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    expect(staleDist(root)).toEqual(['dist/.tsbuildinfo is missing: nothing was built']);
  });
});
