import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import * as contentDisposition from 'content-disposition';
import { SignJWT } from 'jose';
import { pino, type Logger } from 'pino';
import { loadConfig } from '#config';
import { createKeygateApp, type KeygateApp } from '#api';
import type { Clock } from '#runtime';

// @fastify/static (CommonJS, loaded by SwaggerModule at boot) requires content-disposition 3, which is ESM-only.
// Node >= 20.19 loads it through require(esm), but jest's CommonJS loader only does so on Node >= 24.9: without
// this bridge SwaggerModule's loadPackage calls process.exit(1) while the app boots. The module is the real one.
jest.mock('content-disposition', () => contentDisposition);

// Each app boots Nest and SQLite and mints with real argon2id: allow for a loaded machine.
jest.setTimeout(30_000);

/** The HS256 secret every test app is configured with. */
export const JWT_SECRET = 'keygate-e2e-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

/** Time the tests move by hand. Starts at a fixed instant so default labels and expiries are predictable. */
export class TestClock implements Clock {
  constructor(public current: Date = new Date('2026-05-10T12:00:00.000Z')) {}
  now = (): Date => new Date(this.current.getTime());
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

// ---------------------------------------------------------------- identities

export interface Identity {
  sub: string;
  company: string;
  role: 'root' | 'user';
  name?: string;
  permissions?: string[];
}

export interface SignOptions {
  secret?: string;
  /** A jose time span ('1h') or an absolute epoch-seconds value (may be in the past). */
  expiresAt?: string | number;
  /** Claims to drop from the payload (to make an invalid token). */
  omit?: (keyof Identity)[];
}

/** A settings-API JWT as the host product's identity provider would issue it (HS256). */
export const signJwt = async (who: Identity, options: SignOptions = {}): Promise<string> => {
  const claims: Record<string, unknown> = {
    name: who.name ?? who.sub.charAt(0).toUpperCase() + who.sub.slice(1),
    company: who.company,
    role: who.role,
    permissions: who.permissions ?? [],
  };
  for (const claim of options.omit ?? []) delete claims[claim];
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt();
  if (!options.omit?.includes('sub')) jwt.setSubject(who.sub);
  jwt.setExpirationTime(options.expiresAt ?? '1h');
  return jwt.sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
};

/** Shorthands for the three kinds of people the visibility rules distinguish. */
export const root = (sub: string, company: string): Identity => ({ sub, company, role: 'root' });
export const editor = (sub: string, company: string): Identity => ({ sub, company, role: 'user', permissions: ['settings:edit'] });
export const plainUser = (sub: string, company: string): Identity => ({ sub, company, role: 'user', permissions: ['settings:view'] });

// ---------------------------------------------------------------- HTTP

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, otherwise the text ('' for an empty body). */
  body: T;
  /** The raw response text, for searching it for things that must never be there. */
  text: string;
}

export interface Api {
  get<T = any>(path: string): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  delete<T = any>(path: string): Promise<ApiResponse<T>>;
  /** Anything else: a raw body, custom headers. */
  request<T = any>(method: string, path: string, init?: { body?: string; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
}

export const httpClient = (baseUrl: string, token?: string): Api => {
  const request = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers };
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: init.body });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    // JSON and problem+json are parsed; NDJSON (the audit export) is not one JSON value.
    const body = text && /^application\/([a-z.+-]+\+)?json(;|$)/.test(type) ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body, text };
  };
  return {
    request,
    get: (path) => request('GET', path),
    post: (path, body) =>
      request('POST', path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    delete: (path) => request('DELETE', path),
  };
};

// ---------------------------------------------------------------- contract shapes

export interface KeyView {
  id: string;
  label: string;
  prefix: string;
  userId: string;
  userName: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  status: 'active' | 'suspended' | 'revoked' | 'expired';
  permissions: string[];
  expiresSoon: boolean;
  rotatedFrom: string | null;
  replacedBy: string | null;
  overlapEndsAt: string | null;
  revocationReason: 'rotated' | 'offboarded' | null;
  canRotate: boolean;
}

export interface MintedKey {
  key: KeyView;
  token: string;
}

export interface ActivityEntry {
  id: string;
  at: string;
  type: string;
  keyId: string;
  keyLabel: string | null;
  actorUserId: string;
  actorName: string;
  detail: string;
}

export interface ActivityPage {
  items: ActivityEntry[];
  nextCursor: string | null;
}

/** Every error is RFC 9457 problem+json with type, title, status and detail. */
export const expectProblem = (res: ApiResponse, status: number, detail?: RegExp): void => {
  expect({ status: res.status, contentType: res.headers.get('content-type') }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/problem\+json(;|$)/),
  });
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^urn:keygate:problem:[a-z0-9-]+$/),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
  expect(res.body.title.length).toBeGreaterThan(0);
  expect(res.body.detail.length).toBeGreaterThan(0);
  if (detail) expect(res.body.detail).toMatch(detail);
};

// ---------------------------------------------------------------- the app

