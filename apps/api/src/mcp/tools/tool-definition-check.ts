/**
 * What a tool definition from a plugin module must be before Keygate serves it. A module is code the operator
 * names in a setting, typed (or not) against a Keygate it was not compiled with: each rule is checked at start,
 * so a mistake stops start-up with its reason instead of surfacing as a tool that an assistant cannot call, or
 * worse, as a tool open to every key.
 */

/** The MCP tool-name rule, the same pattern a KeyUsed's tool is checked against (key-event-schema.ts, TOOL). */
export const TOOL_NAME = /^[A-Za-z0-9_./-]{1,128}$/;
/** A permission as a key's snapshot holds it (key-event-schema.ts, PERMISSION): printable ASCII, no spaces. */
export const PERMISSION = /^[\x21-\x7e]{1,128}$/;
/** Descriptions are read by an assistant on every tools/list: long enough for a paragraph, never a document. */
export const MAX_DESCRIPTION = 2000;
export const MAX_TITLE = 200;

const KNOWN_FIELDS = new Set(['name', 'title', 'description', 'requiredPermission', 'annotations', 'inputSchema', 'handler']);
/** MCP's tool annotations (all hints, all optional); readOnlyHint: false is also a rule here (keygate-tool.ts). */
const ANNOTATION_HINTS = new Set(['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A Zod 4 schema (classic or mini): what the MCP SDK renders to JSON Schema and checks arguments with. */
const isZod4Schema = (value: unknown): boolean =>
  isRecord(value) && isRecord(value._zod) && typeof (value as { safeParse?: unknown }).safeParse === 'function';

const shown = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
};

/** The problems of one candidate definition (none: it can be served). */
export const toolDefinitionProblems = (value: unknown): string[] => {
  if (!isRecord(value)) return [`is ${shown(value)}, not a tool definition (an object with name, description, requiredPermission, inputSchema and handler)`];
  const problems: string[] = [];
  const { name, title, description, requiredPermission, annotations, inputSchema, handler } = value;

  if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
    problems.push(`name ${shown(name)} is not an MCP tool name: 1 to 128 of A-Z a-z 0-9 _ . / -`);
  }
  if (title !== undefined && (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE)) {
    problems.push(`title, when given, must be a non-empty string of at most ${MAX_TITLE} characters`);
  }
  if (typeof description !== 'string' || description.trim() === '' || description.length > MAX_DESCRIPTION) {
    problems.push(`description must be a non-empty string of at most ${MAX_DESCRIPTION} characters (assistants read it to choose the tool)`);
  }
  // Explicit null, never a missing field: a forgotten permission would open the tool to every key.
  if (!('requiredPermission' in value)) {
    problems.push('requiredPermission is missing: give the permission a key\'s creator must hold (e.g. "clients:read"), or null for a tool any key may call');
  } else if (requiredPermission !== null && (typeof requiredPermission !== 'string' || !PERMISSION.test(requiredPermission))) {
    problems.push(`requiredPermission ${shown(requiredPermission)} must be null or a permission: 1 to 128 printable ASCII characters without spaces`);
  }
  if (annotations !== undefined) problems.push(...annotationProblems(annotations));
  problems.push(...inputSchemaProblems(inputSchema));
  if (typeof handler !== 'function') problems.push(`handler is ${shown(handler)}, not a function (args, context) => Promise<CallToolResult>`);

  const unknown = Object.keys(value).filter((k) => !KNOWN_FIELDS.has(k));
  // A misspelt field (requiredPermissions, schema) would otherwise be ignored in silence.
  if (unknown.length > 0) problems.push(`unknown field(s) ${unknown.join(', ')}: a tool has ${[...KNOWN_FIELDS].join(', ')}`);
  return problems;
};

const annotationProblems = (annotations: unknown): string[] => {
  if (!isRecord(annotations)) return [`annotations is ${shown(annotations)}, not an object of MCP tool hints such as { readOnlyHint: true }`];
  const problems: string[] = [];
  for (const [hint, flag] of Object.entries(annotations)) {
    if (hint === 'title') {
      if (typeof flag !== 'string' || flag.trim() === '' || flag.length > MAX_TITLE) problems.push(`annotations.title must be a non-empty string of at most ${MAX_TITLE} characters`);
    } else if (!ANNOTATION_HINTS.has(hint)) {
      problems.push(`annotations.${hint.slice(0, 60)} is not an MCP tool hint: ${[...ANNOTATION_HINTS].join(', ')}, title`);
    } else if (typeof flag !== 'boolean') {
      problems.push(`annotations.${hint} is ${shown(flag)}, not true or false`);
    }
  }
  return problems;
};

const inputSchemaProblems = (inputSchema: unknown): string[] => {
  if (isZod4Schema(inputSchema)) {
    return ['inputSchema is a Zod schema; give its raw shape instead: { field: z.string() }, not z.object({ field: z.string() })'];
  }
  const proto = isRecord(inputSchema) ? Object.getPrototypeOf(inputSchema) : undefined;
  // A plain object only: a class instance or a Map would have fields the SDK does not see as arguments.
  if (proto !== Object.prototype && proto !== null) {
    return [`inputSchema is ${shown(inputSchema)}, not a Zod raw shape: an object of Zod schemas such as { field: z.string() } ({} for no arguments)`];
  }
  const shape = inputSchema as Record<string, unknown>;
  const notZod = Object.keys(shape).filter((k) => !isZod4Schema(shape[k]));
  return notZod.length === 0
    ? []
    : [`inputSchema.${notZod.join(', inputSchema.')} ${notZod.length === 1 ? 'is not a Zod 4 schema' : 'are not Zod 4 schemas'} (import { z } from 'zod', version 4)`];
};
