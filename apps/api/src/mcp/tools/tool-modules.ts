import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StartupError } from '#config';
import { BUILTIN_TOOLS } from './builtin-tools.js';
import type { KeygateTool } from './keygate-tool.js';
import { pluginTool } from './plugin-tool.js';
import { toolDefinitionProblems } from './tool-definition-check.js';

/** The setting that names the modules: every message names it, so an operator knows what to fix. */
export const TOOL_MODULES_VARIABLE = 'KEYGATE_TOOL_MODULES';

/**
 * The tool modules could not all be served: every problem of every module at once, one line each. Exit 78 like
 * a wrong setting (ConfigError): restarting will not help until the setting or the module changes.
 */
export class ToolModulesError extends StartupError {
  constructor(readonly problems: string[]) {
    super(
      `Keygate cannot start: ${TOOL_MODULES_VARIABLE} names tool modules that cannot be served.\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      78,
    );
    this.name = 'ToolModulesError';
  }
}

/**
 * The host product's MCP tools, from the ES modules KEYGATE_TOOL_MODULES names (examples/tools/README.md):
 *
 * - a specifier starting with ./ or ../ (relative to `cwd`), an absolute path or a file: URL is a file; anything
 *   else is a package name, resolved as Node resolves an import from Keygate's own installation;
 * - a module with a default export serves it: one tool definition or an array of them (its named exports are not
 *   read, so it may export helpers); a module without one serves every named export, each a definition or an
 *   array of them;
 * - every definition is checked (tool-definition-check.ts) and its name must be unique among the built-in tools
 *   and all modules;
 * - each handler is given a copy of the key, never the guard's record (plugin-tool.ts).
 *
 * Throws a ToolModulesError listing every problem; nothing is served unless everything can be.
 */
export const loadToolModules = async (
  specifiers: readonly string[],
  cwd: string = process.cwd(),
  builtins: readonly KeygateTool<any>[] = BUILTIN_TOOLS,
): Promise<KeygateTool<any>[]> => {
  const problems: string[] = [];
  const tools: KeygateTool<any>[] = [];
  const servedBy = new Map<string, string>(builtins.map((t) => [t.name, 'a built-in tool']));

  for (const specifier of specifiers) {
    let exports: Record<string, unknown>;
    try {
      exports = await import(importTarget(specifier, cwd));
    } catch (error) {
      problems.push(`${specifier}: ${loadFailure(error, specifier, cwd)}`);
      continue;
    }
    const candidates = candidatesOf(exports);
    if (candidates.length === 0) {
      problems.push(`${specifier}: exports no tool definitions (export default [tool, …], or named exports of defineTool(…))`);
      continue;
    }
    for (const { where, value } of candidates) {
      const name = (value as { name?: unknown } | null)?.name;
      const label = typeof name === 'string' && name.length <= 128 ? `${specifier}, ${where} (tool "${name}")` : `${specifier}, ${where}`;
      const found = toolDefinitionProblems(value);
      if (found.length > 0) {
        problems.push(...found.map((p) => `${label}: ${p}`));
        continue;
      }
      const tool = value as KeygateTool<any>;
      const other = servedBy.get(tool.name);
      if (other !== undefined) {
        problems.push(`${label}: the name is already taken by ${other}; tool names must be unique`);
        continue;
      }
      servedBy.set(tool.name, `${specifier} (${where})`);
      tools.push(pluginTool(tool));
    }
  }
  if (problems.length > 0) throw new ToolModulesError(problems);
  return tools;
};

const isPath = (specifier: string): boolean => /^\.\.?([/\\]|$)/.test(specifier) || isAbsolute(specifier);

/** What import() is given: file URLs for paths (an absolute Windows path is not a valid specifier), names as they are. */
const importTarget = (specifier: string, cwd: string): string =>
  specifier.startsWith('file:') ? specifier : isPath(specifier) ? pathToFileURL(resolve(cwd, specifier)).href : specifier;

const candidatesOf = (exports: Record<string, unknown>): { where: string; value: unknown }[] => {
  const entries: [string, unknown][] = 'default' in exports ? [['default', exports.default]] : Object.entries(exports);
  return entries.flatMap(([exportName, value]) => {
    const where = exportName === 'default' ? 'default export' : `export ${exportName}`;
    return Array.isArray(value) ? value.map((item, i) => ({ where: `${where}[${i}]`, value: item })) : [{ where, value }];
  });
};

/** One line a person can act on: which kind of failure, and the runtime's own words. */
const loadFailure = (error: unknown, specifier: string, cwd: string): string => {
  const err = error as NodeJS.ErrnoException;
  const words = oneLine(err instanceof Error ? err.message : String(error));
  if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND' || /cannot find (module|package)/i.test(words)) {
    // "dist/x.js" is a package named "dist" to import(): say so when such a file exists.
    const hint = !isPath(specifier) && !specifier.startsWith('file:') && existsSync(resolve(cwd, specifier)) ? ` (for the file, write ./${specifier})` : '';
    return `cannot be found${hint}: ${words}`;
  }
  // A syntax error's message lacks its place; Node puts "file:///…:line" first in the stack.
  const place = err instanceof SyntaxError && err.stack?.startsWith('file:') ? ` at ${err.stack.split('\n', 1)[0]}` : '';
  return `failed to load (${err instanceof Error ? err.name : typeof error}${place}): ${words}`;
};

const oneLine = (text: string): string => {
  const line = text.replace(/\s*\n\s*/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
};
