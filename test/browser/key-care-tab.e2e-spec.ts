import type { Browser, Page } from 'playwright-core';
import { root, signJwt, type Identity } from '#test-support/keygate-harness';
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

// Issue 15 in the settings tab, in a real browser against the real app: rotate (the new token shown once, the old
// key marked as being replaced), suspend and resume, and the narrower-key choice at mint.
describeWithBrowser('key care in the API Keys tab (rotate, suspend/resume, narrower keys) in chromium', () => {
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

  // JWTs valid for a day: a test moves the app's clock past a rotation's overlap.
  const jwtOf = (who: Identity) => signJwt(who, { expiresAt: '1d' });

  /** The page signed in as `who`, the component's events recorded; at the end, nothing sent elsewhere, no page error. */
  const settingsAs = async (who: Identity, viewport?: { width: number; height: number }) => {
    const jwt = await jwtOf(who);
    const tab = await openSettings(browser, kg.url, viewport);
    open.push(tab);
    await tab.page.evaluate(() => {
      const g = globalThis as any;
      g.keygateEvents = [];
      for (const type of ['keygate-key-created', 'keygate-key-rotated', 'keygate-key-suspended', 'keygate-key-resumed', 'keygate-key-revoked']) {
        g.document.addEventListener(type, (e: any) => g.keygateEvents.push({ type, detail: JSON.parse(JSON.stringify(e.detail)) }));
      }
    });
    await signIn(tab.page, jwt);
    return { ...tab, jwt };
  };

  afterEach(async () => {
    for (const tab of open.splice(0)) {
      expect(tab.foreign).toEqual([]);
      // A refused request (a 409 shown in a dialog) is logged by the browser as a failed resource: expected.
      expect(tab.errors.filter((e) => !/Failed to load resource: the server responded with a status of (403|409)/.test(e))).toEqual([]);
      await tab.context.close();
    }
  });

  const dialog = (page: Page) => page.locator('keygate-api-keys dialog[open]');
  const rowOf = (page: Page, keyId: string) => page.locator(`keygate-api-keys tr[data-key-id="${keyId}"]`);
  const row = (page: Page, label: string) => page.locator('keygate-api-keys tr', { hasText: label });
  const events = (page: Page) => page.evaluate(() => (globalThis as any).keygateEvents as { type: string; detail: any }[]);
  /** An element's text with its whitespace collapsed, as it reads. */
  const textOf = async (loc: ReturnType<Page['locator']>) => ((await loc.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const whoami = (token: string) => mcpRaw(kg.url, { token, body: callRequest('whoami') });

  const mintByApi = async (jwt: string, label: string) => {
    const api = kg.api(jwt);
    const ack = await api.post('/api/keys/acknowledgements');
    const minted = await api.post('/api/keys', { acknowledgementId: ack.body.acknowledgementId, label });
    expect(minted.status).toBe(201);
    return minted.body as { key: { id: string; prefix: string }; token: string };
  };

  test('rotate: an overlap chosen, the new token shown once with its setup, the old key marked as being replaced until it stops', async () => {
    const who = root('gina', 'wayne');
    const old = await mintByApi(await jwtOf(who), 'Deploy bot');
    const { page } = await settingsAs(who);
    await rowOf(page, old.key.id).waitFor();

    await rowOf(page, old.key.id).getByRole('button', { name: 'Rotate Deploy bot' }).click();
    await dialog(page).getByRole('heading', { name: 'Rotate API Key?' }).waitFor();
    // 24 hours is the default; the choices are the API's range (none to 7 days).
    const overlaps = dialog(page).getByRole('group', { name: 'How long the old key keeps working' });
    expect((await overlaps.getByRole('radio').evaluateAll((rs: any[]) => rs.map((r) => r.labels[0].textContent.trim())))).toEqual([
      'No overlap',
      '1 hour',
      '24 hours',
      '7 days',
    ]);
    expect(await dialog(page).getByRole('radio', { name: '24 hours' }).isChecked()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await dialog(page).getByRole('radio', { name: '1 hour' }).check();
    const sent = page.waitForRequest((r) => r.url().endsWith(`/api/keys/${old.key.id}/rotate`));
    await dialog(page).getByRole('button', { name: 'Rotate Key' }).click();
    expect((await sent).postDataJSON()).toEqual({ overlapSeconds: 3600 });

    // The new token, once, with the same Quick Setup as a mint; the old key's end is said.
    await dialog(page).getByRole('heading', { name: 'Your New API Key' }).waitFor();
    expect(await dialog(page).textContent()).toMatch(/will not be shown again/);
    expect(await textOf(dialog(page))).toMatch(/The old key "Deploy bot" \(kg_\w+\) keeps working until \w{3} \d{1,2}, \d{4} \d\d:\d\d UTC/);
    const token = (await dialog(page).locator('#token').textContent())!.trim();
    expect(token).toMatch(/^kg_[A-Za-z0-9]+_[A-Za-z0-9]+$/);
    expect(token).not.toBe(old.token);
    await dialog(page).getByRole('tab', { name: 'Claude Code' }).click();
    expect(await dialog(page).getByRole('tabpanel').locator('pre').textContent()).toContain(token);
    await dialog(page).getByRole('button', { name: 'Copy', exact: true }).click();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(token);
    await dialog(page).getByRole('button', { name: 'Done – I have Saved My Key' }).click();
    await dialog(page).waitFor({ state: 'detached' });
    expect(await page.evaluate((t: string) => (globalThis as any).document.querySelector('keygate-api-keys').shadowRoot.innerHTML.includes(t), token)).toBe(false);

    // The event for the host, with both keys.
    const rotated = (await events(page)).filter((e) => e.type === 'keygate-key-rotated');
    expect(rotated).toHaveLength(1);
    const newId: string = rotated[0]!.detail.key.id;
    expect(rotated[0]!.detail.previous).toMatchObject({ id: old.key.id, replacedBy: newId });

    // Two rows of one label, told apart by prefix; the old one is being replaced and cannot be rotated again.
    const oldRow = rowOf(page, old.key.id);
    await oldRow.getByText(/Being replaced — works until/).waitFor();
    expect(await textOf(oldRow.locator('td[data-label="Status"]'))).toMatch(/Active[\s\S]*Being replaced — works until \w{3} \d{1,2}, \d{4} \d\d:\d\d UTC[\s\S]*Replaced by “Deploy bot” \(kg_/);
    expect(await oldRow.getByRole('button', { name: /^Rotate / }).count()).toBe(0);
    expect(await textOf(rowOf(page, newId).locator('td[data-label="Status"]'))).toMatch(/Active[\s\S]*Replaces “Deploy bot” \(kg_/);
    // The new key cannot be rotated while its predecessor still works (the API would answer 409).
    expect(await rowOf(page, newId).getByRole('button', { name: /^Rotate / }).count()).toBe(0);
    expect(await rowOf(page, newId).getByRole('button', { name: /^Revoke Deploy bot \(kg_\w+\)$/ }).count()).toBe(1);
    await page.locator('keygate-api-keys li[data-type="KeyRotated"]').waitFor();
    // Focus went back to the old key's row (its Rotate button is gone).
    await expectFocus(page, /^Activity of Deploy bot \(kg_/);

    // Both tokens work during the overlap; the old one is refused the moment it ends, and its row says why.
    expect((await whoami(old.token)).status).toBe(200);
    expect((await whoami(token)).status).toBe(200);
    kg.clock.advance(60 * 60 * 1000 + 1000);
    expect((await whoami(old.token)).status).toBe(401);
    expect((await whoami(token)).status).toBe(200);
    await page.evaluate(() => (globalThis as any).document.querySelector('keygate-api-keys').refresh());
    await oldRow.locator('td[data-label="Status"]', { hasText: 'Revoked' }).waitFor();
    expect(await textOf(oldRow.locator('td[data-label="Status"]'))).toMatch(/Revoked: rotated — replaced by “Deploy bot” \(kg_/);
    // Now the new key may be rotated in turn.
    await rowOf(page, newId).getByRole('button', { name: /^Rotate Deploy bot/ }).waitFor();
  });

  test('a rotated key whose replacement was revoked says it retires alone at its overlap end, and names no replacement', async () => {
    const who = root('ivan', 'wonka');
    const jwt = await jwtOf(who);
    const old = await mintByApi(jwt, 'Release bot');
    const rotated = await kg.api(jwt).post(`/api/keys/${old.key.id}/rotate`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(201);
    const newId: string = rotated.body.key.id;
    expect((await kg.api(jwt).post(`/api/keys/${newId}/revoke`)).status).toBe(200);
    const { page } = await settingsAs(who);
    const oldRow = rowOf(page, old.key.id);
    await oldRow.getByText(/Retiring — works until/).waitFor();
    const status = await textOf(oldRow.locator('td[data-label="Status"]'));
    expect(status).toMatch(/Active[\s\S]*Retiring — works until \w{3} \d{1,2}, \d{4} \d\d:\d\d UTC, then stops\. The key that was to replace it no longer works: mint a new key before then\./);
    expect(status).not.toMatch(/Being replaced|Replaced by/);
    expect(await oldRow.getByRole('button', { name: /^Rotate / }).count()).toBe(0);
    expect(await textOf(rowOf(page, newId).locator('td[data-label="Status"]'))).toMatch(/Revoked[\s\S]*Replaces “Release bot” \(kg_/);
  });

  test('suspend → "Suspended" badge and 401 → resume (keyboard) → works again, focus kept on the row', async () => {
    const who = root('hank', 'tyrell');
    const key = await mintByApi(await jwtOf(who), 'Nightly job');
    const { page } = await settingsAs(who);
    const r = row(page, 'Nightly job');
    await r.waitFor();

    await r.getByRole('button', { name: 'Suspend Nightly job' }).focus();
    await page.keyboard.press('Enter');
    await dialog(page).getByRole('heading', { name: 'Suspend API Key?' }).waitFor();
    expect(await textOf(dialog(page))).toMatch(/until you resume it/);
    await expectFocus(page, 'Cancel');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog(page).getByRole('button', { name: 'Suspend Key' }).click();
    await dialog(page).waitFor({ state: 'detached' });
    await r.locator('td[data-label="Status"] .badge', { hasText: 'Suspended' }).waitFor();
    expect((await whoami(key.token)).status).toBe(401);
    // Suspended keys cannot be rotated; they can be revoked; the same button now resumes, and keeps the focus.
    expect(await r.getByRole('button', { name: /^Rotate / }).count()).toBe(0);
    expect(await r.getByRole('button', { name: 'Revoke Nightly job' }).count()).toBe(1);
    await r.getByRole('button', { name: 'Resume Nightly job' }).waitFor();
    await expectFocus(page, 'Resume Nightly job');
    await page.locator('keygate-api-keys [role="status"]', { hasText: 'suspended' }).waitFor();

    await page.keyboard.press('Enter');
    await r.locator('td[data-label="Status"] .badge', { hasText: 'Active' }).waitFor();
    await expectFocus(page, 'Suspend Nightly job');
    expect((await whoami(key.token)).status).toBe(200);
    await page.locator('keygate-api-keys [role="status"]', { hasText: 'resumed' }).waitFor();

    const seen = (await events(page)).map((e) => [e.type, e.detail.keyId, e.detail.key?.status]);
    expect(seen).toEqual([
      ['keygate-key-suspended', key.key.id, 'suspended'],
      ['keygate-key-resumed', key.key.id, 'active'],
    ]);
    for (const type of ['KeySuspended', 'KeyResumed']) await page.locator(`keygate-api-keys li[data-type="${type}"]`).waitFor();
  });

  test('a read-only key at mint: the presets with their permissions, the subset sent, the list showing it', async () => {
    const who: Identity = { sub: 'ivy', company: 'soylent', role: 'user', permissions: ['orders:read', 'orders:write', 'settings:view', 'settings:edit'] };
    const { page, jwt } = await settingsAs(who);
    await page.getByText('No API keys yet.').waitFor();
    await page.getByRole('button', { name: 'Generate New API Key' }).click();
    await dialog(page).getByRole('button', { name: 'I Understand – Continue' }).click();
    await dialog(page).getByRole('heading', { name: 'Name Your API Key' }).waitFor();

    const presets = dialog(page).getByRole('group', { name: 'Permissions' });
    const everything = presets.getByRole('radio', { name: 'Everything you can do' });
    const readOnly = presets.getByRole('radio', { name: 'Read only' });
    expect(await everything.isChecked()).toBe(true);
    // Each choice lists what it includes (as the radio's description).
    expect(await presets.locator('#preset-full-permissions').textContent()).toMatch(/orders:read, orders:write, settings:view, settings:edit/);
    expect((await presets.locator('#preset-read-only-permissions').textContent())!.replace(/\s+/g, ' ')).toMatch(/Includes: orders:read, settings:view\s*$/);
    expect(await readOnly.getAttribute('aria-describedby')).toContain('preset-read-only-permissions');
    expect(await seriousViolations(page)).toEqual([]);

    // Keyboard: Tab from the label to the radio group, the arrow key picks Read only.
    await expectFocus(page, 'key-label');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('Reporting');
    await page.keyboard.press('Tab');
    await expectFocus(page, 'preset-full');
    await page.keyboard.press('ArrowDown');
    expect(await readOnly.isChecked()).toBe(true);
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/keys'));
    await dialog(page).getByRole('button', { name: 'Generate Key' }).click();
    expect((await sent).postDataJSON()).toMatchObject({ label: 'Reporting', permissions: ['orders:read', 'settings:view'] });
    await dialog(page).getByRole('heading', { name: 'Your API Key', exact: true }).waitFor();
    await dialog(page).getByRole('button', { name: 'Done – I have Saved My Key' }).click();

    const perms = row(page, 'Reporting').getByRole('list', { name: 'Permissions of Reporting' });
    await perms.waitFor();
    expect((await perms.getByRole('listitem').allTextContents()).map((t) => t.trim())).toEqual(['orders:read', 'settings:view']);
    const created = (await events(page)).find((e) => e.type === 'keygate-key-created');
    expect(created?.detail.key.permissions).toEqual(['orders:read', 'settings:view']);

    // "Everything" mints with all of them (no list sent: the API's default).
    const everythingSent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/keys'));
    await page.getByRole('button', { name: 'Generate New API Key' }).click();
    await dialog(page).getByRole('button', { name: 'I Understand – Continue' }).click();
    await dialog(page).getByLabel('Label').fill('Full');
    await dialog(page).getByRole('button', { name: 'Generate Key' }).click();
    expect((await everythingSent).postDataJSON().permissions).toBeUndefined();
    await dialog(page).getByRole('button', { name: 'Done – I have Saved My Key' }).click();
    await row(page, 'Full').getByRole('list', { name: 'Permissions of Full' }).waitFor();
    expect(await row(page, 'Full').getByRole('listitem').count()).toBe(4);
    const listed = await kg.api(jwt).get('/api/keys');
    expect(listed.body.items.map((k: any) => [k.label, k.permissions.length])).toEqual([
      ['Full', 4],
      ['Reporting', 2],
    ]);
  });

  test('keyboard only: the rotate dialog keeps focus inside, arrow keys pick the overlap, Escape returns to Rotate', async () => {
    const who = root('jack', 'cyberdyne');
    await mintByApi(await jwtOf(who), 'Keyboard rotation');
    const { page } = await settingsAs(who);
    const kb = page.keyboard;
    const r = row(page, 'Keyboard rotation');
    await r.waitFor();

    await r.getByRole('button', { name: 'Rotate Keyboard rotation' }).focus();
    await kb.press('Enter');
    await dialog(page).getByRole('heading', { name: 'Rotate API Key?' }).waitFor();
    // Focus starts on the chosen overlap; the group is one Tab stop; Tab wraps from the last button to it.
    await expectFocus(page, 'overlap-86400');
    await kb.press('ArrowDown');
    await expectFocus(page, 'overlap-604800');
    expect(await dialog(page).getByRole('radio', { name: '7 days' }).isChecked()).toBe(true);
    await kb.press('Tab');
    await expectFocus(page, 'Cancel');
    await kb.press('Tab');
    await expectFocus(page, 'Rotate Key');
    await kb.press('Tab');
    await expectFocus(page, 'overlap-604800');
    await kb.press('Shift+Tab');
    await expectFocus(page, 'Rotate Key');
    await kb.press('Escape');
    await dialog(page).waitFor({ state: 'detached' });
    await expectFocus(page, 'Rotate Keyboard rotation');
    expect(await r.locator('td[data-label="Status"]').textContent()).not.toMatch(/Being replaced/);

    // Again, all the way: no overlap, Rotate Key by Enter, the token dialog, Done.
    await kb.press('Enter');
    await dialog(page).getByRole('heading', { name: 'Rotate API Key?' }).waitFor();
    await kb.press('ArrowUp');
    await kb.press('ArrowUp');
    await expectFocus(page, 'overlap-0');
    await kb.press('Tab');
    await kb.press('Tab');
    await kb.press('Enter');
    await dialog(page).getByRole('heading', { name: 'Your New API Key' }).waitFor();
    await expectFocus(page, 'Copy');
    expect(await textOf(dialog(page))).toMatch(/The old key "Keyboard rotation" \(kg_\w+\) has stopped working/);
    await dialog(page).getByRole('button', { name: 'Done – I have Saved My Key' }).focus();
    await kb.press('Enter');
    await dialog(page).waitFor({ state: 'detached' });
    // The old key (no overlap) reads revoked by rotation at once.
    const rows = page.locator('keygate-api-keys tbody tr');
    await page.locator('keygate-api-keys tr.status-revoked').waitFor();
    expect(await rows.count()).toBe(2);
    expect(await textOf(page.locator('keygate-api-keys tr.status-revoked td[data-label="Status"]'))).toMatch(/Revoked: rotated/);
  });

  // Last: it moves the app's clock 80 days on.
  test('at 390 px the new states fit without sideways scrolling, "Expires soon" says rotating renews, axe finds no serious violation', async () => {
    const who = root('kate', 'oscorp');
    // Valid past the clock's jump (the app checks a JWT's expiry on its own clock).
    const jwt = await signJwt(who, { expiresAt: Math.floor(Date.now() / 1000) + 200 * 86400 });
    const a = await mintByApi(jwt, 'Phone key being replaced');
    const b = await mintByApi(jwt, 'Phone key suspended');
    await mintByApi(jwt, 'Phone key expiring');
    kg.clock.advance(80 * 86400 * 1000);
    expect((await kg.api(jwt).post(`/api/keys/${a.key.id}/rotate`, { overlapSeconds: 86400 })).status).toBe(201);
    expect((await kg.api(jwt).post(`/api/keys/${b.key.id}/suspend`)).status).toBe(200);

    const tab = await openSettings(browser, kg.url, { width: 390, height: 844 });
    open.push(tab);
    const { page } = tab;
    await signIn(page, jwt);
    await row(page, 'Phone key suspended').locator('.badge', { hasText: 'Suspended' }).waitFor();
    await page.getByText(/Being replaced — works until/).waitFor();
    const expiring = row(page, 'Phone key expiring').locator('td[data-label="Expires"]');
    expect(await expiring.textContent()).toMatch(/Expires soon[\s\S]*Rotate it to renew it/);
    expect(await row(page, 'Phone key suspended').locator('td[data-label="Expires"]').textContent()).toMatch(/Expires soon[\s\S]*Resume and rotate it/);
    // The key being replaced is not flagged (its successor is fresh), nor is the successor.
    expect(await page.locator('keygate-api-keys .soon-badge').count()).toBe(2);

    const scrollWidth = () => page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Rotate Phone key expiring' }).click();
    await dialog(page).getByRole('heading', { name: 'Rotate API Key?' }).waitFor();
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
