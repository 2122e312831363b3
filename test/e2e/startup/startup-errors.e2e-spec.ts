import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeUnless } from '#test-support/describe-unless';
import { assertDistIsCurrent } from '#test-support/dist-freshness';

// The compiled entry points (npm test builds first) started the way an operator starts them, with settings an
// operator gets wrong: each must end with one clear message on stderr, no stack trace, and a non-zero exit.

const MAIN = resolve('dist/apps/api/src/main.js');
const PROJECTOR = resolve('dist/apps/projector/src/main.js');
const CLI = (name: string) => resolve(`dist/apps/api/src/cli/${name}.js`);

/** A minimal environment: nothing from jest's (NODE_OPTIONS, KEYGATE_*) leaks in. */
const runNode = (script: string, args: string[], env: Record<string, string>, timeoutMs = 30_000) => {
  const started = performance.now();
  const result = spawnSync(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started };
};

/** No "    at f (file:…)" lines: a person reads the message, not a stack trace. */
const STACK_LINE = /^\s+at .+[(:]/m;

describe('start-up errors of the compiled processes', () => {
  let dir: string;
  beforeAll(() => {
    assertDistIsCurrent();
    dir = mkdtempSync(join(tmpdir(), 'keygate-startup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the API lists every wrong setting in one message and exits 78, having written nothing', () => {
    const dataDir = join(dir, 'never-created');
    const { status, stdout, stderr } = runNode(MAIN, [], {
      KEYGATE_DATA_DIR: dataDir,
      PORT: '99999',
      KEYGATE_PUBLIC_URL: 'keygate.example.com',
      LOG_LEVEL: 'verbose',
      KEYGATE_JWT_SECRET: 'x',
    });
    process.stderr.write(`[startup] bad settings:\n${stderr}`);
    expect(status).toBe(78);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(STACK_LINE);
    expect(stderr.trim().split('\n')).toEqual([
      'Keygate cannot start: 4 settings are wrong.',
      '  - PORT="99999": PORT must be an integer from 1 to 65535 (unset: 3000)',
      expect.stringMatching(/^ {2}- KEYGATE_JWT_SECRET is 1 byte\(s\) long: it must be at least 32 bytes, because an HS256 key .*RFC 7518 §3\.2/),
      expect.stringMatching(/^ {2}- KEYGATE_PUBLIC_URL="keygate\.example\.com": .*absolute http:\/\/ or https:\/\/ URL/),
      '  - LOG_LEVEL="verbose": LOG_LEVEL must be one of pino\'s levels: fatal, error, warn, info, debug, trace, silent',
    ]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a data directory that cannot be created is named, with what to do', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const { status, stderr } = runNode(MAIN, [], { KEYGATE_DATA_DIR: join(file, 'data') });
    expect(status).toBe(78);
    expect(stderr).not.toMatch(STACK_LINE);
    expect(stderr).toContain(`KEYGATE_DATA_DIR="${join(file, 'data')}": the data directory`);
    expect(stderr).toMatch(/cannot be created \(ENOTDIR\); set KEYGATE_DATA_DIR to a writable directory/);
  });

  it('a port in use: one line naming it, exit 1', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    try {
      const dataDir = mkdtempSync(join(dir, 'port-'));
      const { status, stderr } = runNode(MAIN, [], { KEYGATE_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'silent' }, 60_000);
      expect(status).toBe(1);
      expect(stderr).not.toMatch(STACK_LINE);
      expect(stderr.trim()).toBe(`Keygate cannot start: cannot listen on 127.0.0.1:${port} (EADDRINUSE); set PORT or HOST`);
    } finally {
      server.close();
    }
  }, 60_000);

  it('stores that do not answer: a log line per attempt, then one message naming the URL without credentials and the variable (exit 69)', () => {
    // Ports nothing listens on: connection refused at once, so the retries are what takes the time.
    const env = {
      KEYGATE_STORE: 'kurrent',
      KURRENTDB_URL: 'kurrentdb://admin:changeit@127.0.0.1:1?tls=false',
      MONGODB_URL: 'mongodb://root:hunter2@127.0.0.1:2/?replicaSet=rs0',
      KEYGATE_STORE_CONNECT_TIMEOUT_MS: '2500',
      LOG_LEVEL: 'info',
    };
    for (const script of [PROJECTOR, MAIN]) {
      const { status, stdout, stderr, ms } = runNode(script, [], { ...env, KEYGATE_JWT_SECRET: 'k'.repeat(32) }, 60_000);
      process.stderr.write(`[startup] ${script.split('/').slice(-3).join('/')}: exit ${status} after ${ms.toFixed(0)} ms\n${stderr}`);
      expect(status).toBe(69);
      const attempts = stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      for (const a of attempts) expect(a).toMatchObject({ store: 'KurrentDB', variable: 'KURRENTDB_URL', url: 'kurrentdb://***@127.0.0.1:1?tls=false', msg: 'KurrentDB is not reachable yet; retrying' });
      expect(stderr).not.toMatch(STACK_LINE);
      expect(stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^Keygate cannot start: KurrentDB at kurrentdb:\/\/\*\*\*@127\.0\.0\.1:1\?tls=false \(KURRENTDB_URL\) did not answer: \d+ attempt\(s\) over [\d.]+ s/),
        'Check that KurrentDB runs and that KURRENTDB_URL names it.',
      ]);
      expect(stdout + stderr).not.toMatch(/changeit|hunter2/);
    }
  }, 120_000);
});

describe('the operator commands', () => {
  let dir: string;
  beforeAll(() => {
    assertDistIsCurrent();
    dir = mkdtempSync(join(tmpdir(), 'keygate-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['token', 'rebuild-projections', 'parked-events'])('%s --help prints its usage and exits 0', (name) => {
    const { status, stdout } = runNode(CLI(name), ['--help'], {});
    expect(status).toBe(0);
    expect(stdout).toMatch(/^usage: /);
    expect(stdout).toMatch(/KEYGATE_DATA_DIR/);
  });

  it('refuse a data directory that holds no Keygate store, create nothing there, and exit 1', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    for (const [name, args] of [
      ['rebuild-projections', []],
      ['parked-events', ['list']],
      ['token', ['--sub', 'alice', '--company', 'acme']],
    ] as const) {
      const { status, stdout, stderr } = runNode(CLI(name), [...args], { KEYGATE_DATA_DIR: empty });
      expect({ name, status, stdout }).toEqual({ name, status: 1, stdout: '' });
      expect(stderr).toContain(`KEYGATE_DATA_DIR="${empty}"`);
      expect(stderr).not.toMatch(STACK_LINE);
    }
    expect(readdirSync(empty)).toEqual([]);
  });

  it('token --create makes the development secret; the next call reuses it', () => {
    const fresh = join(dir, 'fresh');
    const first = runNode(CLI('token'), ['--sub', 'alice', '--company', 'acme', '--create'], { KEYGATE_DATA_DIR: fresh });
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const secret = readFileSync(join(fresh, 'dev-jwt-secret'), 'utf8');
    expect(runNode(CLI('token'), ['--sub', 'bob', '--company', 'acme'], { KEYGATE_DATA_DIR: fresh }).status).toBe(0);
    expect(readFileSync(join(fresh, 'dev-jwt-secret'), 'utf8')).toBe(secret);
  });

  it('token signs the claims as the identity mapping names them, with its issuer and audience', () => {
    const mapped = {
      KEYGATE_DATA_DIR: join(dir, 'mapped'),
      KEYGATE_JWT_CLAIM_COMPANY: 'https://example.com/company',
      KEYGATE_JWT_CLAIM_ROLE: 'https://example.com/roles',
      KEYGATE_JWT_ROOT_ROLES: 'admin,owner',
      KEYGATE_JWT_ISSUER: 'https://idp.example.com/',
      KEYGATE_JWT_AUDIENCE: 'keygate',
    };
    const made = runNode(CLI('token'), ['--sub', 'ann', '--company', 'acme', '--role', 'root', '--create'], mapped);
    expect(made.status).toBe(0);
    const claims = JSON.parse(Buffer.from(made.stdout.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'ann', 'https://example.com/company': 'acme', 'https://example.com/roles': 'admin', iss: 'https://idp.example.com/', aud: 'keygate' });
    expect(claims).not.toHaveProperty('company');
  });

  it('usage errors exit 2; a bad setting 78', () => {
    expect(runNode(CLI('token'), ['--bogus'], {}).status).toBe(2);
    expect(runNode(CLI('parked-events'), ['frobnicate'], {}).status).toBe(2);
    expect(runNode(CLI('rebuild-projections'), ['--all'], {}).status).toBe(2);
    const bad = runNode(CLI('rebuild-projections'), [], { KEYGATE_SQLITE_POLL_INTERVAL_MS: '1', KEYGATE_DATA_DIR: dir });
    expect(bad.status).toBe(78);
    expect(bad.stderr).toMatch(/KEYGATE_SQLITE_POLL_INTERVAL_MS="1": .* integer of at least 5/);
  });
});

// ------------------------------------------------------------------ npm start and signals

/** The pids below `pid` (Linux /proc). */
const descendants = (pid: number): number[] => {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};
const freePort = () =>
  new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => r(port));
    });
  });

