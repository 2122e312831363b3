import { DEV_SECRET_FILE, loadConfig } from '#config';
import { createKeygateApp } from './create-app.js';

// The API process of either profile (KEYGATE_STORE): embedded, everything in one process over one SQLite file
// under KEYGATE_DATA_DIR; production, one stateless replica over KurrentDB and MongoDB (apps/projector runs the rest).
const config = loadConfig();
const keygate = await createKeygateApp(config);
await keygate.app.listen({ port: config.port, host: config.host });
keygate.logger.info({ url: `http://${config.host}:${config.port}`, dataDir: config.dataDir }, 'Keygate is listening');

if (keygate.devSecret) {
  // Printed for a person at a terminal, not a log line: how to get a token for the settings API.
  process.stderr.write(
    `\nNo KEYGATE_JWT_SECRET or KEYGATE_JWKS_URL set: using the development secret in ${config.dataDir}/${DEV_SECRET_FILE}.\n` +
      'Get a token for the settings API with:\n' +
      '  npm run -s token -- --sub alice --name Alice --company acme --role root --permissions settings:view,settings:edit\n\n',
  );
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  keygate.logger.info({ signal }, 'shutting down');
  await keygate.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
