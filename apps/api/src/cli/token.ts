import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { loadOrCreateDevSecret } from '#config';
import { loadConfig } from '#config';

/**
 * Prints an HS256 token for local use, signed with KEYGATE_JWT_SECRET or the development secret that
 * `npm start` keeps in the data directory. Only the token goes to stdout, so TOKEN=$(npm run -s token -- …) works.
 */
const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    name: { type: 'string' },
    company: { type: 'string' },
    role: { type: 'string', default: 'user' },
    permissions: { type: 'string', default: '' },
    ttl: { type: 'string', default: '12h' },
  },
});

if (!values.sub || !values.company || (values.role !== 'root' && values.role !== 'user')) {
  process.stderr.write(
    'usage: npm run -s token -- --sub <user id> --company <tenant id> [--name <name>] [--role root|user] [--permissions a,b] [--ttl 12h]\n',
  );
  process.exit(2);
}

const config = loadConfig();
if (config.jwksUrl && !config.jwtSecret) {
  process.stderr.write('KEYGATE_JWKS_URL is set: tokens come from your identity provider, not from this command.\n');
  process.exit(2);
}
const secret = config.jwtSecret ?? loadOrCreateDevSecret(config.dataDir).secret;
const token = await new SignJWT({
  name: values.name ?? values.sub,
  company: values.company,
  role: values.role,
  permissions: values.permissions ? values.permissions.split(',').map((p) => p.trim()).filter(Boolean) : [],
})
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject(values.sub)
  .setIssuedAt()
  .setExpirationTime(values.ttl!)
  .sign(new TextEncoder().encode(secret));
process.stdout.write(`${token}\n`);
