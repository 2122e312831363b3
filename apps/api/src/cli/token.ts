import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { DEV_SECRET_FILE, loadOrCreateDevSecret, StartupError } from '#config';
import { EXIT_USAGE, helpRequested, loadCliConfig, runCli, usageError } from './cli-support.js';

/**
 * Prints an HS256 token for local use, signed with KEYGATE_JWT_SECRET or the development secret that
 * `npm start` keeps in the data directory. Only the token goes to stdout, so TOKEN=$(npm run -s token -- …) works.
 */
const USAGE = `
usage: npm run -s token -- --sub <user id> --company <tenant id> [--name <name>] [--role root|user]
                            [--permissions a,b] [--ttl 12h] [--create]

Prints a settings-API JWT (HS256) signed with KEYGATE_JWT_SECRET or, when it is unset, with the development
secret \`npm start\` keeps in KEYGATE_DATA_DIR (default ./data).

  --sub          the user id (JWT sub)                      --company      the tenant id
  --name         display name (default: --sub)              --role         root or user (default user)
  --permissions  comma-separated, e.g. settings:view        --ttl          lifetime, e.g. 12h, 30m (default 12h)
  --create       create the development secret when the data directory has none yet
                 (without it, a data directory with no secret is refused: it is likely the wrong one)
  -h, --help     this text
`;

await runCli(async () => {
  const argv = process.argv.slice(2);
  helpRequested(argv, USAGE);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sub: { type: 'string' },
        name: { type: 'string' },
        company: { type: 'string' },
        role: { type: 'string', default: 'user' },
        permissions: { type: 'string', default: '' },
        ttl: { type: 'string', default: '12h' },
        create: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error), USAGE);
  }
  const str = (name: string) => values[name] as string | undefined;
  if (!str('sub') || !str('company') || (str('role') !== 'root' && str('role') !== 'user')) {
    return usageError('--sub and --company are required; --role is root or user', USAGE);
  }

  const config = loadCliConfig();
  if (config.jwksUrl && !config.jwtSecret) {
    process.stderr.write('KEYGATE_JWKS_URL is set: tokens come from your identity provider, not from this command.\n');
    return EXIT_USAGE;
  }
  let secret = config.jwtSecret;
  if (!secret) {
    const file = join(config.dataDir, DEV_SECRET_FILE);
    if (!existsSync(file) && !values.create) {
      throw new StartupError(
        `No development secret in KEYGATE_DATA_DIR=${JSON.stringify(config.dataDir)} (no ${file}), and KEYGATE_JWT_SECRET is unset. ` +
          'Point KEYGATE_DATA_DIR at the directory `npm start` uses, or pass --create to make a new secret there.',
        1,
      );
    }
    secret = loadOrCreateDevSecret(config.dataDir).secret;
  }
  // The claims as the server reads them (KEYGATE_JWT_CLAIM_*, the role values of KEYGATE_JWT_ROOT_ROLES and
  // KEYGATE_JWT_USER_ROLES, KEYGATE_JWT_ISSUER and KEYGATE_JWT_AUDIENCE), so a development token passes whatever
  // identity mapping is configured.
  const { claims, rootRoles, userRoles, issuer, audience } = config.identity;
  const role = str('role') === 'root' ? rootRoles[0] : (userRoles[0] ?? 'user');
  let jwt = new SignJWT({
    [claims.name]: str('name') ?? str('sub'),
    [claims.company]: str('company'),
    [claims.role]: role,
    [claims.permissions]: str('permissions') ? str('permissions')!.split(',').map((p) => p.trim()).filter(Boolean) : [],
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(str('sub')!)
    .setIssuedAt()
    .setExpirationTime(str('ttl')!);
  if (issuer) jwt = jwt.setIssuer(issuer);
  if (audience) jwt = jwt.setAudience(audience);
  const token = await jwt.sign(new TextEncoder().encode(secret));
  process.stdout.write(`${token}\n`);
  return 0;
});
