import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StartupError } from '#config';
import type { ToolContext } from './keygate-tool.js';
import { loadToolModules, ToolModulesError } from './tool-modules.js';

// Real ES modules on disk, imported the way KEYGATE_TOOL_MODULES names them. The directory gets a node_modules
// link to the repo's, as a plugin package has its own, so `import { z } from 'zod'` resolves.

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keygate-tool-modules-'));
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a module (a fresh file each time: import() caches by URL) and returns its ./ path relative to `dir`. */
const moduleOf = (source: string): string => {
  const name = `./m${++counter}.mjs`;
  writeFileSync(join(dir, name), `import { z } from 'zod';\nconst ok = async () => ({ content: [] });\n${source}\n`);
  return name;
};

/** A definition's source with fields replaced (undefined: dropped). */
const tool = (fields: Record<string, string | undefined> = {}): string => {
  const all: Record<string, string | undefined> = {
    name: "'crm_lookup'",
    description: "'Looks a customer up.'",
    requiredPermission: "'crm:read'",
    inputSchema: '{ q: z.string() }',
    handler: 'ok',
    ...fields,
  };
  return `{ ${Object.entries(all)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')} }`;
};

/** A HotKey as the guard holds it: its verifier and status must never reach a plugin. */
const guardRecord = () => ({
  keyId: 'acmeKey00001',
  companyId: 'acme',
  userId: 'alice',
  userName: 'Alice',
  creatorRole: 'user' as const,
  permissions: new Set(['crm:read']),
  verifier: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
  status: 'active' as const,
  expiresAtMs: Date.parse('2027-01-01T00:00:00Z'),
  position: 7,
});

const contextFor = (key: ReturnType<typeof guardRecord>): ToolContext => ({
  key,
  actor: { userId: key.userId, name: key.userName, companyId: key.companyId, role: key.creatorRole, permissions: [...key.permissions] },
  commands: {} as ToolContext['commands'],
  queries: {} as ToolContext['queries'],
  requestId: 'req-1',
  signal: new AbortController().signal,
});

const problemsOf = async (specifiers: string[]): Promise<string[]> => {
  const error = await loadToolModules(specifiers, dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolModulesError);
  return (error as ToolModulesError).problems;
};

