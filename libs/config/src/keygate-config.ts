import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
  /**
   * Embedded profile: a projection pass of uses only runs at most this often (ms; 0: after every group commit), so
   * uses under load fold into their roll-ups together. Reads through the API never see it: they wait for the pass.
   */
  usagePassIntervalMs: number;
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
   * Origins whose pages may call the settings API across origins (a host product mounting <keygate-api-keys> on
   * its own domain): CORS with preflight, never credentials by cookie. None by default.
   */
  corsOrigins: string[];
  /**
   * Proxies in front of this process whose X-Forwarded-For is believed (0: none). Behind the compose
   * file's nginx it is 1, so a KeyUsed records the client's address, not the proxy's.
   */
  trustedProxyHops: number;
  /**
   * Production profile: how long a process keeps trying to reach KurrentDB and MongoDB at start, logging each
   * attempt, before it exits naming the URL and the variable (0: one attempt).
   */
  storeConnectTimeoutMs: number;
  /**
   * How the host product's identity tokens map onto a Keygate actor (README "Adopting Keygate"): the issuer and
   * audience every JWT must carry (unchecked when null), the claim names (a namespaced claim such as
   * https://example.com/company is one name), and which role values mean root and which mean user.
   */
  identity: {
    issuer: string | null;
    audience: string | null;
    claims: { company: string; role: string; permissions: string; name: string };
    rootRoles: string[];
    userRoles: string[];
  };
  /** ES modules (paths or package names) whose exported tool definitions the MCP server serves (none by default). */
  toolModules: string[];
  /** The host product backend's credentials for POST /api/verify: long random strings, never a Keygate key. */
  serviceTokens: string[];
  /** The audit signing key (Ed25519, PKCS#8 PEM); unset: generated into dataDir (README "For auditors"). */
  auditKeyFile: string | null;
  /** A digest is written once this many events are uncovered (at most 1000)… */
  auditDigestEvents: number;
  /** …or once the oldest uncovered event is this old. */
  auditDigestIntervalMs: number;
  /** Webhooks for the key lifecycle (README "Webhooks"; libs/webhooks). */
  webhooks: WebhookSettings;
}

export interface WebhookSettings {
  /**
   * The AES-256-GCM key (32 bytes, base64) that seals the endpoints' signing secrets. Unset: generated into dataDir on
   * the embedded profile; on the production profile webhooks are off without it (replicas share no data directory).
   */
  keyFile: string | null;
  /** http:// accepted for loopback receivers (127.0.0.0/8, ::1, localhost). Default: on embedded, off in production. */
  allowHttpLoopback: boolean;
  /** One delivery attempt's bound. */
  timeoutMs: number;
  /** The wait after a first failure, doubled per failure (with jitter) up to retryMaxMs. */
  retryInitialMs: number;
  retryMaxMs: number;
}

/**
 * A problem an operator fixes outside the code (a setting, a directory, a server to start): the entry points
 * print its message alone, without a stack trace, and exit with `exitCode`.
 */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/**
 * Every configuration problem at once, one line each, naming the variable and what it accepts. Exit code 78
 * (EX_CONFIG in sysexits.h): a supervisor can tell "fix the settings" from a crash and stop restarting.
 */
export class ConfigError extends StartupError {
  constructor(readonly problems: string[]) {
    super(`Keygate cannot start: ${problems.length === 1 ? 'a setting is' : `${problems.length} settings are`} wrong.\n${problems.map((p) => `  - ${p}`).join('\n')}`, 78);
    this.name = 'ConfigError';
  }
}

/**
 * What an entry point does with an error at start: a StartupError's message alone on stderr and its exit code
 * (a person reads it; a stack trace would bury it); anything else is a bug and keeps its stack (exit 1).
 */
