import { performance } from 'node:perf_hooks';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { bootKeygate, settle, signJwt, times, type Keygate } from '#test-support/keygate-harness';
import { connectMcp } from '#test-support/mcp-client';

// Revocation takes effect at once, under load: 20 connected assistants call whoami in a loop while the
// key's owner revokes it on the settings page. Whatever started after the revoke was answered fails; every
// call that succeeded is in the activity feed.

interface Call {
  client: number;
  /** performance.now() just before the call was sent, and when its answer arrived. */
  start: number;
  end: number;
  ok: boolean;
  /** For a failed call: the HTTP status (the SDK's StreamableHTTPError code) and message. */
  status?: number;
  message?: string;
}

const CLIENTS = 20;
/** Successful calls before the revoke is sent: more than one page (100) of the activity feed. */
const BEFORE_REVOKE = 150;
/** How long the loops go on once the revoke has been answered. */
const AFTER_REVOKE_MS = 300;
/** A bound on the whole loop, whatever the timing. */
const MAX_CALLS = 600;

describe('MCP: revoking a key while 20 clients use it', () => {
  let kg: Keygate;
  let clients: Client[] = [];

  beforeAll(async () => {
    // The rate limit is not the subject here.
    kg = await bootKeygate({ env: { KEYGATE_RATE_LIMIT_PER_MINUTE: '100000' } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await kg?.close();
  });

  it('no call that started after the revoke was answered succeeds; every successful call has its KeyUsed', async () => {
    const jwt = await signJwt({ sub: 'alice', company: 'acme', role: 'root', permissions: ['settings:view'] });
    const { key, token } = await kg.mintKey(jwt, 'raced');
    clients = await Promise.all(times(CLIENTS, (i) => connectMcp(kg.url, token, `racer-${i}`)));

    const calls: Call[] = [];
    let successes = 0;
    let stopAt = Number.POSITIVE_INFINITY;

    const loop = async (client: Client, index: number) => {
      while (performance.now() < stopAt && calls.length < MAX_CALLS) {
        const start = performance.now();
        try {
          const result = (await client.callTool({ name: 'whoami', arguments: {} })) as CallToolResult;
          const ok = !result.isError && (result.structuredContent as { keyId?: string } | undefined)?.keyId === key.id;
          calls.push({ client: index, start, end: performance.now(), ok, message: ok ? undefined : JSON.stringify(result) });
          if (ok) successes += 1;
        } catch (error) {
          const e = error as { code?: number; message?: string };
          calls.push({ client: index, start, end: performance.now(), ok: false, status: e.code, message: e.message });
        }
      }
    };
    const loops = clients.map(loop);

    // Revoke once the loops are well under way.
    const deadline = performance.now() + 10_000;
    while (successes < BEFORE_REVOKE && calls.length < MAX_CALLS && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2));
    }
    const revokeSentAt = performance.now();
    const revoke = await fetch(`${kg.url}/api/keys/${key.id}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } });
    const revokedAt = performance.now(); // the instant the answer arrived (fetch resolves on the response head)
    expect(revoke.status).toBe(200);
    expect(((await revoke.json()) as { key: { status: string } }).key.status).toBe('revoked');
    stopAt = revokedAt + AFTER_REVOKE_MS;
    await Promise.all(loops);

    const ok = calls.filter((c) => c.ok);
    const failed = calls.filter((c) => !c.ok);
    const startedAfter = calls.filter((c) => c.start > revokedAt);
    const summary = {
      calls: calls.length,
      ok: ok.length,
      failed: failed.length,
      startedAfterRevoke: startedAfter.length,
      revokeMs: Math.round(revokedAt - revokeSentAt),
    };

    // The loop ran as intended: many successes before, many attempts after, within the bound.
    expect(calls.length).toBeLessThanOrEqual(MAX_CALLS + CLIENTS);
    expect(ok.length).toBeGreaterThanOrEqual(BEFORE_REVOKE);
    expect(startedAfter.length).toBeGreaterThanOrEqual(CLIENTS);

    // The property: nothing that started after the revoke was answered got through.
    expect(startedAfter.filter((c) => c.ok)).toEqual([]);
    // Every failure is the guard's 401 for a revoked key (none before the revoke was even sent).
    for (const c of failed) {
      expect({ status: c.status, revokedMessage: /revoked/.test(c.message ?? '') }).toEqual({ status: 401, revokedMessage: true });
    }
    expect(failed.filter((c) => c.end < revokeSentAt)).toEqual([]);
    expect(ok.every((c) => c.start < revokedAt)).toBe(true);

    // Every successful call is in the activity feed (more than one page of it: kg.activity follows nextCursor).
    await settle(kg);
    const history = await kg.activity(jwt, { keyId: key.id });
    // Uses are rolled up per key, tool, client and minute: each roll-up counts its calls.
    const whoamiUses = history.filter((e) => e.type === 'KeyUsed' && / to call whoami\b/.test(e.detail)) as (typeof history[number] & { count: number })[];
    expect({ ...summary, keyUsed: whoamiUses.reduce((n, u) => n + u.count, 0) }).toEqual({ ...summary, keyUsed: ok.length });
    for (const use of whoamiUses) {
      expect(use.detail).toMatch(/^Used API key "raced" to call whoami (once|\d+ times) from racer-\d+ 1\.0\.0 \((ok|\d+ ok)\) (at|between) [\d: and]+ UTC$/);
    }
    expect(history.filter((e) => e.type === 'KeyRevoked')).toHaveLength(1);
    expect((await kg.listKeys(jwt)).map((k) => [k.id, k.status])).toEqual([[key.id, 'revoked']]);
  });
});
