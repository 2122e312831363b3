import { z } from 'zod';
import { isKeyId, KeyDomainError, notFound } from '#keys';
import { GetActivityQuery } from '../../activity/get-activity.query.js';
import { ListKeysQuery } from '../../keys/list/list-keys.query.js';
import { RevokeKeyCommand } from '../../keys/revoke/revoke-key.command.js';
import { defineTool, jsonResult, type KeygateTool } from './keygate-tool.js';

/**
 * Keygate's own tools. They dispatch the settings API's own queries and commands, so they follow its rules
 * exactly: the same visibility, the same decider for revocation, never another company's data. None manages
 * users or passwords.
 */
export const whoami = defineTool({
  name: 'whoami',
  description: 'Who this API key acts as: user, company, key id, permissions and expiry.',
  requiredPermission: null,
  annotations: { readOnlyHint: true, openWorldHint: false },
  inputSchema: {},
  async handler(_args, { key }) {
    return jsonResult({
      userId: key.userId,
      userName: key.userName,
      companyId: key.companyId,
      keyId: key.keyId,
      permissions: [...key.permissions],
      expiresAt: new Date(key.expiresAtMs).toISOString(),
    });
  },
});

export const listApiKeys = defineTool({
  name: 'list_api_keys',
  description: "The company's API keys you may see (all of them with settings:edit, otherwise your own), newest first.",
  requiredPermission: 'settings:view',
  annotations: { readOnlyHint: true, openWorldHint: false },
  inputSchema: {},
  async handler(_args, { actor, queries }) {
    return jsonResult(await queries.execute(new ListKeysQuery(actor)));
  },
});

export const getActivity = defineTool({
  name: 'get_activity',
  description: 'Recent API key activity you may see, newest first; optionally for one key.',
  requiredPermission: 'settings:view',
  annotations: { readOnlyHint: true, openWorldHint: false },
  inputSchema: {
    keyId: z.string().regex(/^[0-9A-Za-z]{12}$/).optional().describe('Only entries about this key id'),
    limit: z.number().int().min(1).max(100).optional().describe('At most this many entries (default 20)'),
  },
  async handler({ keyId, limit }, { actor, queries }) {
    const page = await queries.execute(new GetActivityQuery(actor, { keyId, limit: limit ?? 20 }));
    return jsonResult({ items: page.items });
  },
});

export const revokeApiKey = defineTool({
  name: 'revoke_api_key',
  description: 'Revoke an API key you may manage (your own, or any of the company with settings:edit). Takes effect at once.',
  requiredPermission: 'settings:view',
  // It writes (not readOnlyHint: true): a read-only key, though it holds settings:view, is refused it (keygate-tool.ts).
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  inputSchema: { keyId: z.string().max(64).describe('The key id, as list_api_keys shows it') },
  async handler({ keyId }, { actor, commands, requestId }) {
    try {
      // Never echoed unless it is a key id: the answer is read by an assistant, and maybe by a person.
      if (!isKeyId(keyId)) throw notFound('No API key with that id.');
      return jsonResult({ key: await commands.execute(new RevokeKeyCommand(actor, keyId, requestId)) });
    } catch (error) {
      // A refused revoke is the tool's answer, not a protocol failure: the assistant reads why.
      if (error instanceof KeyDomainError) return { isError: true, content: [{ type: 'text', text: error.message }] };
      throw error;
    }
  },
});

export const BUILTIN_TOOLS: KeygateTool<any>[] = [whoami, listApiKeys, getActivity, revokeApiKey];
