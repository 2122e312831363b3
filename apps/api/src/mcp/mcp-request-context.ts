import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { HotKey } from '#keys';
import type { ClientInfo } from './client-info.js';

/** What the endpoint learned about a request, handed to tools through the SDK's authInfo. */
export interface McpRequestContext {
  key: HotKey;
  requestId: string;
  remoteAddress: string | null;
  userAgent: string | null;
  /** What this request's initialize announced (bounded): the client its "last used" touch records. */
  client?: ClientInfo;
  /** Set when a tools/call of this request recorded its KeyUsed. */
  usageRecorded?: boolean;
  /**
   * Set when a tools/call of this request named a tool the key lacks a permission for: the endpoint answers a
   * request of that one call with HTTP 403 insufficient_scope (a batch keeps the JSON-RPC error).
   */
  insufficientScope?: InsufficientScope;
}

/**
 * A tool refused for want of permissions: the tool and the permissions it needs that the key lacks, or (missing
 * empty) readOnlyKey: the tool writes and the key holds only read permissions.
 */
export interface InsufficientScope {
  tool: string;
  missing: string[];
  readOnlyKey?: true;
}

export const toAuthInfo = (context: McpRequestContext): AuthInfo => ({
  // The key itself never travels past the guard: tools and logs get its id, not the token.
  token: '',
  clientId: context.key.keyId,
  scopes: [...context.key.permissions],
  // When the key stops working: its expiry, or the end of its rotation's overlap if that comes first.
  expiresAt: Math.floor(Math.min(context.key.expiresAtMs, context.key.overlapEndsAtMs ?? Infinity) / 1000),
  extra: { keygate: context },
});

export const contextOf = (authInfo: AuthInfo | undefined): McpRequestContext => {
  const context = authInfo?.extra?.keygate as McpRequestContext | undefined;
  if (!context) throw new Error('MCP request without a Keygate context: the endpoint must authenticate first');
  return context;
};