// A function declaration, so TypeScript's flow analysis knows a call never returns.
export function exitOnStartupError(error: unknown): never {
  if (error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`Keygate failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

/** pino's levels, and 'silent' (no output at all). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * HS256 keys shorter than the hash output are weak: RFC 7518 §3.2 requires a key of the same size as the hash
 * output (256 bits) or larger. Bytes of the UTF-8 text, as jose and every identity provider use it.
 */
export const MIN_JWT_SECRET_BYTES = 32;

/** `kurrentdb://user:pass@host` → `kurrentdb://***@host`: connection strings go into messages without credentials. */
export const withoutCredentials = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');

const KURRENT_SCHEMES = /^(?:kurrentdb|kurrent|kdb|esdb)(?:\+discover)?:\/\/[^/?#]+/i;
const MONGODB_SCHEMES = /^mongodb(?:\+srv)?:\/\/[^/?#]+/i;

/** Reads the environment, collecting every problem instead of stopping at the first. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  /** An integer in [min, max]; the message names the range the variable accepts. */
  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw.trim());
    if (/^\s*-?\d+\s*$/.test(raw) && Number.isSafeInteger(value) && value >= min && value <= max) return value;
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    this.problems.push(`${name}=${JSON.stringify(raw)}: ${name} must be an integer ${range} (unset: ${fallback})`);
    return fallback;
  }

  /** An http(s) URL; the message says what was wrong with it. */
  httpUrl(name: string, what: string): string | null {
    const raw = this.raw(name);
    if (raw === undefined) return null;
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      this.problems.push(`${name}=${JSON.stringify(withoutCredentials(raw))}: ${name} must be ${what}, an absolute http:// or https:// URL (e.g. https://keygate.example.com)`);
      return null;
    }
    return raw;
  }

  problem(text: string): void {
    this.problems.push(text);
  }
}

const int = (env: EnvReader, name: string, fallback: number, min?: number, max?: number) => env.int(name, fallback, min, max);

/** KEYGATE_EXPIRY_WARNING_DAYS: "14,7,1" — whole days before expiry at which KeyExpiring is written; empty: none. */
const warningDays = (env: EnvReader): number[] => {
  const value = text(env, 'KEYGATE_EXPIRY_WARNING_DAYS');
  if (value === undefined) return [...DEFAULT_KEY_POLICY.expiryWarningDays];
  const days = value.split(',').map((d) => d.trim()).filter(Boolean);
  if (days.length > 10 || days.some((d) => !/^\d{1,3}$/.test(d) || Number(d) < 1 || Number(d) > 365)) {
    env.problem(`KEYGATE_EXPIRY_WARNING_DAYS=${JSON.stringify(value.slice(0, 64))}: give up to 10 whole numbers of days from 1 to 365, comma-separated (e.g. 14,7,1), or leave it empty for no warnings`);
    return [...DEFAULT_KEY_POLICY.expiryWarningDays];
  }
  return [...new Set(days.map(Number))].sort((a, b) => b - a);
};
const text = (env: EnvReader, name: string) => env.raw(name);
const httpUrl = (env: EnvReader, name: string, what: string) => env.httpUrl(name, what);

export interface LoadConfigOptions {
  /** false for processes that verify no settings-API JWT (the projector, the operator CLIs). */
  needsAuth?: boolean;
  /**
   * Whether the data directory is checked (embedded profile only): 'writable' (the default) requires it to
   * exist or be creatable, and to be writable; 'none' leaves it to the caller (the CLIs check it themselves:
   * they refuse a directory that holds no Keygate store).
   */
  dataDir?: 'writable' | 'none';
}

/**
 * The data directory must exist or be creatable, and be writable (SQLite writes the file, its WAL and shared
 * memory beside it). Checked by doing it: creating the directory and a probe file, because access(W_OK) says
 * yes to root on a read-only mount. Returns a problem, or null.
 */
