import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  DEFAULT_NEGOTIATED_PROTOCOL_VERSION,
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
} from '@modelcontextprotocol/sdk/types.js';

export interface McpHttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body text, or an already parsed JSON value. */
  body: unknown;
  authInfo: AuthInfo;
  /**
   * Registers what to do if the client goes away before its answer: each request dispatched registers one
   * listener, to be called at most once. The transport cancels on a later turn (a microtask), so a hook calling it
   * at once (a socket already closed) still cancels a request the server has seen. A hook rather than an AbortSignal:
   * building an AbortController per HTTP request cost ~4% of the server thread under load (bench/README.md, issue
   * 11), and almost no request is ever cancelled.
   */
  onClientGone?: (listener: () => void) => void;
}

export interface McpHttpResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

interface Pending {
  id: string | number;
  resolve: (message: JSONRPCMessage) => void;
  timer: NodeJS.Timeout;
}

const MAX_BATCH = 100;
const JSON_TYPE = { 'content-type': 'application/json' };

const fail = (status: number, code: number, message: string, headers: Record<string, string> = {}): McpHttpResponse => ({
  status,
  headers: { ...JSON_TYPE, ...headers },
  body: { jsonrpc: '2.0', error: { code, message }, id: null },
});

const header = (h: McpHttpRequest['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Streamable HTTP, stateless, JSON responses, for ONE long-lived McpServer shared by every request.
 *
 * The SDK's documented stateless pattern builds a server and a transport per request (~1 ms of CPU).
 * Here the server is connected once; each HTTP request's messages enter through onmessage() with that
 * request's authInfo, and each response is routed back to its HTTP request. Requests get internal ids,
 * because two callers may both send id 1 and the SDK keys per-request state by id.
 *
 * HTTP checks mirror the SDK's own transport: 405 for GET/DELETE (nothing to stream, no sessions),
 * 406 without Accept of JSON and event-stream, 415 for a non-JSON body, 400 for a bad protocol version,
 * -32700 for bad JSON, 202 for notifications only.
 */
/** Wraps one request's whole handling by the SDK: used to gate and record tools/call around it. */
export type RequestInterceptor = (
  request: JSONRPCRequest,
  extra: MessageExtraInfo,
  next: () => Promise<JSONRPCMessage>,
) => Promise<JSONRPCMessage>;

export class RequestScopedTransport implements Transport {
  /** Set by the server that owns this transport; runs before the SDK sees a request. */
  intercept?: RequestInterceptor;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  sessionId = undefined;

  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private closed = false;

  constructor(private readonly timeoutMs = 30_000) {}

  async start(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const iid of [...this.pending.keys()]) {
      this.reply(iid, { jsonrpc: '2.0', id: iid, error: { code: ErrorCode.ConnectionClosed, message: 'Server shutting down' } });
    }
    this.onclose?.();
  }

  /** Protocol sends every outgoing message here. Only responses have somewhere to go in stateless JSON mode. */
  async send(message: JSONRPCMessage): Promise<void> {
    if (!('method' in message) && 'id' in message && typeof message.id === 'string') this.reply(message.id, message);
  }

  async handle(req: McpHttpRequest): Promise<McpHttpResponse> {
    if (req.method !== 'POST') return fail(405, -32000, 'Method not allowed: this endpoint is stateless; POST JSON-RPC messages.', { allow: 'POST' });
    if (this.closed) return fail(503, ErrorCode.ConnectionClosed, 'Server shutting down');
    const accept = header(req.headers, 'accept') ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return fail(406, -32000, 'Not Acceptable: the client must accept both application/json and text/event-stream.');
    }
    const contentType = (header(req.headers, 'content-type') ?? '').split(';', 1)[0].trim().toLowerCase();
    if (contentType !== 'application/json') return fail(415, -32000, 'Unsupported Media Type: Content-Type must be application/json.');

    let payload: unknown;
    try {
      payload = typeof req.body === 'string' || Buffer.isBuffer(req.body) ? JSON.parse(req.body.toString()) : req.body;
    } catch {
      return fail(400, ErrorCode.ParseError, 'Parse error: invalid JSON.');
    }

    const batch = Array.isArray(payload);
    const messages = (batch ? payload : [payload]) as Record<string, unknown>[];
    const hasInit = messages.some((m) => m?.method === 'initialize');
    const version = header(req.headers, 'mcp-protocol-version');
    // As in the SDK: optional (absent means 2025-03-26), and not checked on initialize itself.
    if (!hasInit && version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return fail(400, -32000, `Unsupported protocol version ${version}; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}.`);
    }
    if (batch) {
      const v = version ?? DEFAULT_NEGOTIATED_PROTOCOL_VERSION;
      if (v >= '2025-06-18') return fail(400, ErrorCode.InvalidRequest, `JSON-RPC batches are not part of protocol version ${v}.`);
      if (messages.length === 0 || messages.length > MAX_BATCH || hasInit) {
        return fail(400, ErrorCode.InvalidRequest, `A batch holds 1 to ${MAX_BATCH} messages and no initialize.`);
      }
    }

    const requests: JSONRPCRequest[] = [];
    for (const m of messages) {
      // Only the guard that should match runs: a failing zod parse costs microseconds.
      const valid =
        typeof m?.method !== 'string'
          ? isJSONRPCResultResponse(m) || isJSONRPCErrorResponse(m)
          : 'id' in m
            ? isJSONRPCRequest(m)
            : isJSONRPCNotification(m);
      if (!valid) return fail(400, ErrorCode.InvalidRequest, 'Invalid Request: not a JSON-RPC 2.0 message.');
      if (typeof m.method === 'string' && 'id' in m) requests.push(m as unknown as JSONRPCRequest);
      // Client notifications and responses are not forwarded: on a shared server they are matched by id
      // alone, so one caller could cancel or answer another's request. Disconnects cancel instead.
    }
    if (requests.length === 0) return { status: 202, headers: {} };

    const extra: MessageExtraInfo = { authInfo: req.authInfo, requestInfo: { headers: req.headers as Record<string, string> } };
    const replies = await Promise.all(
      requests.map((r) => {
        const next = () => this.dispatch(r, extra, req.onClientGone);
        return this.intercept ? this.intercept(r, extra, next) : next();
      }),
    );
    return { status: 200, headers: JSON_TYPE, body: batch ? replies : replies[0] };
  }

  /** Delivers one request to the server and resolves with its response, under the caller's own id. */
  dispatch(request: JSONRPCRequest, extra: MessageExtraInfo, onClientGone?: McpHttpRequest['onClientGone']): Promise<JSONRPCMessage> {
    const iid = `kg-${++this.seq}`;
    return new Promise((resolve) => {
      // The SDK sets no timeout on incoming requests: this is the only bound on a stuck tool.
      const timer = setTimeout(() => this.cancel(iid, ErrorCode.RequestTimeout, 'Request timed out'), this.timeoutMs);
      this.pending.set(iid, { id: request.id, resolve, timer });
      onClientGone?.(() => queueMicrotask(() => this.cancel(iid, ErrorCode.ConnectionClosed, 'Client disconnected')));
      try {
        this.onmessage?.({ ...request, id: iid }, extra);
      } catch (error) {
        this.onerror?.(error as Error);
        this.reply(iid, { jsonrpc: '2.0', id: iid, error: { code: ErrorCode.InternalError, message: 'Internal error' } });
      }
    });
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private cancel(iid: string, code: number, message: string): void {
    if (!this.pending.has(iid)) return;
    // Aborts the handler's extra.signal; Protocol drops its late reply.
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: iid, reason: message } });
    this.reply(iid, { jsonrpc: '2.0', id: iid, error: { code, message } });
  }

  private reply(iid: string, message: JSONRPCMessage): void {
    const p = this.pending.get(iid);
    if (!p) return;
    this.pending.delete(iid);
    clearTimeout(p.timer);
    p.resolve({ ...message, jsonrpc: '2.0', id: p.id } as JSONRPCMessage);
  }
}
