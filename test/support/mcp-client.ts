import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The path of the MCP endpoint. */
export const MCP_PATH = '/api/mcp';

/**
 * An MCP client as an assistant would run one: the SDK's own Client over Streamable HTTP, the API key
 * in the Authorization header. Resolves once initialized (initialize answered, initialized sent).
 */
export const connectMcp = async (baseUrl: string, token: string, name = 'keygate-e2e'): Promise<Client> => {
  const transport = new StreamableHTTPClientTransport(new URL(baseUrl + MCP_PATH), {
    // Stateless: what initialize announces belongs to that request alone. Later calls are named by their
    // User-Agent, as real clients send one (claude-code/2.x): the activity feed reads "from <name> 1.0.0".
    requestInit: { headers: { Authorization: `Bearer ${token}`, 'User-Agent': `${name}/1.0.0` } },
  });
  const client = new Client({ name, version: '1.0.0' });
  // After initialization the transport tries a GET for a server stream; the endpoint answers 405, which the
  // SDK accepts. Anything else it reports here: keep it out of the test output, the calls themselves fail.
  client.onerror = () => undefined;
  await client.connect(transport);
  return client;
};

/** The tool's JSON answer (Keygate tools return the same value as structuredContent and as text). */
export const toolJson = <T = any>(result: CallToolResult | Record<string, unknown>): T => {
  const r = result as CallToolResult;
  if (r.isError) throw new Error(`tool answered an error: ${JSON.stringify(r.content)}`);
  return r.structuredContent as T;
};

/** The text of an error result. */
export const errorText = (result: CallToolResult | Record<string, unknown>): string => {
  const r = result as CallToolResult;
  if (!r.isError) throw new Error(`expected an error result, got ${JSON.stringify(r)}`);
  return r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
};

// ---------------------------------------------------------------- raw HTTP

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON when the body is JSON, otherwise undefined. */
  json: any;
}

export interface RawOptions {
  method?: string;
  /** Sent as "Authorization: Bearer <token>" unless undefined. */
  token?: string;
  /** A JSON-RPC message (serialized) or a raw string body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Appended to /api/mcp (e.g. "?key=..."). */
  query?: string;
}

/** One HTTP request to /api/mcp, as a Streamable HTTP client sends it unless told otherwise. */
export const mcpRaw = async (baseUrl: string, options: RawOptions = {}): Promise<RawResponse> => {
  const method = options.method ?? 'POST';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
    ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  const body =
    options.body === undefined || method === 'GET' || method === 'HEAD'
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const res = await fetch(`${baseUrl}${MCP_PATH}${options.query ?? ''}`, { method, headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
};

let nextId = 1;

/** A JSON-RPC request message. */
export const rpc = (method: string, params?: Record<string, unknown>, id: number | string = nextId++) => ({
  jsonrpc: '2.0' as const,
  id,
  method,
  ...(params ? { params } : {}),
});

/** The initialize request a client sends first. */
export const initializeRequest = (id: number | string = nextId++) =>
  rpc('initialize', { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw-e2e', version: '0.0.1' } }, id);

/** tools/call for one tool. */
export const callRequest = (name: string, args: Record<string, unknown> = {}, id?: number | string) =>
  rpc('tools/call', { name, arguments: args }, id);

/**
 * The auth-params of a "Bearer ..." WWW-Authenticate challenge, parsed strictly (RFC 9110 §11.2,
 * RFC 6750 §3): null when the header is not a single well-formed Bearer challenge.
 */
export const parseBearerChallenge = (header: string | null): Record<string, string> | null => {
  if (header === null) return null;
  const m = /^Bearer +(.*)$/.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  const param = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)="((?:[^"\\]|\\.)*)"(?:\s*,\s*|$)/;
  let rest = m[1];
  while (rest.length > 0) {
    const p = param.exec(rest);
    if (!p) return null;
    params[p[1]] = p[2].replace(/\\(.)/g, '$1');
    rest = rest.slice(p[0].length);
  }
  return params;
};