export const dataDirProblem = (dataDir: string): string | null => {
  const what = `KEYGATE_DATA_DIR=${JSON.stringify(dataDir)}: the data directory (where keygate.sqlite and the development secret live)`;
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) return `${what} is not a directory; set KEYGATE_DATA_DIR to a writable directory`;
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    return `${what} does not exist and cannot be created (${errorCode(error)}); set KEYGATE_DATA_DIR to a writable directory`;
  }
  const probe = join(dataDir, `.keygate-write-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'w'));
    rmSync(probe, { force: true });
  } catch (error) {
    return `${what} is not writable (${errorCode(error)}); give this process write access or set KEYGATE_DATA_DIR elsewhere`;
  }
  for (const file of ['keygate.sqlite', 'keygate.sqlite-wal']) {
    const path = join(dataDir, file);
    if (!existsSync(path)) continue;
    try {
      closeSync(openSync(path, 'r+'));
    } catch (error) {
      return `${what} holds ${file}, which is not writable (${errorCode(error)})`;
    }
  }
  return null;
};

const errorCode = (error: unknown): string =>
  (error as NodeJS.ErrnoException)?.code ?? (error instanceof Error ? error.message : String(error));

/**
 * Reads the environment once, at start, and checks it as a whole: every problem is listed in one ConfigError
 * (the entry points print its message, without a stack trace, and exit 78).
 */
export const loadConfig = (source: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): KeygateConfig => {
  // Named `env` and read through int(env, …) and text(env, …) with the variable's name: the shape test/compose/env-vars-read-by-code.ts
  // finds, so the README's table test sees every variable read here.
  const env = new EnvReader(source);
  const port = int(env, 'PORT', 3000, 1, 65_535);
  const host = text(env, 'HOST') ?? '127.0.0.1';
  const storeRaw = text(env, 'KEYGATE_STORE') ?? 'embedded';
  if (storeRaw !== 'embedded' && storeRaw !== 'kurrent') {
    env.problem(`KEYGATE_STORE=${JSON.stringify(storeRaw)}: KEYGATE_STORE must be "embedded" (one process, a SQLite file) or "kurrent" (KurrentDB + MongoDB)`);
  }
  const store: StoreProfile = storeRaw === 'kurrent' ? 'kurrent' : 'embedded';
  const kurrentdbUrl = text(env, 'KURRENTDB_URL') ?? null;
  const mongodbUrl = text(env, 'MONGODB_URL') ?? null;
  const jwtSecret = text(env, 'KEYGATE_JWT_SECRET') ?? null;
  const jwksUrl = httpUrl(env, 'KEYGATE_JWKS_URL', "the identity provider's JWKS address");
  if (store === 'kurrent') {
    if (!kurrentdbUrl) env.problem('KURRENTDB_URL is not set: KEYGATE_STORE=kurrent needs a KurrentDB connection string, e.g. kurrentdb://kurrentdb:2113?tls=false');
    if (!mongodbUrl) env.problem('MONGODB_URL is not set: KEYGATE_STORE=kurrent needs a MongoDB replica-set URL, e.g. mongodb://mongodb:27017/?replicaSet=rs0');
    // Replicas share no disk, so a development secret kept in a data dir would differ per replica.
    // (The projector serves no settings API and needs neither.)
    if (options.needsAuth !== false && !jwtSecret && !text(env, 'KEYGATE_JWKS_URL')) {
      env.problem('KEYGATE_JWT_SECRET and KEYGATE_JWKS_URL are both unset: KEYGATE_STORE=kurrent needs one (replicas share no data directory for a development secret)');
    }
  }
  // Checked whatever the profile when set: a malformed URL is a mistake even where it is not used yet.
  if (kurrentdbUrl && !KURRENT_SCHEMES.test(kurrentdbUrl)) {
    env.problem(`KURRENTDB_URL=${JSON.stringify(withoutCredentials(kurrentdbUrl))}: KURRENTDB_URL must be a KurrentDB connection string, kurrentdb://host:port?tls=… (or kurrentdb+discover://)`);
  }
  if (mongodbUrl && !MONGODB_SCHEMES.test(mongodbUrl)) {
    env.problem(`MONGODB_URL=${JSON.stringify(withoutCredentials(mongodbUrl))}: MONGODB_URL must be a MongoDB URL, mongodb://host:port/?replicaSet=… (or mongodb+srv://)`);
  }
  // The secret is checked only where it verifies tokens: with a JWKS URL it is unused (compose still asks for one).
  if (jwtSecret && !jwksUrl && Buffer.byteLength(jwtSecret, 'utf8') < MIN_JWT_SECRET_BYTES) {
    env.problem(
      `KEYGATE_JWT_SECRET is ${Buffer.byteLength(jwtSecret, 'utf8')} byte(s) long: it must be at least ${MIN_JWT_SECRET_BYTES} bytes, ` +
        'because an HS256 key shorter than the hash output (256 bits) is weak (RFC 7518 §3.2); e.g. `openssl rand -base64 48`',
    );
  }
  const publicUrl = httpUrl(env, 'KEYGATE_PUBLIC_URL', 'the address MCP clients reach Keygate at');
  const logLevel = text(env, 'LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    env.problem(`LOG_LEVEL=${JSON.stringify(logLevel)}: LOG_LEVEL must be one of pino's levels: ${LOG_LEVELS.join(', ')}`);
  }
  const origins = (variable: string, value: string | undefined): string[] => {
    const list = (value ?? '').split(',').map((o) => o.trim()).filter(Boolean);
    const bad = list.filter((o) => {
      try {
        const url = new URL(o);
        return (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== o.replace(/\/$/, '');
      } catch {
        return true;
      }
    });
    if (bad.length) {
      env.problem(`${variable} has ${bad.map((o) => JSON.stringify(o)).join(', ')}: each entry must be an origin, scheme://host[:port] without a path (e.g. https://app.example.com)`);
    }
    return list.map((o) => o.replace(/\/$/, ''));
  };
  const allowedOrigins = origins('KEYGATE_ALLOWED_ORIGINS', text(env, 'KEYGATE_ALLOWED_ORIGINS'));
  const corsOrigins = origins('KEYGATE_CORS_ORIGINS', text(env, 'KEYGATE_CORS_ORIGINS'));
  const mongodbDatabase = text(env, 'MONGODB_DATABASE') ?? 'keygate';
  if (!/^[^/\\. "$*<>:|?]{1,63}$/.test(mongodbDatabase)) {
    env.problem(`MONGODB_DATABASE=${JSON.stringify(mongodbDatabase)}: MONGODB_DATABASE must be a MongoDB database name, 1-63 characters without / \\ . space " $ * < > : | ?`);
  }
  const dataDir = resolve(text(env, 'KEYGATE_DATA_DIR') ?? './data');
  // Each variable is named literally where it is read (text with the name), so the README's table test finds it.
  const list = (value: string | undefined, fallback: string[]): string[] =>
    value === undefined ? fallback : value.split(',').map((v) => v.trim()).filter(Boolean);
  const claim = (name: string, raw: string | undefined, fallback: string): string => {
    const value = (raw ?? fallback).trim();
    if (!/^[\x21-\x7e]{1,200}$/.test(value)) env.problem(`${name}=${JSON.stringify(value.slice(0, 60))}: a claim name is 1 to 200 printable characters without spaces (a namespaced claim such as https://example.com/company is fine)`);
    return value;
  };
  const identity = {
    issuer: text(env, 'KEYGATE_JWT_ISSUER') ?? null,
    audience: text(env, 'KEYGATE_JWT_AUDIENCE') ?? null,
    claims: {
      company: claim('KEYGATE_JWT_CLAIM_COMPANY', text(env, 'KEYGATE_JWT_CLAIM_COMPANY'), 'company'),
      role: claim('KEYGATE_JWT_CLAIM_ROLE', text(env, 'KEYGATE_JWT_CLAIM_ROLE'), 'role'),
      permissions: claim('KEYGATE_JWT_CLAIM_PERMISSIONS', text(env, 'KEYGATE_JWT_CLAIM_PERMISSIONS'), 'permissions'),
      name: claim('KEYGATE_JWT_CLAIM_NAME', text(env, 'KEYGATE_JWT_CLAIM_NAME'), 'name'),
    },
    rootRoles: list(text(env, 'KEYGATE_JWT_ROOT_ROLES'), ['root']),
    userRoles: list(text(env, 'KEYGATE_JWT_USER_ROLES'), ['user']),
  };
  const overlap = identity.rootRoles.filter((r) => identity.userRoles.includes(r));
  if (overlap.length) env.problem(`KEYGATE_JWT_ROOT_ROLES and KEYGATE_JWT_USER_ROLES both name ${overlap.map((r) => JSON.stringify(r)).join(', ')}: a role value means root or user, not both`);
  if (identity.rootRoles.length === 0) env.problem('KEYGATE_JWT_ROOT_ROLES is empty: name at least one role value that means root');
  const serviceTokens = list(text(env, 'KEYGATE_SERVICE_TOKENS'), []);
  for (const [i, token] of serviceTokens.entries()) {
    // A service credential is the host backend's, long and random; a Keygate key (kg_…) must never pass as one.
    if (/^kg_/.test(token)) env.problem(`KEYGATE_SERVICE_TOKENS entry ${i + 1} looks like a Keygate API key (kg_…): a key is never accepted as the service credential; use a random string (e.g. openssl rand -base64 32)`);
    else if (token.length < 32 || !/^[\x21-\x7e]+$/.test(token)) env.problem(`KEYGATE_SERVICE_TOKENS entry ${i + 1} is ${token.length} character(s): each must be at least 32 printable characters without spaces (e.g. openssl rand -base64 32)`);
  }

  // Webhooks: http to a loopback receiver is a development convenience, so on by default only on the embedded profile.
  const httpLoopback = text(env, 'KEYGATE_WEBHOOK_ALLOW_HTTP_LOOPBACK');
  if (httpLoopback !== undefined && !/^(true|false|1|0)$/i.test(httpLoopback.trim())) {
    env.problem(`KEYGATE_WEBHOOK_ALLOW_HTTP_LOOPBACK=${JSON.stringify(httpLoopback)}: KEYGATE_WEBHOOK_ALLOW_HTTP_LOOPBACK must be true or false (unset: true on the embedded profile, false on kurrent)`);
  }
  const webhooks: WebhookSettings = {
    keyFile: text(env, 'KEYGATE_WEBHOOK_KEY_FILE') ?? null,
    allowHttpLoopback: httpLoopback === undefined ? store === 'embedded' : /^(true|1)$/i.test(httpLoopback.trim()),
    timeoutMs: int(env, 'KEYGATE_WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    retryInitialMs: int(env, 'KEYGATE_WEBHOOK_RETRY_INITIAL_MS', 1000, 10),
    retryMaxMs: int(env, 'KEYGATE_WEBHOOK_RETRY_MAX_MS', 300_000, 10),
  };
  if (webhooks.retryMaxMs < webhooks.retryInitialMs) {
    env.problem(`KEYGATE_WEBHOOK_RETRY_MAX_MS=${webhooks.retryMaxMs} is below KEYGATE_WEBHOOK_RETRY_INITIAL_MS=${webhooks.retryInitialMs}: the cap must be at least the first wait`);
  }

  const config: KeygateConfig = {
    store,
    kurrentdbUrl,
    mongodbUrl,
    mongodbDatabase,
    // 2: the first version that knows suspended keys and rotations (MONGO_READ_MODEL_VERSION in #projections,
    // which refuses anything lower; config does not import the read side).
    readModelVersion: int(env, 'KEYGATE_READ_MODEL_VERSION', 2, 2),
    apiReplicas: int(env, 'KEYGATE_API_REPLICAS', 1, 1),
    port,
    host,
    dataDir,
    sqlitePollIntervalMs: int(env, 'KEYGATE_SQLITE_POLL_INTERVAL_MS', 100, 5),
    usagePassIntervalMs: int(env, 'KEYGATE_USAGE_PASS_INTERVAL_MS', 50, 0, 10_000),
    jwtSecret,
    jwksUrl,
    publicUrl: (publicUrl ?? `http://${host}:${port}`).replace(/\/+$/, ''),
    policy: {
      ...DEFAULT_KEY_POLICY,
      keyTtlMs: daysToMs(int(env, 'KEYGATE_KEY_TTL_DAYS', 90, 1)),
      maxActiveKeysPerCompany: int(env, 'KEYGATE_MAX_KEYS_PER_COMPANY', DEFAULT_KEY_POLICY.maxActiveKeysPerCompany, 1),
      maxActiveKeysPerCreator: int(env, 'KEYGATE_MAX_KEYS_PER_USER', DEFAULT_KEY_POLICY.maxActiveKeysPerCreator, 1),
      expiryWarningDays: warningDays(env),
    },
    sweepIntervalMs: int(env, 'KEYGATE_SWEEP_INTERVAL_MS', 60_000, 10),
    identity,
    toolModules: list(text(env, 'KEYGATE_TOOL_MODULES'), []),
    serviceTokens,
    auditKeyFile: text(env, 'KEYGATE_AUDIT_KEY_FILE') ?? null,
    auditDigestEvents: int(env, 'KEYGATE_AUDIT_DIGEST_EVENTS', 1000, 1, 1000),
    auditDigestIntervalMs: int(env, 'KEYGATE_AUDIT_DIGEST_INTERVAL_MS', 300_000, 100),
    webhooks,
    logLevel,
    bodyLimitBytes: int(env, 'KEYGATE_MAX_REQUEST_BYTES', 10 * 1024 * 1024, 1024),
    rateLimitPerMinute: int(env, 'KEYGATE_RATE_LIMIT_PER_MINUTE', 1000, 1),
    authFailuresPerMinute: int(env, 'KEYGATE_AUTH_FAILURES_PER_MINUTE', 20, 1),
    trustedProxyHops: int(env, 'KEYGATE_TRUSTED_PROXY_HOPS', 0, 0),
    allowedOrigins,
    corsOrigins,
    storeConnectTimeoutMs: int(env, 'KEYGATE_STORE_CONNECT_TIMEOUT_MS', 30_000, 0),
  };
  // The file system last, and only when the rest is right: a wrong variable is the likelier mistake to report.
  if (store === 'embedded' && (options.dataDir ?? 'writable') === 'writable' && env.problems.length === 0) {
    const problem = dataDirProblem(dataDir);
    if (problem) env.problem(problem);
  }
  if (env.problems.length) throw new ConfigError(env.problems);
  return config;
};

export const KEYGATE_CONFIG = Symbol('KeygateConfig');
