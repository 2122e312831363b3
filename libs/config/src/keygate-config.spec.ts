import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, withoutCredentials } from './keygate-config.js';

const problemsOf = (env: Record<string, string>, options?: Parameters<typeof loadConfig>[1]): string[] => {
  try {
    loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadConfig checks the configuration as a whole', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'keygate-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = () => ({ KEYGATE_DATA_DIR: join(dir, 'data') });

  it('accepts the defaults', () => {
    const config = loadConfig(base());
    expect(config).toMatchObject({ port: 3000, logLevel: 'info', store: 'embedded', storeConnectTimeoutMs: 30_000 });
  });

  it('maps identity claims and roles, and refuses service tokens that are short or are Keygate keys', () => {
    const config = loadConfig({
      ...base(),
      KEYGATE_JWT_ISSUER: 'https://example.eu.auth0.com/',
      KEYGATE_JWT_CLAIM_COMPANY: 'https://example.com/company',
      KEYGATE_JWT_ROOT_ROLES: 'admin, owner',
      KEYGATE_SERVICE_TOKENS: 'a'.repeat(32),
      KEYGATE_TOOL_MODULES: './examples/list-clients.tool.js',
    });
    expect(config.identity).toEqual({
      issuer: 'https://example.eu.auth0.com/',
      audience: null,
      claims: { company: 'https://example.com/company', role: 'role', permissions: 'permissions', name: 'name' },
      rootRoles: ['admin', 'owner'],
      userRoles: ['user'],
    });
    expect(config.serviceTokens).toEqual(['a'.repeat(32)]);
    expect(config.toolModules).toEqual(['./examples/list-clients.tool.js']);
    expect(loadConfig(base())).toMatchObject({ serviceTokens: [], toolModules: [] });
    expect(problemsOf({ ...base(), KEYGATE_SERVICE_TOKENS: `short,kg_${'x'.repeat(40)}`, KEYGATE_JWT_ROOT_ROLES: 'admin', KEYGATE_JWT_USER_ROLES: 'admin' })).toEqual([
      expect.stringMatching(/^KEYGATE_JWT_ROOT_ROLES and KEYGATE_JWT_USER_ROLES both name "admin"/),
      expect.stringMatching(/^KEYGATE_SERVICE_TOKENS entry 1 is 5 character\(s\): each must be at least 32/),
      expect.stringMatching(/^KEYGATE_SERVICE_TOKENS entry 2 looks like a Keygate API key/),
    ]);
  });

  it('lists every problem in one error, each naming the variable and what it accepts', () => {
    const env = {
      ...base(),
      PORT: '99999',
      KEYGATE_PUBLIC_URL: 'keygate.example.com',
      LOG_LEVEL: 'verbose',
      KEYGATE_JWT_SECRET: 'x',
      KEYGATE_RATE_LIMIT_PER_MINUTE: 'lots',
      KEYGATE_ALLOWED_ORIGINS: 'https://ok.example.com,https://bad.example.com/path',
    };
    const problems = problemsOf(env);
    expect(problems).toEqual([
      expect.stringMatching(/^PORT="99999": PORT must be an integer from 1 to 65535/),
      expect.stringMatching(/^KEYGATE_JWT_SECRET is 1 byte\(s\) long: it must be at least 32 bytes.*HS256.*RFC 7518 §3\.2/),
      expect.stringMatching(/^KEYGATE_PUBLIC_URL="keygate\.example\.com": .*absolute http:\/\/ or https:\/\/ URL/),
      expect.stringMatching(/^LOG_LEVEL="verbose": LOG_LEVEL must be one of pino's levels: fatal, error, warn, info, debug, trace, silent$/),
      expect.stringMatching(/^KEYGATE_ALLOWED_ORIGINS has "https:\/\/bad\.example\.com\/path": each entry must be an origin/),
      expect.stringMatching(/^KEYGATE_RATE_LIMIT_PER_MINUTE="lots": .* integer of at least 1/),
    ]);
    expect(() => loadConfig(env)).toThrow(/^Keygate cannot start: 6 settings are wrong\.\n {2}- PORT=/);
  });

  it('the production profile: its URLs, its secret, without printing credentials', () => {
    expect(problemsOf({ KEYGATE_STORE: 'kurrent' })).toEqual([
      expect.stringMatching(/^KURRENTDB_URL is not set/),
      expect.stringMatching(/^MONGODB_URL is not set/),
      expect.stringMatching(/^KEYGATE_JWT_SECRET and KEYGATE_JWKS_URL are both unset/),
    ]);
    const problems = problemsOf({
      KEYGATE_STORE: 'kurrent',
      KURRENTDB_URL: 'http://admin:changeit@kurrentdb:2113',
      MONGODB_URL: 'mongodb://root:hunter2@mongodb:27017/?replicaSet=rs0',
      KEYGATE_JWKS_URL: 'https://idp.example.com/jwks.json',
    });
    expect(problems).toEqual([expect.stringMatching(/^KURRENTDB_URL="http:\/\/\*\*\*@kurrentdb:2113": KURRENTDB_URL must be a KurrentDB connection string/)]);
    expect(problems.join('\n')).not.toMatch(/changeit|hunter2/);
    expect(withoutCredentials('mongodb://root:hunter2@a:1,b:2/?replicaSet=rs0')).toBe('mongodb://***@a:1,b:2/?replicaSet=rs0');
    // The projector verifies no JWT: it needs neither.
    expect(problemsOf({ KEYGATE_STORE: 'kurrent', KURRENTDB_URL: 'kurrentdb://k:2113?tls=false', MONGODB_URL: 'mongodb://m:27017' }, { needsAuth: false })).toEqual([]);
  });

  it('a JWT secret is checked only where it verifies tokens (a JWKS URL takes precedence)', () => {
    expect(problemsOf({ ...base(), KEYGATE_JWT_SECRET: 'short', KEYGATE_JWKS_URL: 'https://idp.example.com/jwks.json' })).toEqual([]);
    expect(problemsOf({ ...base(), KEYGATE_JWT_SECRET: 'é'.repeat(16) })).toEqual([]); // 32 bytes of UTF-8
  });

  it('the data directory: created when missing, refused with its path when it cannot be created or is not a directory', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(problemsOf({ KEYGATE_DATA_DIR: join(file, 'data') })).toEqual([
      `KEYGATE_DATA_DIR="${join(file, 'data')}": the data directory (where keygate.sqlite and the development secret live) does not exist and cannot be created (ENOTDIR); set KEYGATE_DATA_DIR to a writable directory`,
    ]);
    expect(problemsOf({ KEYGATE_DATA_DIR: file })).toEqual([expect.stringMatching(/a-file": the data directory .* is not a directory/)]);
    // Not checked on the production profile, nor when the caller checks it itself.
    expect(problemsOf({ KEYGATE_DATA_DIR: file }, { dataDir: 'none' })).toEqual([]);
  });
});