export interface BootOptions {
  /** Reuse a data directory (restart tests); a fresh temp dir otherwise. */
  dataDir?: string;
  clock?: TestClock;
  /** Extra environment for loadConfig (limits, TTLs). */
  env?: Record<string, string>;
  /** How often the store looks for appends by another app sharing the file (two-process tests). */
  pollIntervalMs?: number;
  /** The app's logger; silent when not given (the log-redaction test passes the real one, at trace level). */
  logger?: Logger;
}

export interface Keygate {
  keygate: KeygateApp;
  url: string;
  dataDir: string;
  clock: TestClock;
  api(token?: string): Api;
  /** Acknowledges the notice as this user; returns the acknowledgement id. Fails the test on anything but 201. */
  acknowledge(token: string): Promise<string>;
  /** Acknowledgement + mint; fails the test on anything but 201. */
  mintKey(token: string, label?: string): Promise<MintedKey>;
  /** GET /api/keys items; fails the test on anything but 200. */
  listKeys(token: string): Promise<KeyView[]>;
  /** The whole activity feed visible to this user (follows nextCursor), newest first. */
  activity(token: string, query?: Record<string, string>): Promise<ActivityEntry[]>;
  /** Every byte SQLite keeps for this app: the database file and its WAL. */
  storedBytes(): Buffer;
  /** Stops the app. The data directory is removed unless keepData is set. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export const newDataDir = (): string => mkdtempSync(join(tmpdir(), 'keygate-e2e-'));

const ensure = <T>(res: ApiResponse<T>, status: number, what: string): T => {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text}`);
  return res.body;
};

/** Boots the real app (Fastify, SQLite file, argon2) on a random local port. */
export const bootKeygate = async (options: BootOptions = {}): Promise<Keygate> => {
  const dataDir = options.dataDir ?? newDataDir();
  const clock = options.clock ?? new TestClock();
  const config = loadConfig({ KEYGATE_DATA_DIR: dataDir, KEYGATE_JWT_SECRET: JWT_SECRET, LOG_LEVEL: 'silent', ...options.env });
  const keygate = await createKeygateApp(config, {
    clock,
    logger: options.logger ?? pino({ level: 'silent' }),
    startSweeper: false,
    pollIntervalMs: options.pollIntervalMs,
  });
  await keygate.app.listen({ port: 0, host: '127.0.0.1' });
  const { address, port } = keygate.app.getHttpServer().address() as AddressInfo;
  const url = `http://${address}:${port}`;
  const api = (token?: string) => httpClient(url, token);

  const acknowledge = async (token: string) =>
    ensure(await api(token).post('/api/keys/acknowledgements'), 201, 'acknowledge').acknowledgementId as string;

  const self: Keygate = {
    keygate,
    url,
    dataDir,
    clock,
    api,
    acknowledge,
    async mintKey(token, label) {
      const acknowledgementId = await acknowledge(token);
      return ensure(await api(token).post('/api/keys', { acknowledgementId, label }), 201, 'mint') as MintedKey;
    },
    async listKeys(token) {
      return ensure(await api(token).get('/api/keys'), 200, 'list').items as KeyView[];
    },
    async activity(token, query = {}) {
      const all: ActivityEntry[] = [];
      let cursor: string | null = null;
      do {
        const params = new URLSearchParams({ ...query, limit: '100', ...(cursor ? { cursor } : {}) });
        const page: ActivityPage = ensure(await api(token).get(`/api/activity?${params}`), 200, 'activity');
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
    storedBytes() {
      const files = readdirSync(dataDir).filter((f) => f.startsWith('keygate.sqlite'));
      return Buffer.concat(files.map((f) => readFileSync(join(dataDir, f))));
    },
    async close({ keepData = false } = {}) {
      await keygate.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return self;
};

/** Concurrency helper: n items built by f(i). */
export const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** The secret part of a token: after "kg_<id>_", without the 6-character checksum. */
export const secretOf = (token: string, keyId: string): string => token.slice(`kg_${keyId}_`.length, -6);

/** The fields of a KeyView, sorted: the list and the mint answer carry exactly these. */
export const KEY_VIEW_FIELDS = [
  'canRotate', 'createdAt', 'expiresAt', 'expiresSoon', 'id', 'label', 'lastUsedAt', 'overlapEndsAt', 'permissions', 'prefix', 'replacedBy',
  'revocationReason', 'rotatedFrom', 'status', 'userId', 'userName',
];

export const ids = (items: { id: string }[]): string[] => items.map((k) => k.id);
export const types = (entries: ActivityEntry[]): string[] => entries.map((e) => e.type);
export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Waits until everything the app has recorded so far is visible to readers: pending uses flushed, then the
 * read models (activity feed, keys list) caught up with the head of the log.
 */
export const settle = async (kg: Keygate): Promise<void> => {
  await kg.keygate.usage.drain();
  // The projections, not readYourWrites: the guard's hot table follows lifecycle events only, so it never
  // reaches a position held by a KeyUsed.
  await kg.keygate.runtime.readSide.waitFor(await kg.keygate.runtime.store.headPosition());
};
