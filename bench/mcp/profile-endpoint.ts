import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { LoadGenerator } from './load-generator.js';
import { authSwitch, bootKeygate, bootSdkAlone, usageSwitch, whoamiCall, type Target } from './targets.js';

/**
 * Where the endpoint's time goes: a V8 CPU profile of this process while autocannon (child process)
 * drives one target, then self time aggregated by function and by package/area.
 *
 *   node dist/bench/mcp/profile-endpoint.js [a|b|u|s] [seconds] [sampling interval µs, default 500]
 *
 * a: as built; b: the guard's verdict swapped in (auth off); u: usage recording off; s: the MCP SDK alone on a bare
 * Fastify route (the bench's (s), in this process).
 *
 * Writes the raw profile to /tmp/keygate-mcp-<target>.cpuprofile (open in Chrome DevTools).
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const area = (url: string): string => {
  if (!url) return '(native/VM)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const m = /dist\/((?:apps|libs|bench)\/[^/]+\/[^/]+(?:\/[^/]+)?)/.exec(url);
  return m ? m[1] : url;
};

/** What a sample is spent on: the first rule matching a frame, walking from the leaf towards the root. */
const CATEGORIES: [string, (n: ProfileNode) => boolean][] = [
  ['guard (ApiKeyGuard.check)', (n) => n.callFrame.url.includes('libs/keys/src/guard')],
  ['projection runner (catch-up pass after each append)', (n) => n.callFrame.url.includes('libs/projections/src')],
  ['hot-key table follower', (n) => n.callFrame.functionName === 'subscribeToAll' || n.callFrame.url.includes('runtime/keygate-runtime')],
  ['usage recorder (KeyUsed group commit append)', (n) => n.callFrame.url.includes('mcp/usage-recorder')],
  [
    'MCP: transport, SDK, zod, tool',
    (n) => /mcp\/(request-scoped-transport|mcp-server|tools\/)|@modelcontextprotocol|node_modules\/zod/.test(n.callFrame.url),
  ],
  ['HTTP: node http/net, fastify, Nest hooks', (n) => /node:_http|node:net|node:internal\/(streams|stream_base)|fastify|find-my-way|@nestjs|middie|light-my-request|pino/.test(n.callFrame.url)],
  ['endpoint handler (mcp-endpoint.ts itself)', (n) => n.callFrame.url.includes('mcp/mcp-endpoint')],
  ['garbage collector', (n) => n.callFrame.functionName === '(garbage collector)'],
  ['idle', (n) => n.callFrame.functionName === '(idle)'],
];

const main = async () => {
  const which = (process.argv[2] ?? 'a') as 'a' | 'b' | 'u' | 's';
  const seconds = Number(process.argv[3] ?? 8);
  const built = await bootKeygate();
  const targets: Target[] = [built];
  const target = which === 's' ? await bootSdkAlone(built) : built;
  if (target !== built) targets.push(target);
  // (b): the same server with the guard call swapped for its verdict (as in the bench).
  if (which === 'b') authSwitch(built).off();
  // (u): the same server recording no usage (as in the bench).
  if (which === 'u') usageSwitch(built).off();
  const request = whoamiCall(built.token);

  const load = await LoadGenerator.start();
  const run = (s: number) => load.run({ url: target.url, headers: request.headers, body: request.body, connections: 10, seconds: s });
  await run(2);

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: Number(process.argv[4] ?? 500) });
  await session.post('Profiler.start');
  const result = await run(seconds);
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[] } };
  session.disconnect();
  load.stop();
  const file = `/tmp/keygate-mcp-${which}.cpuprofile`;
  writeFileSync(file, JSON.stringify(profile));

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = profile.samples.length;
  const selfBy = (key: (n: ProfileNode) => string) => {
    const counts = new Map<string, number>();
    for (const id of profile.samples) {
      const k = key(byId.get(id)!);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts.entries()].sort((x, y) => y[1] - x[1]);
  };
  // Inclusive time per function (a function counted once per sample even if recursive).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const id of profile.samples) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      const k = `${n.callFrame.functionName || '(anonymous)'} ${area(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
      if (!seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
      }
    }
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1)}%`.padStart(6);
  console.log(`${which === 'b' ? 'auth off' : which === 'u' ? 'usage off' : target.name}: ${result.okPerSecond.toFixed(0)} req/s over ${seconds} s, ${total} samples`);
  const byCategory = new Map<string, number>();
  for (const id of profile.samples) {
    let category = 'other';
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const hit = CATEGORIES.find(([, match]) => match(byId.get(cur!)!));
      if (hit) {
        category = hit[0];
        break;
      }
    }
    byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
  }
  console.log('\nwhere the server thread\'s time goes (innermost matching frame):');
  for (const [k, n] of [...byCategory.entries()].sort((x, y) => y[1] - x[1])) console.log(`${pct(n)}  ${k}`);
  console.log('\nself time by area:');
  for (const [k, n] of selfBy((n) => area(n.callFrame.url)).slice(0, 25)) console.log(`${pct(n)}  ${k}`);
  console.log('\nself time by function:');
  for (const [k, n] of selfBy((n) => `${n.callFrame.functionName || '(anonymous)'} ${area(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`).slice(0, 40)) {
    console.log(`${pct(n)}  ${k}`);
  }
  console.log('\ninclusive time by function (top 60):');
  for (const [k, n] of [...inclusive.entries()].sort((x, y) => y[1] - x[1]).slice(0, 60)) console.log(`${pct(n)}  ${k}`);
  console.log(`\nprofile: ${file}`);
  for (const t of targets.reverse()) await t.close();
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
