import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import { DEPENDENCY_RULES } from './dependency-rules.js';

const ROOT = new URL('../..', import.meta.url).pathname;

const violationsIn = async (paths: string[], baseDir = ROOT): Promise<IViolation[]> => {
  const result = await cruise(paths, {
    ...(DEPENDENCY_RULES.options as unknown as ICruiseOptions),
    validate: true,
    ruleSet: { forbidden: DEPENDENCY_RULES.forbidden } as unknown as ICruiseOptions['ruleSet'],
    baseDir,
    // node_modules is not followed (options.doNotFollow) but must stay in the graph: the driver rules point at it.
    exclude: { path: ['^dist/'] },
  });
  if (typeof result.output === 'string') throw new Error(result.output);
  // An import the cruiser could not resolve would be invisible to every rule: there must be none of ours.
  const unresolved = result.output.modules.flatMap((m) =>
    m.dependencies.filter((d) => d.couldNotResolve && /^[.#]/.test(d.module)).map((d) => `${m.source} → ${d.module}`),
  );
  if (unresolved.length > 0) throw new Error(`unresolved imports: ${unresolved.join(', ')}`);
  return result.output.summary.violations;
};

const describeViolation = (v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;

describe('architecture (dependency-cruiser)', () => {
  it('holds for the whole tree: no cycles, a pure domain, drivers in their adapters, apps apart', async () => {
    const violations = await violationsIn(['apps', 'libs', 'test', 'bench']);
    expect(violations.map(describeViolation)).toEqual([]);
  }, 60_000);

  it('fails on a cycle and on a domain file that imports a store (the rules can fail)', async () => {
    // A scratch tree in the repository's shape, so the same paths in the rules apply.
    const scratch = mkdtempSync(join(tmpdir(), 'keygate-arch-'));
    try {
      const file = (path: string, text: string) => {
        mkdirSync(join(scratch, path, '..'), { recursive: true });
        writeFileSync(join(scratch, path), text);
      };
      file('libs/keys/src/domain/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
      file('libs/keys/src/domain/b.ts', "import { a } from './a.js';\nimport { store } from '../../../event-store/src/store.js';\nexport const b = () => [a, store];\n");
      file('libs/event-store/src/store.ts', 'export const store = 1;\n');
      const names = (await violationsIn(['libs'], scratch)).map((v) => v.rule.name).sort();
      expect(names).toEqual(expect.arrayContaining(['domain-is-pure', 'no-cycles']));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
