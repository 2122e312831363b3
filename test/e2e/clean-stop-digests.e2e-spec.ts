import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_KEY_FILE, verifyingKeyFromPem, verifyLog, type AuditFinding } from '#audit';
import { openSqlite, sqliteFileIn, SqliteEventStore } from '#event-store';
import { bootKeygate, signJwt } from '#test-support/keygate-harness';
import { callRequest, mcpRaw } from '#test-support/mcp-client';

// A clean stop leaves nothing for `verify` to call uncovered: the calls still being answered when the stop begins
// (they get the grace period) record their uses, and the digest writer's last digest must come after them.
describe('a clean stop and the audit digests', () => {
  // A tool that takes its time: the calls to it are still being answered when the stop begins.
  const pluginDir = mkdtempSync(join(tmpdir(), 'keygate-slow-tool-'));
  const plugin = join(pluginDir, 'slow.tool.mjs');
  writeFileSync(
    plugin,
    `export default { name: 'slow', description: 'Answers after 400 ms (test plugin).', requiredPermission: null,
      annotations: { readOnlyHint: true }, inputSchema: {},
      async handler() { await new Promise((r) => setTimeout(r, 400)); return { content: [{ type: 'text', text: 'done' }] }; } };`,
  );
  afterAll(() => rmSync(pluginDir, { recursive: true, force: true }));

  it('covers the uses answered during the grace period with the last digest', async () => {
    const kg = await bootKeygate({ env: { KEYGATE_TOOL_MODULES: plugin } });
    const dataDir = kg.dataDir;
    const { token } = await kg.mintKey(await signJwt({ sub: 'alice', company: 'acme', role: 'root', permissions: ['settings:view'] }), 'stop');
    // The key's first use verifies its argon2id hash: done before, so the calls below reach the tool at once.
    expect((await mcpRaw(kg.url, { token, body: callRequest('whoami') })).status).toBe(200);

    // 1. Calls in flight: each inside the slow tool when the stop begins.
    const calls = Array.from({ length: 10 }, () => mcpRaw(kg.url, { token, body: callRequest('slow') }).then((r) => r.status, () => 0));
    await new Promise((resolve) => setTimeout(resolve, 150));

    // 2. The stop; then every call has its answer (or lost its connection at the end of the grace period).
    await kg.close({ keepData: true });
    const statuses = await Promise.all(calls);

    // 3. verify: every event in the log covered by a digest, the uses answered during the stop included.
    const db = openSqlite(sqliteFileIn(dataDir));
    try {
      const uses = db.prepare("SELECT COUNT(*) FROM events WHERE type = 'KeyUsed'").pluck().get() as number;
      // The whoami before, and each slow call answered during the grace period.
      expect(statuses).toEqual(Array.from({ length: 10 }, () => 200));
      expect(uses).toBe(11);
      const key = verifyingKeyFromPem(readFileSync(join(dataDir, AUDIT_KEY_FILE), 'utf8'));
      const findings: AuditFinding[] = [];
      const report = await verifyLog({ store: new SqliteEventStore(db), key, now: new Date(), maxUncoveredMs: 0, onFinding: (f) => findings.push(f) });
      expect({ findings, uncovered: report.uncovered.count }).toEqual({ findings: [], uncovered: 0 });
    } finally {
      db.close();
    }
  });
});
