import { mkdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { settingsJwt, startReplica } from '../../test/e2e/multi-replica/replica-processes.js';

/**
 * Screenshots of the settings tab for the README: the keys list, the security notice and the token reveal,
 * taken from the compiled app (embedded profile, a temporary data directory) in Debian's chromium.
 *
 *   npm run -s build && node dist/bench/screenshots/settings-tab.js [out-dir]   (default docs/screenshots)
 */
const out = resolve(process.argv[2] ?? 'docs/screenshots');
const CHROMIUM = process.env.KEYGATE_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

const main = async () => {
  mkdirSync(out, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-shots-'));
  const app = await startReplica({ name: 'shots', dataDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    // 1. Two keys to list, minted through the API as Alice (root).
    const jwt = await settingsJwt({ sub: 'alice', company: 'acme', role: 'root', permissions: ['settings:view', 'settings:edit'] });
    const auth = { authorization: `Bearer ${jwt}` };
    for (const label of ['Claude Code on my laptop', 'Cursor — CI agent']) {
      const ack = (await (await fetch(`${app.url}/api/keys/acknowledgements`, { method: 'POST', headers: auth })).json()) as { acknowledgementId: string };
      await fetch(`${app.url}/api/keys`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ acknowledgementId: ack.acknowledgementId, label }) });
    }
    // 2. The page, signed in with the pasted JWT.
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 760 } })).newPage();
    await page.goto(`${app.url}/settings/api-keys`);
    await page.getByLabel('Your JWT').fill(jwt);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'API Keys', level: 2 }).waitFor();
    await page.getByText('Cursor — CI agent').first().waitFor();
    await page.screenshot({ path: join(out, 'keys-list.png') });
    // 3. The notice, then the reveal.
    await page.getByRole('button', { name: 'Generate New API Key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Security & Compliance Notice' }).waitFor();
    await page.screenshot({ path: join(out, 'security-notice.png') });
    await dialog.getByRole('button', { name: 'I Understand – Continue' }).click();
    await dialog.getByLabel('Label').fill('VS Code');
    await dialog.getByRole('button', { name: 'Generate Key' }).click();
    await dialog.getByRole('heading', { name: 'Your API Key', exact: true }).waitFor();
    await page.screenshot({ path: join(out, 'token-reveal.png') });
    process.stdout.write(`screenshots written to ${out}: keys-list.png, security-notice.png, token-reveal.png\n`);
  } finally {
    await browser.close();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

await main();