// /proc tells the npm process's children apart (is node its direct child, with no shell between?).
describeUnless(existsSync('/proc/self/stat') ? null : 'no /proc to inspect the process tree', 'npm start', () => {
  it('a SIGTERM to npm reaches node (the script execs it): node stops, nothing is left running', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keygate-npm-start-'));
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), KEYGATE_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout!.on('data', (c) => (output += c));
    npm.stderr!.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((r) => npm.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
    let nodePids: number[] = [];
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`npm start: not healthy within 90 s:\n${output}`);
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (ok) break;
        if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      nodePids = descendants(npm.pid!).filter((p) => cmdline(p).includes('dist/apps/api/src/main.js'));
      expect(nodePids).toHaveLength(1);
      // With exec, the shell npm started *is* node now: npm's direct child.
      const shells = descendants(npm.pid!).filter((p) => /^(\/bin\/)?sh /.test(cmdline(p)));
      expect(shells).toEqual([]);

      npm.kill('SIGTERM');
      const code = await exited;
      const goneBy = Date.now() + 10_000;
      while (nodePids.some(alive) && Date.now() < goneBy) await new Promise((r) => setTimeout(r, 50));
      process.stderr.write(`[startup] npm start: SIGTERM to npm (pid ${npm.pid}), npm exited ${code}, node ${nodePids.join(',')} alive: ${nodePids.some(alive)}\n`);
      expect(nodePids.filter(alive)).toEqual([]);
      expect(output).toMatch(/shutting down|^$/m);
    } finally {
      for (const p of [...nodePids, npm.pid!]) if (alive(p)) process.kill(p, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
