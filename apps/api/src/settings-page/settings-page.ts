import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { defaultWebAssetsDir, WEB_ASSETS } from './web-assets.js';

export const SETTINGS_PAGE_PATH = '/settings/api-keys';
export const SETTINGS_ASSETS_PATH = '/settings/assets';

export interface SettingsPageOptions {
  /** Where the bundled assets are (dist/web, built by package.json "build"). */
  assetsDir?: string;
}

// Only these files are served: nothing else under the directory, whatever the path says.
const TYPES: Record<string, string> = {
  [WEB_ASSETS.component]: 'text/javascript; charset=utf-8',
  [WEB_ASSETS.pageScript]: 'text/javascript; charset=utf-8',
  [WEB_ASSETS.pageStyles]: 'text/css; charset=utf-8',
  [`${WEB_ASSETS.component}.map`]: 'application/json; charset=utf-8',
  [`${WEB_ASSETS.pageScript}.map`]: 'application/json; charset=utf-8',
  [`${WEB_ASSETS.pageStyles}.map`]: 'application/json; charset=utf-8',
  [`${WEB_ASSETS.component}.LEGAL.txt`]: 'text/plain; charset=utf-8',
  [`${WEB_ASSETS.pageScript}.LEGAL.txt`]: 'text/plain; charset=utf-8',
};

// Everything from this origin; no inline script, no framing, no form posts elsewhere. The component's styles are
// constructable stylesheets, which style-src does not govern.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = (reply: FastifyReply): FastifyReply =>
  reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('x-frame-options', 'DENY');

export const settingsPageHtml = (): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API Keys – Keygate</title>
<link rel="stylesheet" href="${SETTINGS_ASSETS_PATH}/${WEB_ASSETS.pageStyles}">
<script type="module" src="${SETTINGS_ASSETS_PATH}/${WEB_ASSETS.component}"></script>
<script type="module" src="${SETTINGS_ASSETS_PATH}/${WEB_ASSETS.pageScript}"></script>
</head>
<body>
<main>
<h1>API Keys</h1>
<form id="sign-in" autocomplete="off">
  <label for="jwt">Your JWT</label>
  <textarea id="jwt" name="jwt" rows="4" spellcheck="false" aria-describedby="jwt-hint sign-in-error" required></textarea>
  <p id="jwt-hint" class="hint">For local use: paste a JWT from your identity provider or <code>npm run -s token</code>. It stays in this page's memory only; reloading signs you out.</p>
  <p id="sign-in-error" class="error" role="alert"></p>
  <button type="submit">Sign in</button>
</form>
<p id="signed-in" hidden>Signed in. <button type="button" id="sign-out">Sign out</button></p>
<keygate-api-keys hidden></keygate-api-keys>
</main>
</body>
</html>
`;

/**
 * GET /settings/api-keys (the standalone page) and GET /settings/assets/<file> (the bundled component, the page's
 * script and styles). Register on Keygate's Fastify instance before it listens.
 */
export const registerSettingsPage = (fastify: FastifyInstance, options: SettingsPageOptions = {}): void => {
  const dir = options.assetsDir ?? defaultWebAssetsDir();
  const page = settingsPageHtml();
  const cache = new Map<string, Buffer>();

  fastify.get(SETTINGS_PAGE_PATH, async (_request, reply) =>
    securityHeaders(reply).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page),
  );

  fastify.get<{ Params: { file: string } }>(`${SETTINGS_ASSETS_PATH}/:file`, async (request, reply) => {
    const { file } = request.params;
    const type = Object.hasOwn(TYPES, file) ? TYPES[file] : undefined;
    if (!type) {
      return reply
        .code(404)
        .type('application/problem+json')
        .send({ type: 'urn:keygate:problem:not-found', title: 'Not Found', status: 404, detail: `No asset named ${JSON.stringify(file)}.` });
    }
    let body = cache.get(file);
    if (!body) {
      try {
        body = await readFile(join(dir, file));
      } catch {
        return reply.code(503).type('application/problem+json').send({
          type: 'urn:keygate:problem:assets-not-built',
          title: 'Service Unavailable',
          status: 503,
          detail: `The settings page's assets are not built (${file} is missing from ${dir}): run "npm run build".`,
        });
      }
      cache.set(file, body);
    }
    return securityHeaders(reply).type(type).header('cache-control', 'no-cache').send(body);
  });
};
