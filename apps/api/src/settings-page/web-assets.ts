import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The browser assets of the settings tab: apps/web/src bundled by esbuild at build time (package.json "build"),
 * into dist/web. Each is served by Keygate itself: the page makes no request to another origin.
 */
export const WEB_ASSETS = {
  /** The embeddable component alone: <script type="module" src="/settings/assets/keygate-api-keys.js">. */
  component: 'keygate-api-keys.js',
  /** The standalone page's script (sign-in; the page loads the component first, by its own script tag). */
  pageScript: 'settings-page.js',
  pageStyles: 'settings-page.css',
} as const;

/** The one esbuild invocation that makes them (the same as package.json's build step runs, via its CLI). */
export const WEB_BUILD_ENTRY_POINTS = ['apps/web/src/keygate-api-keys.mts', 'apps/web/src/settings-page.mts', 'apps/web/src/settings-page.css'];
export const webBuildOptions = (root: string, outdir: string) => ({
  absWorkingDir: root,
  entryPoints: WEB_BUILD_ENTRY_POINTS,
  bundle: true,
  format: 'esm' as const,
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked' as const,
  outdir,
  logLevel: 'warning' as const,
});

/** The directory holding package.json, found upwards from this file (sources under jest, dist/ when built). */
export const packageRoot = (from: string = dirname(fileURLToPath(import.meta.url))): string => {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
};

/** Where the build leaves the assets: <package root>/dist/web. */
export const defaultWebAssetsDir = (): string => join(packageRoot(), 'dist', 'web');
