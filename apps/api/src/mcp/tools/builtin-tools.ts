import { z } from 'zod';
import { isKeyId, KeyDomainError, managesAllKeys } from '#keys';
import { toKeyView } from '../../keys/key-view.js';
import { defineTool, jsonResult, type KeygateTool } from './keygate-tool.js';

/**
 * Keygate's own tools. They follow the settings API's rules exactly: the same visibility, the same
 * decider for revocation, never another company's data. None manages users or passwords.
 */
export const whoami = defineTool({
  name: 'whoami',
  description: 'Who this API key acts as: user, company, key id, permissions and expiry.',
  requiredPermission: null,
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
  inputSchema: {},
  async handler(_args, { actor, runtime }) {
    const rows = await runtime.keys.list(actor.companyId, managesAllKeys(actor) ? null : actor.userId);
    const now = runtime.clock.now();
    return jsonResult({ items: rows.map((r) => toKeyView(r, now)) });
  },
});

export const getActivity = defineTool({
  name: 'get_activity',
  description: 'Recent API key activity you may see, newest first; optionally for one key.',
  requiredPermission: 'settings:view',
  inputSchema: {
    keyId: z.string().regex(/^[0-9A-Za-z]{12}$/).optional().describe('Only entries about this key id'),
    limit: z.number().int().min(1).max(100).optional().describe('At most this many entries (default 20)'),
  },
  async handler({ keyId, limit }, { actor, runtime }) {
    const rows = await runtime.activity.query({
      companyId: actor.companyId,
      visibleToOwner: managesAllKeys(actor) ? null : actor.userId,
      keyId,
      limit: limit ?? 20,
    });
    return jsonResult({ items: rows.map(({ position: _, ...entry }) => entry) });
  },
});

export const revokeApiKey = defineTool({
  name: 'revoke_api_key',
  description: 'Revoke an API key you may manage (your own, or any of the company with settings:edit). Takes effect at once.',
  requiredPermission: 'settings:view',
  inputSchema: { keyId: z.string().describe('The key id, as list_api_keys shows it') },
  async handler({ keyId }, { actor, runtime, requestId }) {
    const now = runtime.clock.now();
    try {
      if (!isKeyId(keyId)) throw new KeyDomainError('not_found', `No API key with id ${keyId}.`);
      const { position } = await runtime.keyring.execute(actor.companyId, { type: 'RevokeKey', actor, keyId, now, correlationId: requestId });
      await runtime.readYourWrites(position);
      const row = await runtime.keys.get(actor.companyId, keyId);
      return jsonResult({ key: row ? toKeyView(row, now) : null });
    } catch (error) {
      // A refused revoke is the tool's answer, not a protocol failure: the assistant reads why.
      if (error instanceof KeyDomainError) return { isError: true, content: [{ type: 'text', text: error.message }] };
      throw error;
    }
  },
});

export const BUILTIN_TOOLS: KeygateTool<any>[] = [whoami, listApiKeys, getActivity, revokeApiKey];
