import type { KeygateTool, ToolContext, ToolKey } from './keygate-tool.js';

/**
 * A copy of the key for code Keygate did not compile: the context's key is the guard's own record (its verifier,
 * its status, a permission Set the guard reads on every request). A plugin that wrote to it, by mistake or not,
 * would change what the guard decides for that key; a copy leaves it only its own view to change.
 */
export const toolKeyOf = (key: ToolKey): ToolKey =>
  Object.freeze({
    keyId: key.keyId,
    companyId: key.companyId,
    userId: key.userId,
    userName: key.userName,
    creatorRole: key.creatorRole,
    permissions: new Set(key.permissions),
    expiresAtMs: key.expiresAtMs,
  });

/** A module's tool as Keygate serves it: the same definition, its handler given a context with a copied key. */
export const pluginTool = <T extends KeygateTool<any>>(tool: T): T => ({
  ...tool,
  handler: (args: unknown, context: ToolContext) => tool.handler(args as never, Object.freeze({ ...context, key: toolKeyOf(context.key) })),
});
