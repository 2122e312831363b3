import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describeWithComposeCli, detectComposeCli, runCompose } from './compose-cli.js';
import { interpolateDeep, referencedVariables, type Env } from './compose-interpolation.js';
import { envVarsReadByCode } from './env-vars-read-by-code.js';
import { satisfies } from './semver-range.js';

// The production profile's deployment files, checked against the code they deploy: docker-compose.yml,
// the Dockerfile, infra/images.json, infra/.env.example and the proxy's configuration. Starting the stack
// needs a Docker engine; this suite checks what can be checked without one, and runs `docker compose
// config` where a compose CLI is installed.

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  deploy?: { replicas?: number | string };
  ports?: (string | { target?: number | string; published?: number | string })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
}
interface ComposeFile {
  services: Record<string, Service>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const COMPOSE_TEXT = read('docker-compose.yml');
// Compose resolves YAML merge keys (`<<: *anchor`); so must the test.
const RAW = parse(COMPOSE_TEXT, { merge: true }) as ComposeFile;
const SECRET = 'compose-check-secret-0123456789abcdef0123456789';
/** The file as compose reads it when only the required secret is set: every default in force. */
const withEnv = (env: Env): ComposeFile => interpolateDeep(RAW, { KEYGATE_JWT_SECRET: SECRET, ...env }) as ComposeFile;
const { services } = withEnv({});

/** Service name → image, from infra/images.json (whose "//" key is its comment). */
const PINNED_IMAGES = Object.fromEntries(
  Object.entries(JSON.parse(read('infra/images.json')) as Record<string, string>).filter(([key]) => key !== '//'),
);
/** Services built from this repository: the Keygate processes. */
const APP_SERVICES = Object.keys(services).filter((name) => services[name].build !== undefined);
const ENV_VARS_READ_BY_CODE = envVarsReadByCode(join(ROOT, 'apps'), join(ROOT, 'libs'));

const environmentOf = (service: Service): Record<string, string | undefined> => {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, undefined] : [entry.slice(0, at), entry.slice(at + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? undefined : String(value)]));
};

const argv = (command: string | string[] | undefined): string[] =>
  command === undefined ? [] : Array.isArray(command) ? command : command.trim().split(/\s+/);

/** The value of `--flag value` or `--flag=value` in a command line. */
const flagValue = (args: string[], flag: string): string | undefined => {
  const at = args.findIndex((arg) => arg === flag || arg.startsWith(`${flag}=`));
  if (at < 0) return undefined;
  return args[at].includes('=') ? args[at].slice(flag.length + 1) : args[at + 1];
};

const dependencies = (service: Service): Record<string, { condition?: string }> => {
  const deps = service.depends_on ?? {};
  // The list form means "started", not "healthy".
  return Array.isArray(deps) ? Object.fromEntries(deps.map((name) => [name, {}])) : deps;
};

/** Image reference without registry port or digest confusion: the tag is after the last ':' of the last segment. */
const imageTag = (image: string): string | undefined => {
  const name = image.split('@')[0];
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
};

/** Hosts and query of a mongodb:// connection string (several hosts make it no WHATWG URL). */
const parseMongoUrl = (url: string): { hosts: string[]; params: URLSearchParams } => {
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^/?]+)\/?[^?]*(?:\?(.*))?$/.exec(url);
  if (!match) throw new Error(`not a mongodb:// URL: ${url}`);
  return { hosts: match[1].split(','), params: new URLSearchParams(match[2] ?? '') };
};

/** The host-side file mounted at `target` in a service. */
const mountedFile = (service: Service, target: string): string | undefined => {
  for (const volume of service.volumes ?? []) {
    const [source, to] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    if (to === target && source !== undefined) return resolve(ROOT, source);
  }
  return undefined;
};

