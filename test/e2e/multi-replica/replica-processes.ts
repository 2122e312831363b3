import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';

// Real Keygate API processes (dist/apps/api/src/main.js, the embedded profile) sharing one SQLite file.
// Used by the multi-replica e2e suites and by bench/replicas: so it imports nothing from jest or
// test/support (the bench is built by tsconfig.build.json, which leaves test/support out).

/** Built by `npm run build` (npm test builds first). Paths are taken from the repository root, where npm runs. */
export const MAIN_JS = resolve('dist/apps/api/src/main.js');
export const PROJECTOR_JS = resolve('dist/apps/projector/src/main.js');

export const REPLICA_JWT_SECRET = 'keygate-multi-replica-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/** Boot of Nest + SQLite on a loaded 2-core machine can take several seconds. */
const BOOT_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_LIMIT = 64 * 1024;

/** A port free right now: main.ts takes PORT as given, so port 0 cannot be used. */
export const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A run that dies before its cleanup (a crash, a timeout without afterAll) must not leave servers behind.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Replica {
  name: string;
  url: string;
  pid: number;
  /** What the process wrote to stdout and stderr (the last 64 KiB), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code (null when killed). */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  name: string;
  dataDir: string;
  env?: Record<string, string>;
  /** The compiled entry point: the API's main.js unless given (the production profile's projector). */
  script?: string;
}

const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once('exit', (code) => r(code)));

const spawnOnce = async ({ name, dataDir, env = {}, script = MAIN_JS }: StartOptions, port: number): Promise<Replica> => {
  // A minimal environment: nothing from the caller's shell or jest (NODE_OPTIONS, KEYGATE_*) leaks in.
  const child = spawn(process.execPath, [script], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      KEYGATE_DATA_DIR: dataDir,
      KEYGATE_JWT_SECRET: REPLICA_JWT_SECRET,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = exitOf(child).finally(() => running.delete(child));
  const url = `http://127.0.0.1:${port}`;

  const replica: Replica = {
    name,
    url,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone) {
    try {
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      if (res.status === 200) return replica;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await replica.stop();
      throw new Error(`replica ${name} not healthy after ${BOOT_TIMEOUT_MS} ms:\n${output}`);
    }
    await delay(50);
  }
  throw Object.assign(new Error(`replica ${name} exited with ${child.exitCode ?? child.signalCode} before it was healthy:\n${output}`), {
    addressInUse: /EADDRINUSE/.test(output),
  });
};

/** Starts `node dist/apps/api/src/main.js` and resolves once GET /health answers 200. */
export const startReplica = async (options: StartOptions): Promise<Replica> => {
  const script = options.script ?? MAIN_JS;
  if (!existsSync(script)) throw new Error(`${script} is missing: run "npm run build" first`);
  // Between freePort() and the child's listen another process may take the port: try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(options, await freePort());
    } catch (error) {
      if (attempt < 3 && (error as { addressInUse?: boolean }).addressInUse) continue;
      throw error;
    }
  }
};

export interface ReplicaSet {
  dataDir: string;
  replicas: Replica[];
  /** Stops replica i and starts it again on the same data directory (on another port). */
  restart(i: number): Promise<Replica>;
  /** Stops every replica and removes the data directory. */
  close(): Promise<void>;
}

/**
 * `count` replicas over one fresh data directory, started one after the other (the first creates the
 * file; a deployment starting them together would rely on busy_timeout for the schema, not the subject here).
 */
export const startReplicaSet = async (count: number, env: Record<string, string> = {}): Promise<ReplicaSet> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-replicas-'));
  const replicas: Replica[] = [];
  const names = (i: number) => String.fromCharCode(65 + i); // A, B, ...
  const close = async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) replicas.push(await startReplica({ name: names(i), dataDir, env }));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    dataDir,
    replicas,
    async restart(i) {
      await replicas[i].stop();
      replicas[i] = await startReplica({ name: names(i), dataDir, env });
      return replicas[i];
    },
    close,
  };
};

// ---------------------------------------------------------------- talking to a replica

export interface Identity {
  sub: string;
  company: string;
  role: 'root' | 'user';
  permissions?: string[];
}

/** A settings-API JWT as the host product would issue it, with the claims the API reads (HS256). */
export const settingsJwt = (who: Identity): Promise<string> =>
  new SignJWT({ name: who.sub, company: who.company, role: who.role, permissions: who.permissions ?? [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(who.sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(REPLICA_JWT_SECRET));

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else undefined. */
  json: any;
  text: string;
}

const send = async (url: string, init: RequestInit): Promise<Answer> => {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
};

export interface KeyView {
  id: string;
  status: 'active' | 'revoked' | 'expired';
  label: string;
}

/** The settings API of one replica, as one user. */
export const settings = (replica: Replica, jwt: string) => {
  const call = (method: string, path: string, body?: unknown) =>
    send(`${replica.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${jwt}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ensure = (res: Answer, status: number, what: string) => {
    if (res.status !== status) throw new Error(`${what} on ${replica.name}: expected ${status}, got ${res.status} ${res.text}`);
    return res.json;
  };
  return {
    /** Acknowledgement, then mint: the only time the token is shown. */
    async mint(label: string): Promise<{ key: KeyView; token: string }> {
      const { acknowledgementId } = ensure(await call('POST', '/api/keys/acknowledgements'), 201, 'acknowledge');
      return ensure(await call('POST', '/api/keys', { acknowledgementId, label }), 201, 'mint');
    },
    revoke: (keyId: string) => call('POST', `/api/keys/${keyId}/revoke`),
    async list(): Promise<KeyView[]> {
      return ensure(await call('GET', '/api/keys'), 200, 'list').items;
    },
  };
};

let rpcId = 1;

/**
 * One JSON-RPC message to /api/mcp as a stateless Streamable HTTP client sends it.
 * `tools/call` of whoami needs no permission and records a KeyUsed (an append to the log); `ping` passes
 * the same guard and appends nothing once the key was touched in the last minute.
 */
export const mcp = (replica: Replica, token: string, method: 'ping' | 'whoami' = 'whoami'): Promise<Answer> =>
  send(`${replica.url}/api/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
    },
    body: JSON.stringify(
      method === 'ping'
        ? { jsonrpc: '2.0', id: rpcId++, method: 'ping' }
        : { jsonrpc: '2.0', id: rpcId++, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
    ),
  });

/** Where this replica's hot key table is in the log (GET /health). */
export const hotTablePosition = async (replica: Replica): Promise<number> => {
  const health = await send(`${replica.url}/health`, {});
  const hot = health.json?.projections?.find((p: { name: string }) => p.name === 'hot_key_table');
  if (!hot) throw new Error(`no hot_key_table in ${replica.name}'s /health: ${health.text}`);
  return hot.checkpoint as number;
};

/**
 * Waits until `follower`'s hot table has applied everything `writer`'s has (for instance a mint answered
 * by `writer`). Watches /health rather than trying the key: a key id the table does not know yet counts
 * against that key id's failed-attempt budget. Resolves with the time waited, in ms. The default bound is generous
 * (a poll is 100 ms): a loaded machine must not fail a test that is not about speed.
 */
export const waitUntilCaughtUp = async (follower: Replica, writer: Replica, timeoutMs = 15_000): Promise<number> => {
  const target = await hotTablePosition(writer);
  const started = performance.now();
  while ((await hotTablePosition(follower)) < target) {
    if (performance.now() - started > timeoutMs) {
      throw new Error(`${follower.name}'s hot table did not reach position ${target} within ${timeoutMs} ms`);
    }
    await delay(5);
  }
  return performance.now() - started;
};
