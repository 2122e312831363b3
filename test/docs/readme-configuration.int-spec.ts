import { readFileSync } from 'node:fs';
import { envVarsReadByCode } from '../compose/env-vars-read-by-code.js';

// The README's Configuration table is the one list of every environment variable: a variable the code
// reads and the table omits is a setting nobody can find.

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const table = README.slice(README.indexOf('## Configuration'), README.indexOf('\n## ', README.indexOf('## Configuration') + 1));
const documented = new Set([...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]));

describe('README configuration table', () => {
  it('lists every environment variable the shipped code reads, and nothing it does not', () => {
    const read = [...envVarsReadByCode('apps', 'libs')].sort();
    expect(read.length).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual(read);
  });
});
