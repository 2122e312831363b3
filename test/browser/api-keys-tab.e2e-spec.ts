import type { Browser, Page } from 'playwright-core';
import { plainUser, root, signJwt, type Identity } from '#test-support/keygate-harness';
import { callRequest, mcpRaw } from '#test-support/mcp-client';
import {
  bootWithPage,
  buildWebAssets,
  describeWithBrowser,
  expectFocus,
  launchChromium,
  openSettings,
  seriousViolations,
  signIn,
  type KeygateWithPage,
  type TabPage,
} from './browser-harness.js';

// Issue 12: the settings tab in a real browser (Debian's chromium), against the real app.
describeWithBrowser('the API Keys settings tab in chromium', () => {
  let kg: KeygateWithPage;
  let browser: Browser;
  const open: TabPage[] = [];

  beforeAll(async () => {
    const [assets, b] = await Promise.all([buildWebAssets(), launchChromium()]);
    browser = b;
    kg = await bootWithPage(assets);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await kg?.close();
  });

  /** The page signed in as `who`; at the end of each test, no request left for another origin and no page error. */
  const settingsAs = async (who: Identity, viewport?: { width: number; height: number }): Promise<TabPage & { jwt: string }> => {
    const jwt = await signJwt(who);
    const tab = await openSettings(browser, kg.url, viewport);
    open.push(tab);
    await signIn(tab.page, jwt);
    return { ...tab, jwt };
  };

  afterEach(async () => {
    for (const tab of open.splice(0)) {
      expect(tab.foreign).toEqual([]);
      // A refused request (the 409 of a reached limit) is logged by the browser as a failed resource: expected.
      expect(tab.errors.filter((e) => !/Failed to load resource: the server responded with a status of (403|409)/.test(e))).toEqual([]);
      await tab.context.close();
    }
  });

  const dialog = (page: Page) => page.locator('keygate-api-keys dialog[open]');
  const row = (page: Page, label: string) => page.locator('keygate-api-keys tr', { hasText: label });

  const mintByApi = async (jwt: string, label: string) => {
    const api = kg.api(jwt);
    const ack = await api.post('/api/keys/acknowledgements');
    const minted = await api.post('/api/keys', { acknowledgementId: ack.body.acknowledgementId, label });
    expect(minted.status).toBe(201);
    return minted.body as { key: { id: string }; token: string };
  };

  test('generate → copy → an MCP call with the key → revoke → the call refused → delete; the token gone after Done', async () => {
    const { page, context } = await settingsAs(root('alice', 'acme'));
    await page.getByText('No API keys yet.').waitFor();

    await page.getByRole('button', { name: 'Generate New API Key' }).click();
    await dialog(page).getByRole('heading', { name: 'Security & Compliance Notice' }).waitFor();
    expect(await dialog(page).locator('ol.notice li').count()).toBe(6);
    await dialog(page).getByRole('button', { name: 'I Understand – Continue' }).click();

    const label = dialog(page).getByLabel('Label');
    expect(await label.inputValue()).toMatch(/^API Key (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}$/);
    await label.fill('Browser key');
    await dialog(page).getByRole('button', { name: 'Generate Key' }).click();

    await dialog(page).getByRole('heading', { name: 'Your API Key', exact: true }).waitFor();
    expect(await dialog(page).textContent()).toMatch(/will not be shown again/);
    const token = (await dialog(page).locator('#token').textContent())!.trim();
    expect(token).toMatch(/^kg_[A-Za-z0-9]+_[A-Za-z0-9]+$/);
    await dialog(page).getByRole('button', { name: 'Copy', exact: true }).click();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(token);

    // Quick Setup: one tab per client, each snippet carrying the key (Codex's in the export line), its own Copy.
    const tabs = await dialog(page).getByRole('tab').allTextContents();
    expect(tabs.map((t) => t.trim())).toEqual(expect.arrayContaining(['Claude Code', 'ChatGPT / Codex', 'Cursor', 'Windsurf / Other', 'Generic']));
    for (const name of ['Claude Code', 'Cursor', 'Generic']) {
      await dialog(page).getByRole('tab', { name }).click();
      expect(await dialog(page).getByRole('tabpanel').locator('pre').textContent()).toContain(token);
    }
    await dialog(page).getByRole('button', { name: 'Copy the Generic configuration' }).click();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toContain(`Key: ${token}`);

    // The copied key works for an MCP client.
    const copied: string = await page.evaluate(() => (globalThis as any).navigator.clipboard.readText()).then((t: string) => t.split('Key: ')[1]!.trim());
    expect((await mcpRaw(kg.url, { token: copied, body: callRequest('whoami') })).status).toBe(200);

    // Done: the token leaves the DOM and the component's state; nothing was put in storage or a cookie.
    await dialog(page).getByRole('button', { name: 'Done – I have Saved My Key' }).click();
    await dialog(page).waitFor({ state: 'detached' });
    const traces = await page.evaluate((secret: string) => {
      const g = globalThis as any;
      const el = g.document.querySelector('keygate-api-keys');
      const states: string[] = [];
      const replacer = (_k: string, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v);
      for (const name of [...Object.getOwnPropertyNames(el), 'dialog', 'keys', 'activity', 'notice']) {
        const v = el[name];
        if (typeof v === 'function' || (v && typeof v === 'object' && 'nodeType' in v)) continue;
        try {
          states.push(JSON.stringify(v, replacer) ?? '');
        } catch {
          states.push(String(v));
        }
      }
      return {
        inState: states.some((s) => s.includes(secret)),
        inDom: g.document.documentElement.outerHTML.includes(secret) || el.shadowRoot.innerHTML.includes(secret),
        storage: g.localStorage.length + g.sessionStorage.length,
        cookie: g.document.cookie,
      };
    }, token);
    expect(traces).toEqual({ inState: false, inDom: false, storage: 0, cookie: '' });
    expect(await context.cookies()).toEqual([]);
    await expectFocus(page, 'generate');

    // The new key's row.
    await row(page, 'Browser key').waitFor();
    expect(await row(page, 'Browser key').locator('td[data-label="Status"]').textContent()).toContain('Active');
    expect(await row(page, 'Browser key').locator('td[data-label="User"]').textContent()).toContain('Alice');

    // Revoke, confirmed.
    await row(page, 'Browser key').getByRole('button', { name: 'Revoke Browser key' }).click();
    expect(await dialog(page).textContent()).toMatch(/immediate and cannot be undone/);
    await dialog(page).getByRole('button', { name: 'Revoke Key' }).click();
    await dialog(page).waitFor({ state: 'detached' });
    await row(page, 'Browser key').locator('td[data-label="Status"]', { hasText: 'Revoked' }).waitFor();

    const refused = await mcpRaw(kg.url, { token: copied, body: callRequest('whoami') });
    expect(refused.status).toBe(401);

    // The key's own timeline.
    await row(page, 'Browser key').getByRole('button', { name: 'Activity of Browser key' }).click();
    await page.getByRole('heading', { name: 'Activity of "Browser key"' }).waitFor();
    await page.locator('keygate-api-keys li[data-type="KeyRevoked"]').waitFor();
    expect(await page.locator('keygate-api-keys li[data-type="KeyMinted"]').count()).toBe(1);

    // Delete (root, revoked row), confirmed; the row is gone.
    await row(page, 'Browser key').getByRole('button', { name: 'Delete Browser key' }).click();
    await dialog(page).getByRole('button', { name: 'Delete Key' }).click();
    await dialog(page).waitFor({ state: 'detached' });
    await row(page, 'Browser key').waitFor({ state: 'detached' });
    await page.getByText('No API keys yet.').waitFor();

    // The recent feed: lifecycle entries, and the use as one roll-up with its count and outcomes.
    for (let i = 0; i < 50 && (await page.locator('keygate-api-keys li[data-type="KeyUsed"]').count()) === 0; i++) {
      await page.evaluate(() => (globalThis as any).document.querySelector('keygate-api-keys').refresh());
      await page.waitForTimeout(100);
    }
    const use = page.locator('keygate-api-keys li[data-type="KeyUsed"]');
    expect(await use.count()).toBe(1);
    expect(await use.textContent()).toMatch(/1 use\b[\s\S]*1 ok, 0 error, 0 denied/);
    expect(await page.locator('keygate-api-keys li[data-type="KeyDeleted"]').count()).toBe(1);
  });

  test("a root user sees the company's keys and may delete; a plain user sees their own, with no Delete", async () => {
    const bobJwt = await signJwt(plainUser('bob', 'globex'));
    const rootJwt = await signJwt(root('rita', 'globex'));
    const bobs = await mintByApi(bobJwt, 'Bob laptop');
    await mintByApi(rootJwt, 'Rita CLI');
    expect((await kg.api(bobJwt).post(`/api/keys/${bobs.key.id}/revoke`)).status).toBe(200);

    const bob = await settingsAs(plainUser('bob', 'globex'));
    await row(bob.page, 'Bob laptop').locator('td[data-label="Status"]', { hasText: 'Revoked' }).waitFor();
    expect(await bob.page.locator('keygate-api-keys tbody tr').count()).toBe(1);
    expect(await bob.page.getByRole('button', { name: /^Delete / }).count()).toBe(0);

    const rita = await settingsAs(root('rita', 'globex'));
    await row(rita.page, 'Rita CLI').waitFor();
    // Newest first, as the API orders them.
    expect((await rita.page.locator('keygate-api-keys tbody tr td.label').allTextContents()).map((t) => t.trim())).toEqual(['Rita CLI', 'Bob laptop']);
    expect(await row(rita.page, 'Bob laptop').getByRole('button', { name: 'Delete Bob laptop' }).count()).toBe(1);
    expect(await row(rita.page, 'Rita CLI').getByRole('button', { name: /^Delete / }).count()).toBe(0);
  });

  test('a reached limit is shown in the dialog, which stays open', async () => {
    const jwt = await signJwt(plainUser('carol', 'initech'));
    for (let i = 0; i < 5; i++) await mintByApi(jwt, `Carol ${i}`);
    const { page } = await settingsAs(plainUser('carol', 'initech'));
    await row(page, 'Carol 4').waitFor();
    await page.getByRole('button', { name: 'Generate New API Key' }).click();
    await dialog(page).getByRole('button', { name: 'I Understand – Continue' }).click();
    await dialog(page).getByRole('button', { name: 'Generate Key' }).click();
    const alert = dialog(page).getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/limit|5/i);
    expect(await dialog(page).getByRole('heading', { name: 'Name Your API Key' }).count()).toBe(1);
    // Escape closes it; focus returns to the button that opened it.
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'detached' });
    await expectFocus(page, 'generate');
  });

  test('keyboard only: sign in, generate, focus kept in the dialogs and returned, Escape closes', async () => {
    const jwt = await signJwt(root('dave', 'umbrella'));
    const tab = await openSettings(browser, kg.url);
    open.push(tab);
    const { page } = tab;
    const kb = page.keyboard;
    await kb.press('Tab');
    await kb.insertText(jwt);
    await kb.press('Tab');
    await kb.press('Enter'); // Sign in
    await page.getByText('No API keys yet.').waitFor();
    await kb.press('Tab'); // from Sign out into the component
    await expectFocus(page, 'generate');
    await kb.press('Enter');
    await dialog(page).getByRole('heading', { name: 'Security & Compliance Notice' }).waitFor();
    await expectFocus(page, 'I Understand – Continue');
    // Focus stays inside: Tab from the last control wraps to the first, Shift+Tab back.
    await kb.press('Tab');
    await expectFocus(page, 'Cancel');
    await kb.press('Shift+Tab');
    await expectFocus(page, 'I Understand – Continue');
    await kb.press('Enter');
    await dialog(page).getByRole('heading', { name: 'Name Your API Key' }).waitFor();
    await expectFocus(page, 'key-label');
    await kb.press('Control+A');
    await kb.insertText('Keyboard key');
    await kb.press('Enter');
    await dialog(page).getByRole('heading', { name: 'Your API Key', exact: true }).waitFor();
    await expectFocus(page, 'Copy');
    // Quick Setup tabs with the arrow keys.
    const firstTab = await dialog(page).getByRole('tab').first().textContent();
    await dialog(page).getByRole('tab', { name: firstTab!.trim() }).focus();
    await kb.press('ArrowRight');
    expect(await dialog(page).getByRole('tab', { selected: true }).textContent()).toContain('ChatGPT / Codex');
    await dialog(page).getByRole('button', { name: 'Copy', exact: true }).focus();
    await kb.press('Shift+Tab'); // wraps to the last control: Done
    await expectFocus(page, 'Done – I have Saved My Key');
    await kb.press('Enter');
    await dialog(page).waitFor({ state: 'detached' });
    await expectFocus(page, 'generate');
    await row(page, 'Keyboard key').waitFor();

    // Revoke dialog: Escape closes it without revoking, focus back on the row's Revoke button.
    await row(page, 'Keyboard key').getByRole('button', { name: 'Revoke Keyboard key' }).focus();
    await kb.press('Enter');
    await dialog(page).getByRole('heading', { name: 'Revoke API Key?' }).waitFor();
    await expectFocus(page, 'Cancel');
    await kb.press('Escape');
    await dialog(page).waitFor({ state: 'detached' });
    await expectFocus(page, 'Revoke Keyboard key');
    expect(await row(page, 'Keyboard key').locator('td[data-label="Status"]').textContent()).toContain('Active');
  });

  test('at 390 px nothing scrolls sideways, and axe finds no serious or critical violation', async () => {
    const jwt = await signJwt(root('erin', 'hooli'));
    await mintByApi(jwt, 'A key with a rather long label to wrap on a phone screen');
    const { page } = await settingsAs(root('erin', 'hooli'), { width: 390, height: 844 });
    const scrollWidth = () => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
    await row(page, 'A key with a rather long label').waitFor();
    await page.locator('keygate-api-keys li.entry').first().waitFor();
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Generate New API Key' }).click();
    await dialog(page).getByRole('heading', { name: 'Security & Compliance Notice' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog(page).getByRole('button', { name: 'I Understand – Continue' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog(page).getByRole('button', { name: 'Generate Key' }).click();
    await dialog(page).getByRole('heading', { name: 'Your API Key', exact: true }).waitFor();
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    expect(await seriousViolations(page)).toEqual([]);
    await dialog(page).getByRole('button', { name: 'Done – I have Saved My Key' }).click();

    await row(page, 'A key with a rather long label').getByRole('button', { name: /^Revoke / }).click();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('the page works under its own Content-Security-Policy (no inline script, nothing from elsewhere)', async () => {
    const jwt = await signJwt(root('frank', 'stark'));
    const tab = await openSettings(browser, kg.url, undefined, { bypassCSP: false });
    open.push(tab);
    const csp = (await tab.page.request.get(kg.url + '/settings/api-keys')).headers()['content-security-policy'];
    expect(csp).toMatch(/default-src 'none'/);
    await signIn(tab.page, jwt);
    await tab.page.getByText('No API keys yet.').waitFor();
    await tab.page.getByRole('button', { name: 'Generate New API Key' }).click();
    await dialog(tab.page).getByRole('heading', { name: 'Security & Compliance Notice' }).waitFor();
    // The component's styles applied (constructable stylesheets are not governed by style-src).
    expect(await dialog(tab.page).evaluate((d: any) => (globalThis as any).getComputedStyle(d).borderRadius)).toBe('6px');
  });
});
