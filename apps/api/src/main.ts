import { DEV_SECRET_FILE, exitOnStartupError, loadConfig, StartupError, type KeygateConfig } from '#config';
import { createKeygateApp, type KeygateApp } from './create-app.js';

// The API process of either profile (KEYGATE_STORE): embedded, everything in one process over one SQLite file
// under KEYGATE_DATA_DIR; production, one stateless replica over KurrentDB and MongoDB (apps/projector runs the rest).
// A problem an operator fixes (a setting, the data directory, a store that does not answer, a port in use) ends
// the process with one message and a non-zero exit, no stack trace (exitOnStartupError).
let config: KeygateConfig;
let keygate: KeygateApp;
try {
  config = loadConfig();
  keygate = await createKeygateApp(config);
  try {
    await keygate.app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await keygate.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new StartupError(`Keygate cannot start: cannot listen on ${config.host}:${config.port} (${code}); set PORT or HOST`, 1);
    }
    throw error;
  }
} catch (error) {
  exitOnStartupError(error);
}
keygate.logger.info({ url: `http://${config.host}:${config.port}`, dataDir: config.dataDir }, 'Keygate is listening');

if (keygate.devSecret) {
  // Printed for a person at a terminal, not a log line: how to get a token for the settings API.
  process.stderr.write(
    `\nNo KEYGATE_JWT_SECRET or KEYGATE_JWKS_URL set: using the development secret in ${config.dataDir}/${DEV_SECRET_FILE}.\n` +
      'Get a token for the settings API with:\n' +
      '  npm run -s token -- --sub alice --name Alice --company acme --role root --permissions settings:view,settings:edit\n\n',
  );
}

// Shutdown completes within a bound whatever clients do: close() gives requests in flight a grace period (5 s) and
// then closes every connection; should anything else hang (a store that does not answer), the process exits anyway.
const SHUTDOWN_BOUND_MS = 10_000;
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  keygate.logger.info({ signal }, 'shutting down');
  setTimeout(() => {
    keygate.logger.error({ boundMs: SHUTDOWN_BOUND_MS }, 'shutdown did not complete in time: exiting anyway');
    process.exit(1);
  }, SHUTDOWN_BOUND_MS).unref();
  try {
    await keygate.close();
  } catch (err) {
    keygate.logger.error({ err }, 'shutdown failed');
    process.exit(1);
  }
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
