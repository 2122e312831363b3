import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * Suites that spawn the compiled app (dist/, built by `npm run build`; `npm test` builds first) must not test
 * yesterday's code: run on its own after an edit, such a suite would pass or fail for code that is not there.
 *
 * The check: dist/.tsbuildinfo (written by every build that compiled anything) is at least as new as every
 * shipped source (tsconfig.build.json: apps, libs, bench; not the tests), and each source has its .js. Not
 * "each .js newer than its .ts": tsc does not re-emit a file whose content did not change, so a touched but
 * unchanged source would fail that check forever, whatever one builds.
 */
const SHIPPED = /^(?!.*\.(?:spec|int-spec|e2e-spec|contract)\.ts$)(?!decider-(?:spec|fixtures)\.ts$).*(?<!\.d)\.ts$/;
const ROOTS = ['apps', 'libs', 'bench'];

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return SHIPPED.test(entry.name) ? [path] : [];
  });

/** What is stale, or an empty list when dist is current. */
export const staleDist = (root = resolve('.')): string[] => {
  const info = join(root, 'dist/.tsbuildinfo');
  if (!existsSync(info)) return ['dist/.tsbuildinfo is missing: nothing was built'];
  const builtAt = statSync(info).mtimeMs;
  const stale: string[] = [];
  for (const file of ROOTS.flatMap((r) => (existsSync(join(root, r)) ? sources(join(root, r)) : []))) {
    const rel = relative(root, file);
    const js = join(root, 'dist', rel.replace(/\.ts$/, '.js'));
    if (!existsSync(js)) stale.push(`${rel}: not compiled (no dist/${relative(root, js).slice('dist/'.length)})`);
    else if (statSync(file).mtimeMs > builtAt) stale.push(`${rel}: changed after the last build`);
  }
  return stale;
};

/** Throws, naming the stale files and the command, unless dist is current. */
export const assertDistIsCurrent = (root = resolve('.')): void => {
  const stale = staleDist(root);
  if (stale.length === 0) return;
  const shown = stale.slice(0, 10).map((s) => `  ${s}`).join('\n');
  throw new Error(
    `dist/ is older than the sources this suite runs compiled (${stale.length} file(s)):\n${shown}${stale.length > 10 ? '\n  …' : ''}\n` +
      'Run `npm run -s build` first (`npm test` does).',
  );
};
