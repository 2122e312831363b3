import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Test and contract sources read variables of their own; only what ships counts. */
const SHIPPED_SOURCE = /^(?!.*\.(?:spec|int-spec|e2e-spec|contract)\.ts$).*\.ts$/;

/**
 * How Keygate's code reads the environment: `env.NAME`, `env['NAME']`, and helpers handed the environment
 * and a name, such as `int(env, 'PORT', 3000)` in libs/config/src/keygate-config.ts.
 */
const READS = [
  /\benv\.([A-Z][A-Z0-9_]*)\b/g,
  /\benv\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g,
  /\(\s*env\s*,\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g,
];

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SHIPPED_SOURCE.test(entry.name) ? [path] : [];
  });

/** The environment variables the shipped code under the given folders reads. */
export const envVarsReadByCode = (...dirs: string[]): Set<string> => {
  const names = new Set<string>();
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of READS) for (const match of text.matchAll(pattern)) names.add(match[1]);
  }
  return names;
};
