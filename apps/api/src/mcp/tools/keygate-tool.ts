import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { ZodRawShape, z } from 'zod';
import type { Actor } from '#keys';

/**
 * The key in use, as a tool sees it: whose it is and what it may do. Never its verifier, status or log position:
 * those are the guard's, and a plugin tool is handed a copy (plugin-tool.ts), so it cannot change what the guard
 * decides. A HotKey is one, so the built-in tools get the guard's record as it is.
 */
export interface ToolKey {
  readonly keyId: string;
  readonly companyId: string;
  readonly userId: string;
  readonly userName: string;
  readonly creatorRole: 'root' | 'user';
  readonly permissions: ReadonlySet<string>;
  readonly expiresAtMs: number;
}

/**
 * Who is calling (the key's creator, with the permissions snapshotted when the key was minted) and the same
 * command and query buses the settings API dispatches to: a tool acts through the application's commands and
 * queries, never on a store or the hasher.
 */
export interface ToolContext {
  key: ToolKey;
  actor: Actor;
  commands: CommandBus;
  queries: QueryBus;
  requestId: string;
  signal: AbortSignal;
}

/**
 * The extension point: the host product registers its own tools the same way as the built-ins.
 * A tool whose permission the key lacks is absent from tools/list and refused by tools/call; the guard,
 * the rate limit and usage recording apply to every tool alike.
 */
export interface KeygateTool<Shape extends ZodRawShape = ZodRawShape> {
  name: string;
  title?: string;
  description: string;
  /** A product permission such as "clients:read"; null for tools any key may call. */
  requiredPermission: string | null;
  /**
   * MCP's tool annotations, listed as they are (clients use them, e.g. to ask before a tool that writes). One is
   * also a rule here: as MCP assumes, a tool that does not say `readOnlyHint: true` may change something, and a
   * read-only key (a plain user's key whose every permission reads: isReadPermission in #keys) is refused it,
   * whatever permission the tool names. Otherwise a read-only key could call a writing tool gated by a read
   * permission, such as revoke_api_key by settings:view. A tool that only reads says so to be offered to such keys.
   */
  annotations?: ToolAnnotations;
  inputSchema: Shape;
  handler(args: z.output<z.ZodObject<Shape>>, context: ToolContext): Promise<CallToolResult>;
}

export const defineTool = <Shape extends ZodRawShape>(tool: KeygateTool<Shape>): KeygateTool<Shape> => tool;

export const jsonResult = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
  structuredContent: value as Record<string, unknown>,
});

/** The key's creator as an actor (the name already repaired where the HotKey was built: hot-key-table.ts). */
export const actorOf = (key: ToolKey): Actor => ({
  userId: key.userId,
  name: key.userName,
  companyId: key.companyId,
  role: key.creatorRole,
  permissions: [...key.permissions],
});
