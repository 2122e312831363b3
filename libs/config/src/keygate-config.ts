import { resolve } from 'node:path';
import { daysToMs, DEFAULT_KEY_POLICY, type KeyPolicy } from '#keys';

/** embedded: one process on a SQLite file. kurrent: events in KurrentDB, read models in MongoDB. */
export type StoreProfile = 'embedded' | 'kurrent';

export interface KeygateConfig {
  store: StoreProfile;
  /** kurrentdb://… connection string (production profile). */
  kurrentdbUrl: string | null;
  /** mongodb://… connection string, a replica set (production profile). */
  mongodbUrl: string | null;
  /** Database holding the read models (production profile). */
  mongodbDatabase: string;
  /**
   * Which version of the MongoDB read models this process writes (projector) or reads (api): collections
   * keys_list_v<n>, activity_v<n>, key_lookup_v<n>. Raising it on a second projector builds a new set beside
   * the old one from the start of the log: a blue/green rebuild (infra/README.md).
   */
  readModelVersion: number;
  /**
   * How many API replicas share the per-key rate limit. Each replica enforces
   * floor(rateLimitPerMinute / apiReplicas): the sum never exceeds the limit, with no shared store on the hot path.
   */
  apiReplicas: number;
  port: number;
  host: string;
  dataDir: string;
  /**
   * Embedded profile: how often a process looks for events appended by another process sharing the file.
   * Bounds the revocation lag between two embedded replicas (its own appends wake it at once).
   */
  sqlitePollIntervalMs: number;
  /** HS256 secret; when neither this nor jwksUrl is set, a development secret is kept in dataDir. */
  jwtSecret: string | null;
  /** RS256/ES256 through the identity provider's JWKS; takes precedence over jwtSecret. */
  jwksUrl: string | null;
  publicUrl: string;
  policy: KeyPolicy;
  /** How often the sweeper appends KeyExpired for lapsed keys (readers never wait for it). */
  sweepIntervalMs: number;
  logLevel: string;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  /** MCP requests per minute and key. */
  rateLimitPerMinute: number;
  /** Failed secrets per key id and minute before that key id is refused for the rest of the minute. */
  authFailuresPerMinute: number;
  /** Browser origins allowed to call /api/mcp (the public URL's origin is always allowed). */
  allowedOrigins: string[];
  /**
   * Proxies in front of this process whose X-Forwarded-For is believed (0: none). Behind the compose
   * file's nginx it is 1, so a KeyUsed records the client's address, not the proxy's.
   */
  trustedProxyHops: number;
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
};

/** Reads the environment once, at start, and fails loudly on a malformed value. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env, options: { needsAuth?: boolean } = {}): KeygateConfig => {
  const port = int(env, 'PORT', 3000);
  const host = env.HOST || '127.0.0.1';
  const store = env.KEYGATE_STORE || 'embedded';
  if (store !== 'embedded' && store !== 'kurrent') {
    throw new Error(`KEYGATE_STORE must be "embedded" or "kurrent", got "${store}"`);
  }
  const kurrentdbUrl = env.KURRENTDB_URL || null;
  const mongodbUrl = env.MONGODB_URL || null;
  if (store === 'kurrent') {
    if (!kurrentdbUrl || !mongodbUrl) throw new Error('KEYGATE_STORE=kurrent needs KURRENTDB_URL and MONGODB_URL');
    // Replicas share no disk, so a development secret kept in a data dir would differ per replica.
    // (The projector serves no settings API and needs neither.)
    if (options.needsAuth !== false && !env.KEYGATE_JWT_SECRET && !env.KEYGATE_JWKS_URL) {
      throw new Error('KEYGATE_STORE=kurrent needs KEYGATE_JWT_SECRET or KEYGATE_JWKS_URL');
    }
  }
  return {
    store,
    kurrentdbUrl,
    mongodbUrl,
    mongodbDatabase: env.MONGODB_DATABASE || 'keygate',
    readModelVersion: int(env, 'KEYGATE_READ_MODEL_VERSION', 1, 1),
    apiReplicas: int(env, 'KEYGATE_API_REPLICAS', 1, 1),
    port,
    host,
    dataDir: resolve(env.KEYGATE_DATA_DIR || './data'),
    sqlitePollIntervalMs: int(env, 'KEYGATE_SQLITE_POLL_INTERVAL_MS', 100, 5),
    jwtSecret: env.KEYGATE_JWT_SECRET || null,
    jwksUrl: env.KEYGATE_JWKS_URL || null,
    publicUrl: (env.KEYGATE_PUBLIC_URL || `http://${host}:${port}`).replace(/\/+$/, ''),
    policy: {
      ...DEFAULT_KEY_POLICY,
      keyTtlMs: daysToMs(int(env, 'KEYGATE_KEY_TTL_DAYS', 90, 1)),
      maxActiveKeysPerCompany: int(env, 'KEYGATE_MAX_KEYS_PER_COMPANY', DEFAULT_KEY_POLICY.maxActiveKeysPerCompany, 1),
      maxActiveKeysPerCreator: int(env, 'KEYGATE_MAX_KEYS_PER_USER', DEFAULT_KEY_POLICY.maxActiveKeysPerCreator, 1),
    },
    sweepIntervalMs: int(env, 'KEYGATE_SWEEP_INTERVAL_MS', 60_000, 10),
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimitBytes: int(env, 'KEYGATE_MAX_REQUEST_BYTES', 10 * 1024 * 1024, 1024),
    rateLimitPerMinute: int(env, 'KEYGATE_RATE_LIMIT_PER_MINUTE', 1000, 1),
    authFailuresPerMinute: int(env, 'KEYGATE_AUTH_FAILURES_PER_MINUTE', 20, 1),
    trustedProxyHops: int(env, 'KEYGATE_TRUSTED_PROXY_HOPS', 0, 0),
    allowedOrigins: (env.KEYGATE_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
  };
};

export const KEYGATE_CONFIG = Symbol('KeygateConfig');
