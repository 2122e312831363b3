import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { pino } from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '#config';
import { createKeygateApp } from '#api';
import { httpClient, JWT_SECRET, newDataDir, TestClock, type Api, type Keygate } from '#test-support/keygate-harness';
import { describeUnless } from '#test-support/describe-unless';
import { packageRoot, SETTINGS_PAGE_PATH, webBuildOptions } from '../../apps/api/src/settings-page/index.js';

/** Debian's chromium; the browser suites are skipped, with the reason, where it is missing. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const browserAvailable = (): { available: true } | { available: false; reason: string } =>
  existsSync(CHROMIUM) ? { available: true } : { available: false, reason: `${CHROMIUM} is missing (Debian: apt-get install chromium)` };

/** `describe` where chromium exists; else skipped with the reason (describeUnless). */
export function describeWithBrowser(title: string, body: () => void): void {
  const verdict = browserAvailable();
  describeUnless(verdict.available ? null : verdict.reason, title, body);
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

/** Bundles apps/web as the build does (webBuildOptions), into a temporary directory. */
export const buildWebAssets = async (): Promise<string> => {
  const outdir = mkdtempSync(join(tmpdir(), 'keygate-web-'));
  await build(webBuildOptions(packageRoot(), outdir));
  return outdir;
};

export type KeygateWithPage = Pick<Keygate, 'keygate' | 'url' | 'clock' | 'api'> & { close(): Promise<void> };

/** The real app, as bootKeygate boots it, serving the settings tab from the assets this suite just built. */
export const bootWithPage = async (assetsDir: string, env: Record<string, string> = {}): Promise<KeygateWithPage> => {
  const dataDir = newDataDir();
  // The browser's clock is the real one: the app's starts there too, so "expires in N days" reads true.
  const clock = new TestClock(new Date());
  const config = loadConfig({ KEYGATE_DATA_DIR: dataDir, KEYGATE_JWT_SECRET: JWT_SECRET, LOG_LEVEL: 'silent', ...env });
  const keygate = await createKeygateApp(config, { clock, logger: pino({ level: 'silent' }), startSweeper: false, webAssetsDir: assetsDir });
  await keygate.app.listen({ port: 0, host: '127.0.0.1' });
  const { address, port } = keygate.app.getHttpServer().address() as AddressInfo;
  const url = `http://${address}:${port}`;
  return {
    keygate,
    url,
    clock,
    api: (token?: string): Api => httpClient(url, token),
    async close() {
      await keygate.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

export interface TabPage {
  page: Page;
  context: BrowserContext;
  /** Requests the page tried to send anywhere but the app's origin (each was failed). */
  foreign: string[];
  /** Page errors and console errors. */
  errors: string[];
}

/**
 * A fresh context on the settings page: every request not to the app's origin is failed and recorded, the
 * clipboard may be read back, and CSP is bypassed only so the test can inject axe-core.
 */
export const openSettings = async (
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
  { bypassCSP = true }: { bypassCSP?: boolean } = {},
): Promise<TabPage> => {
  const context = await browser.newContext({ viewport, bypassCSP });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  const origin = new URL(url).origin;
  const foreign: string[] = [];
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (new URL(target).origin === origin) return route.continue();
    foreign.push(target);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url + SETTINGS_PAGE_PATH);
  return { page, context, foreign, errors };
};

/** Signs in on the page by pasting the JWT. */
export const signIn = async (page: Page, jwt: string): Promise<void> => {
  await page.getByLabel('Your JWT').fill(jwt);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'API Keys', level: 2 }).waitFor();
};

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (shadow DOM included). */
export const seriousViolations = async (page: Page): Promise<string[]> => {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const g = globalThis as any;
    const r = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3) }));
  });
  return result.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`);
};

type FocusPattern = { text: string } | { source: string; flags: string } | null;

/**
 * What has the focus inside the tab's shadow root (its id, aria-label or text), once it has settled on `expected`
 * or after a short wait. The tab moves focus after its own re-render (a button disabled while its request runs loses
 * the focus, and gets it back once the list has re-rendered), so a test reading it at one instant races that render.
 * The answer is what is focused then, so a wrong focus still fails the test with what it was.
 */
export const focusedIn = async (page: Page, expected?: string | RegExp): Promise<string | null> => {
  // One page function for both uses (a page function cannot call another): with no pattern it answers the focus.
  const probe = (p: FocusPattern): string | boolean | null => {
    const active = (globalThis as any).document.querySelector('keygate-api-keys')?.shadowRoot?.activeElement;
    const now: string | null = active ? active.id || active.getAttribute('aria-label') || active.textContent.trim() : null;
    if (p === null) return now;
    return now !== null && ('text' in p ? now === p.text : new RegExp(p.source, p.flags).test(now));
  };
  if (expected !== undefined) {
    const pattern: FocusPattern = typeof expected === 'string' ? { text: expected } : { source: expected.source, flags: expected.flags };
    await page.waitForFunction(probe, pattern, { timeout: 2_000 }).catch(() => undefined);
  }
  return (await page.evaluate(probe, null)) as string | null;
};

/** Fails unless the focus settles on `expected` (an id, aria-label or text; see focusedIn). */
export const expectFocus = async (page: Page, expected: string | RegExp): Promise<void> => {
  const now = await focusedIn(page, expected);
  if (typeof expected === 'string') expect(now).toBe(expected);
  else expect(now).toMatch(expected);
};
