import { request as httpRequest } from 'node:http';
import { Agent } from 'node:http';

/** One HTTP exchange as sent (path and headers unchecked by fetch's URL rules) and as answered. */
export interface RawExchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Whether the server sent "100 Continue" before its answer. */
  continued: boolean;
}

// Keep-alive, as real clients: a refused request must not leave its connection unusable for the next one.
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Sends one request through node:http (which accepts any path a server could receive on the wire). */
export const send = (base: URL, x: RawExchange, timeoutMs = 15_000): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    let continued = false;
    // Node's client frames a DELETE or OPTIONS body with neither Content-Length nor chunking: always say its length.
    const headers = x.body === undefined ? x.headers : { 'content-length': String(Buffer.byteLength(x.body)), ...x.headers };
    const req = httpRequest(
      { host: base.hostname, port: base.port, method: x.method, path: x.path, headers, agent, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), continued }));
        res.on('error', reject);
      },
    );
    req.on('information', (info) => {
      if (info.statusCode === 100) continued = true;
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(x.body);
  });

export const closeAgent = () => agent.destroy();

const isProblem = (a: RawAnswer): string | null => {
  if (!/^application\/problem\+json(;|$)/.test(String(a.headers['content-type'] ?? ''))) return `content-type ${a.headers['content-type']}`;
  let body: any;
  try {
    body = JSON.parse(a.text);
  } catch {
    return 'body is not JSON';
  }
  if (body?.status !== a.status) return `problem status ${body?.status} ≠ ${a.status}`;
  for (const f of ['type', 'title', 'detail']) if (typeof body[f] !== 'string' || body[f].length === 0) return `problem without ${f}`;
  if (!/^urn:keygate:problem:[a-z0-9-]+$/.test(body.type)) return `problem type ${body.type}`;
  return null;
};

const isRpcError = (a: RawAnswer): string | null => {
  if (!/^application\/json(;|$)/.test(String(a.headers['content-type'] ?? ''))) return `content-type ${a.headers['content-type']}`;
  let body: any;
  try {
    body = JSON.parse(a.text);
  } catch {
    return 'body is not JSON';
  }
  if (body?.jsonrpc !== '2.0' || typeof body.error?.code !== 'number' || typeof body.error?.message !== 'string' || body.error.message.length === 0) {
    return 'not a JSON-RPC error';
  }
  return null;
};

/** null when the answer is acceptable: below 500, and an error answer is problem+json (REST). */
export const restVerdict = (a: RawAnswer): string | null => {
  if (a.status >= 500) return `5xx: ${a.status} ${a.text.slice(0, 300)}`;
  if (a.status >= 400) { const p = isProblem(a); return p && `${a.status} ${p}: ${a.text.slice(0, 200)}`; }
  return null;
};

/** null when acceptable: below 500, an error answer is problem+json or a JSON-RPC error (MCP). */
export const mcpVerdict = (a: RawAnswer): string | null => {
  if (a.status >= 500) return `5xx: ${a.status} ${a.text.slice(0, 300)}`;
  if (a.status >= 400) {
    const problem = isProblem(a);
    const rpc = isRpcError(a);
    return problem && rpc ? `neither problem+json (${problem}) nor JSON-RPC (${rpc}): ${a.text.slice(0, 200)}` : null;
  }
  return null;
};