describe('loadToolModules', () => {
  it('serves nothing and imports nothing when no module is named', async () => {
    await expect(loadToolModules([], '/nonexistent')).resolves.toEqual([]);
  });

  it('takes a default export (one definition or an array), or else every named export, in the order named', async () => {
    const single = moduleOf(`export default ${tool({ name: "'one'" })};\nexport const helper = 42;`);
    const array = moduleOf(`export default [${tool({ name: "'two'" })}, ${tool({ name: "'three'", requiredPermission: 'null' })}];`);
    const named = moduleOf(`export const a = ${tool({ name: "'four'" })};\nexport const more = [${tool({ name: "'five'", annotations: "{ readOnlyHint: false, title: 'Five' }" })}];`);
    const tools = await loadToolModules([single, array, named], dir);
    expect(tools.map((t) => [t.name, t.requiredPermission])).toEqual([
      ['one', 'crm:read'],
      ['two', 'crm:read'],
      ['three', null],
      ['four', 'crm:read'],
      ['five', 'crm:read'],
    ]);
    expect(tools[4].annotations).toEqual({ readOnlyHint: false, title: 'Five' });
    // The module's handler runs: KeygateMcpServer registers these like the built-ins.
    await expect(tools[0].handler({}, contextFor(guardRecord()))).resolves.toEqual({ content: [] });
  });

  it("hands each handler a frozen copy of the key, never the guard's record", async () => {
    const path = moduleOf(`
      export default ${tool({
        handler: `async (args, { key }) => {
          const seen = { fields: Object.keys(key).sort(), frozen: Object.isFrozen(key) };
          key.permissions.add('settings:edit');
          try { key.userId = 'mallory'; } catch {}
          return { content: [], structuredContent: seen };
        }`,
      })};`);
    const [served] = await loadToolModules([path], dir);
    const record = guardRecord();
    const result = await served.handler({ q: 'x' }, contextFor(record));
    expect(result.structuredContent).toEqual({
      fields: ['companyId', 'creatorRole', 'expiresAtMs', 'keyId', 'permissions', 'userId', 'userName'],
      frozen: true,
    });
    // What the guard decides with is as it was.
    expect([...record.permissions]).toEqual(['crm:read']);
    expect(record.userId).toBe('alice');
  });

  it('resolves paths against cwd, absolute paths and file: URLs to the same module', async () => {
    const path = moduleOf(`export default ${tool({ name: "'where'" })};`);
    const absolute = join(dir, path);
    for (const specifier of [path, absolute, pathToFileURL(absolute).href]) {
      expect((await loadToolModules([specifier], dir)).map((t) => t.name)).toEqual(['where']);
    }
  });

  it('names the module, the export and the tool for each broken rule, all at once', async () => {
    const cases: Array<[Record<string, string | undefined>, RegExp]> = [
      [{ name: "'has space'" }, /name "has space" is not an MCP tool name: 1 to 128 of A-Z a-z 0-9 _ \. \/ -/],
      [{ name: `'${'x'.repeat(129)}'` }, /is not an MCP tool name/],
      [{ name: undefined }, /name undefined is not an MCP tool name/],
      [{ description: "'  '" }, /description must be a non-empty string of at most 2000 characters/],
      [{ description: `'${'d'.repeat(2001)}'` }, /description must be a non-empty string/],
      [{ title: "''" }, /title, when given, must be a non-empty string/],
      [{ requiredPermission: undefined }, /requiredPermission is missing: .*or null for a tool any key may call/],
      [{ requiredPermission: "'crm read'" }, /requiredPermission "crm read" must be null or a permission: 1 to 128 printable ASCII characters without spaces/],
      [{ requiredPermission: "''" }, /requiredPermission "" must be null or a permission/],
      [{ requiredPermission: '42' }, /requiredPermission 42 must be null or a permission/],
      [{ inputSchema: 'z.object({ q: z.string() })' }, /inputSchema is a Zod schema; give its raw shape instead/],
      [{ inputSchema: "{ q: 'string' }" }, /inputSchema\.q is not a Zod 4 schema/],
      [{ inputSchema: '{ q: { type: "string" } }' }, /inputSchema\.q is not a Zod 4 schema/],
      [{ inputSchema: 'undefined' }, /inputSchema is undefined, not a Zod raw shape/],
      [{ inputSchema: 'new Map()' }, /inputSchema is an object, not a Zod raw shape/],
      [{ handler: "'run'" }, /handler is "run", not a function/],
      [{ requiredPermissions: "'crm:read'" }, /unknown field\(s\) requiredPermissions/],
      [{ annotations: "'read only'" }, /annotations is "read only", not an object of MCP tool hints/],
      [{ annotations: '{ readOnlyHint: "yes" }' }, /annotations\.readOnlyHint is "yes", not true or false/],
      [{ annotations: '{ readonlyHint: false }' }, /annotations\.readonlyHint is not an MCP tool hint: readOnlyHint, destructiveHint/],
      [{ annotations: "{ title: '' }" }, /annotations\.title must be a non-empty string/],
    ];
    const specifiers = cases.map(([fields]) => moduleOf(`export const bad = ${tool(fields)};`));
    const problems = await problemsOf(specifiers);
    expect(problems).toHaveLength(cases.length);
    cases.forEach(([fields, pattern], i) => {
      const name = fields.name === undefined && 'name' in fields ? null : (fields.name ?? "'crm_lookup'").slice(1, -1);
      const label = name !== null && name.length <= 128 ? `${specifiers[i]}, export bad (tool "${name}"): ` : `${specifiers[i]}, export bad: `;
      expect(problems[i].startsWith(label)).toBe(true);
      expect(problems[i]).toMatch(pattern);
    });
  });

  it('refuses a value that is no definition at all, in an array or alone', async () => {
    const arrayItem = moduleOf(`export default [${tool({ name: "'fine'" })}, 'oops'];`);
    const nothing = moduleOf('export default null;');
    expect(await problemsOf([arrayItem, nothing])).toEqual([
      `${arrayItem}, default export[1]: is "oops", not a tool definition (an object with name, description, requiredPermission, inputSchema and handler)`,
      `${nothing}, default export: is null, not a tool definition (an object with name, description, requiredPermission, inputSchema and handler)`,
    ]);
  });

  it('refuses a name taken by a built-in tool, another module or the same module', async () => {
    const first = moduleOf(`export default ${tool()};`);
    const again = moduleOf(`export const x = ${tool()};`);
    const builtin = moduleOf(`export default ${tool({ name: "'whoami'" })};`);
    const twice = moduleOf(`export default [${tool({ name: "'dup'" })}, ${tool({ name: "'dup'" })}];`);
    expect(await problemsOf([first, again, builtin, twice])).toEqual([
      `${again}, export x (tool "crm_lookup"): the name is already taken by ${first} (default export); tool names must be unique`,
      `${builtin}, default export (tool "whoami"): the name is already taken by a built-in tool; tool names must be unique`,
      `${twice}, default export[1] (tool "dup"): the name is already taken by ${twice} (default export[0]); tool names must be unique`,
    ]);
  });

  it('names a module that cannot be found, cannot be parsed, throws while loading or exports no tools', async () => {
    const throwing = moduleOf("throw new Error('no CRM_URL set');");
    const empty = moduleOf('export {};');
    const broken = `./broken${++counter}.mjs`;
    writeFileSync(join(dir, broken), 'export default [;\n');
    mkdirSync(join(dir, 'plugins'));
    writeFileSync(join(dir, 'plugins/a.mjs'), `export default ${tool()};`);
    const problems = await problemsOf(['./missing.mjs', throwing, broken, empty, 'keygate-no-such-package', 'plugins/a.mjs']);
    expect(problems).toEqual([
      expect.stringMatching(/^\.\/missing\.mjs: cannot be found: .*missing\.mjs/),
      expect.stringMatching(new RegExp(`^\\${throwing}: failed to load \\(Error\\): no CRM_URL set$`)),
      expect.stringMatching(new RegExp(`^\\${broken}: failed to load \\(SyntaxError.*\\): `)),
      `${empty}: exports no tool definitions (export default [tool, …], or named exports of defineTool(…))`,
      expect.stringMatching(/^keygate-no-such-package: cannot be found: .*keygate-no-such-package/),
      // A path without ./ is a package name to import(): the message says how to name the file.
      expect.stringMatching(/^plugins\/a\.mjs: cannot be found \(for the file, write \.\/plugins\/a\.mjs\): /),
    ]);
  });

  it('stops start-up the way a wrong setting does: one message naming KEYGATE_TOOL_MODULES, exit 78', async () => {
    const bad = moduleOf(`export default ${tool({ requiredPermission: "'has space'" })};`);
    const error = await loadToolModules(['./missing.mjs', bad], dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).exitCode).toBe(78);
    expect((error as Error).message.split('\n')).toEqual([
      'Keygate cannot start: KEYGATE_TOOL_MODULES names tool modules that cannot be served.',
      expect.stringMatching(/^ {2}- \.\/missing\.mjs: cannot be found: /),
      `  - ${bad}, default export (tool "crm_lookup"): requiredPermission "has space" must be null or a permission: 1 to 128 printable ASCII characters without spaces`,
    ]);
  });
});