describe('docker-compose.yml (production profile)', () => {
  it('runs the two Keygate processes, the pinned stores and a proxy', () => {
    expect(APP_SERVICES.sort()).toEqual(['api', 'projector']);
    for (const store of Object.keys(PINNED_IMAGES)) expect(Object.keys(services)).toContain(store);
    expect(Object.keys(services)).toContain('proxy');
  });

  it('builds every Keygate service from this repository, and pins every other image', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) {
        const build = typeof service.build === 'string' ? { context: service.build } : service.build;
        expect({ name, context: resolve(ROOT, build.context ?? '.') }).toEqual({ name, context: resolve(ROOT) });
        expect(existsSync(join(ROOT, build.dockerfile ?? 'Dockerfile'))).toBe(true);
        continue;
      }
      expect({ name, image: service.image }).toEqual({ name, image: expect.any(String) });
      const tag = imageTag(service.image!);
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/\d/) });
      expect(tag).not.toBe('latest');
    }
  });

  it('runs the store images the container suites test against (infra/images.json)', () => {
    for (const [name, image] of Object.entries(PINNED_IMAGES)) expect({ name, image: services[name].image }).toEqual({ name, image });
  });

  it('gives every service a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      const test = argv(service.healthcheck?.test);
      expect({ name, disabled: service.healthcheck?.disable ?? false }).toEqual({ name, disabled: false });
      expect({ name, test: test.length > 1 && test[0] !== 'NONE' }).toEqual({ name, test: true });
    }
  });

  it('starts a service only once each service it depends on is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(dependencies(service))) {
        expect(Object.keys(services)).toContain(dependency);
        expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_healthy' });
      }
    }
    expect(Object.keys(dependencies(services.proxy))).toContain('api');
  });

  describe('the Keygate services', () => {
    it('run processes the build produces: dist/<path>.js from <path>.ts', () => {
      for (const name of APP_SERVICES) {
        const script = argv(services[name].command).find((arg) => arg.startsWith('dist/') && arg.endsWith('.js'));
        expect({ name, script }).toEqual({ name, script: `dist/apps/${name}/src/main.js` });
        expect({ name, source: existsSync(join(ROOT, script!.replace(/^dist\//, '').replace(/\.js$/, '.ts'))) }).toEqual({ name, source: true });
      }
    });

    it('use KurrentDB and MongoDB, and listen on all interfaces on their own port', () => {
      const ports = new Set<string>();
      for (const name of APP_SERVICES) {
        const env = environmentOf(services[name]);
        expect({ name, store: env.KEYGATE_STORE, host: env.HOST }).toEqual({ name, store: 'kurrent', host: '0.0.0.0' });
        expect(env.KURRENTDB_URL).toMatch(/^kurrentdb:\/\//);
        expect(env.MONGODB_URL).toMatch(/^mongodb:\/\//);
        expect(env.PORT).toMatch(/^\d+$/);
        ports.add(env.PORT!);
      }
      expect(ports.size).toBe(APP_SERVICES.length);
    });

    it('give the API a JWT secret or JWKS, and refuse to start without the secret', () => {
      // The projector serves no settings API (loadConfig's needsAuth: false) and gets neither.
      const env = environmentOf(services.api);
      expect(Boolean(env.KEYGATE_JWT_SECRET) || Boolean(env.KEYGATE_JWKS_URL)).toBe(true);
      expect(() => interpolateDeep(RAW, {})).toThrow(/KEYGATE_JWT_SECRET/);
    });

    it('tell each API replica how many replicas share the per-key rate limit', () => {
      for (const env of [{}, { KEYGATE_API_REPLICAS: '3' }]) {
        const api = withEnv(env).services.api;
        const replicas = Number(api.deploy?.replicas);
        expect(replicas).toBeGreaterThanOrEqual(1);
        expect(Number(environmentOf(api).KEYGATE_API_REPLICAS)).toBe(replicas);
      }
      expect(withEnv({ KEYGATE_API_REPLICAS: '3' }).services.api.deploy?.replicas).toBe('3');
      // Replicas cannot share a host port: the proxy publishes the one port.
      expect(services.api.ports ?? []).toEqual([]);
    });

    it('set only environment variables the code reads', () => {
      expect(ENV_VARS_READ_BY_CODE).toContain('KEYGATE_STORE');
      for (const name of APP_SERVICES) {
        for (const variable of Object.keys(environmentOf(services[name]))) {
          expect({ name, variable, readByCode: ENV_VARS_READ_BY_CODE.has(variable) }).toEqual({ name, variable, readByCode: true });
        }
      }
    });

    it('reach the stores by the names of services in this file', () => {
      const mongod = argv(services.mongodb.command);
      for (const name of APP_SERVICES) {
        const env = environmentOf(services[name]);

        const kurrent = new URL(env.KURRENTDB_URL!);
        expect(Object.keys(services)).toContain(kurrent.hostname);
        const insecure = environmentOf(services[kurrent.hostname]).KURRENTDB_INSECURE === 'true';
        // An insecure node speaks plain HTTP/2: the client must not try TLS, and a secure one needs it.
        expect({ name, tls: kurrent.searchParams.get('tls') !== 'false' }).toEqual({ name, tls: !insecure });

        const mongo = parseMongoUrl(env.MONGODB_URL!);
        for (const host of mongo.hosts) expect(Object.keys(services)).toContain(host.split(':')[0]);
        expect({ name, replicaSet: mongo.params.get('replicaSet') }).toEqual({ name, replicaSet: flagValue(mongod, '--replSet') });
        // The member address the healthcheck script announces when it initiates the set.
        expect(mongo.hosts).toContain(environmentOf(services.mongodb).REPLICA_SET_MEMBER);
      }
      expect(mountedFile(services.mongodb, '/etc/keygate/replica-set-healthcheck.js')).toBe(join(ROOT, 'infra/mongodb/replica-set-healthcheck.js'));
      expect(argv(services.mongodb.healthcheck?.test)).toContain('/etc/keygate/replica-set-healthcheck.js');
    });
  });

  describe('the proxy', () => {
    const confFile = mountedFile(services.proxy, '/etc/nginx/conf.d/default.conf');
    const conf = confFile && existsSync(confFile) ? readFileSync(confFile, 'utf8') : '';

    it('mounts its configuration from infra/', () => {
      expect(confFile).toBe(join(ROOT, 'infra/nginx/keygate.conf'));
      expect(conf).not.toBe('');
    });

    it('balances over every API replica, re-resolving the service name', () => {
      const upstream = /upstream\s+\S+\s*\{([^}]*)\}/.exec(conf)?.[1] ?? '';
      const server = /^\s*server\s+([\w.-]+):(\d+)([^;]*);/m.exec(upstream);
      expect(server?.[1]).toBe('api');
      expect(server?.[2]).toBe(environmentOf(services.api).PORT);
      expect(server?.[3]).toMatch(/\bresolve\b/);
      expect(upstream).toMatch(/^\s*zone\s/m);
      expect(conf).toMatch(/^\s*resolver\s/m);
    });

    it('does not buffer the MCP endpoint, whose answers may be event streams', () => {
      const mcp = /location\s+\/api\/mcp\s*\{([^}]*)\}/.exec(conf)?.[1] ?? '';
      expect(mcp).toMatch(/proxy_buffering\s+off\s*;/);
    });

    it('publishes one host port, the one nginx listens on', () => {
      const ports = services.proxy.ports ?? [];
      expect(ports).toHaveLength(1);
      const target = typeof ports[0] === 'string' ? ports[0].split(':').pop() : String(ports[0].target);
      expect(conf).toMatch(new RegExp(`^\\s*listen\\s+${target}\\s*;`, 'm'));
    });
  });

  it('documents in infra/.env.example every variable it substitutes and every variable the code reads', () => {
    const documented = read('infra/.env.example');
    const variables = new Set([...referencedVariables(COMPOSE_TEXT), ...ENV_VARS_READ_BY_CODE]);
    for (const variable of variables) {
      expect({ variable, documented: new RegExp(`\\b${variable}\\b`).test(documented) }).toEqual({ variable, documented: true });
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM\s/m).slice(1);

  it('builds on a pinned Node release that satisfies package.json engines', () => {
    const { engines } = JSON.parse(read('package.json')) as { engines: { node: string } };
    const versions = [...dockerfile.matchAll(/\bnode:(\d+\.\d+\.\d+)\b/g)].map((match) => match[1]);
    expect(versions.length).toBeGreaterThan(0);
    for (const version of versions) expect({ version, satisfies: satisfies(version, engines.node) }).toEqual({ version, satisfies: true });
    // Every stage starts from that pinned image, none from a floating tag.
    for (const stage of stages) expect(stage).toMatch(/^(\$\{NODE_IMAGE\}|node:\d+\.\d+\.\d+\S*)\s/);
  });

  it('runs the last stage as an unprivileged user with NODE_ENV=production', () => {
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^ENV\s+NODE_ENV=production\b/m);
    const user = [...runtime.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
  });
});

const composeCli = detectComposeCli();

describeWithComposeCli(composeCli, 'docker compose config', (cli) => {
  // An empty env file: a developer's own .env must not make the check pass or fail.
  const emptyEnvFile = (): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'keygate-compose-')), 'empty.env');
    writeFileSync(file, '');
    return file;
  };

  it('accepts the file when KEYGATE_JWT_SECRET is set', () => {
    const result = runCompose(cli, ['--env-file', emptyEnvFile(), '-f', 'docker-compose.yml', 'config', '-q'], ROOT, { KEYGATE_JWT_SECRET: SECRET });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  });

  it('refuses it, naming the variable, when KEYGATE_JWT_SECRET is missing', () => {
    const result = runCompose(cli, ['--env-file', emptyEnvFile(), '-f', 'docker-compose.yml', 'config', '-q'], ROOT, {});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/KEYGATE_JWT_SECRET/);
  });
});
