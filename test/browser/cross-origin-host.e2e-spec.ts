import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { root, signJwt } from '#test-support/keygate-harness';
import { bootWithPage, buildWebAssets, describeWithBrowser, launchChromium, type KeygateWithPage } from './browser-harness.js';

// Issue 12: a host product mounts <keygate-api-keys> in its own page, on its own origin; the component loads
// from Keygate and calls the settings API across origins, allowed by KEYGATE_CORS_ORIGINS.
describeWithBrowser('<keygate-api-keys> in a host page of another origin', () => {
  let host: Server;
  let hostUrl: string;
  let kg: KeygateWithPage;
  let browser: Browser;
  let jwt: string;

  beforeAll(async () => {
    // 1. The host: a minimal page that loads the component from Keygate and hands it a JWT.
    host = createServer((req, res) => {
      if (req.url !== '/settings') return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host product settings</title>
<script type="module" src="${kg.url}/settings/assets/keygate-api-keys.js"></script></head>
<body><h1>Acme settings</h1>
<keygate-api-keys api-base-url="${kg.url}"></keygate-api-keys>
<script type="module">
  const el = document.querySelector('keygate-api-keys');
  el.getToken = async () => ${JSON.stringify(jwt)};
</script></body></html>`);
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    // 2. Keygate, allowing that origin (and no other).
    const [assets, b] = await Promise.all([buildWebAssets(), launchChromium()]);
    browser = b;
    kg = await bootWithPage(assets, { KEYGATE_CORS_ORIGINS: hostUrl });
    jwt = await signJwt(root('hana', 'acme'));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await kg?.close();
    await new Promise((r) => host?.close(r));
  });

  it('lists, generates and shows the token through CORS, sending the JWT as a bearer header only', async () => {
    const { key } = (await kg.api(jwt).post('/api/keys', { acknowledgementId: (await kg.api(jwt).post('/api/keys/acknowledgements')).body.acknowledgementId, label: 'Made by the API' })).body;
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const requests: { url: string; cookie: string | undefined }[] = [];
    page.on('request', (r) => requests.push({ url: r.url(), cookie: r.headers().cookie }));
    await page.goto(`${hostUrl}/settings`);
    await page.locator('keygate-api-keys tr', { hasText: 'Made by the API' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('keygate-api-keys').textContent()).not.toBeNull();
    expect(await page.getByText(key.id).count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Generate New API Key' }).click();
    const dialog = page.locator('keygate-api-keys dialog[open]');
    await dialog.getByRole('button', { name: 'I Understand – Continue' }).click();
    await dialog.getByLabel('Label').fill('From the host page');
    await dialog.getByRole('button', { name: 'Generate Key' }).click();
    await dialog.getByRole('heading', { name: 'Your API Key', exact: true }).waitFor();
    expect(await dialog.textContent()).toMatch(/kg_[0-9A-Za-z]{12}_/);

    // The API calls went to Keygate's origin, cross-origin, with no cookie; nothing went anywhere else.
    const api = requests.filter((r) => r.url.startsWith(`${kg.url}/api/`));
    expect(api.length).toBeGreaterThan(2);
    expect(api.filter((r) => r.cookie !== undefined)).toEqual([]);
    expect(requests.filter((r) => !r.url.startsWith(kg.url) && !r.url.startsWith(hostUrl))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 30_000);
});
