import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { problemOf, sendProblem, type Problem } from '../problem/problem-details.filter.js';

// The HTTP edge of the whole process (settings API and MCP endpoint): how much a request may send, how deep its
// JSON may nest, how long each phase may take, and how a refused body is answered and drained. It lives beside
// the MCP endpoint because that is the route it was built for; nothing in it is MCP-specific.

/**
 * Limits at the HTTP edge. Choices (issue 10 is silent on the figures):
 * - REST bodies: 16 KiB. The settings API's largest body is a mint ({acknowledgementId, label}: well under 2 KiB
 *   even with a 1,000-character label of 4-byte characters); /api/mcp keeps KEYGATE_MAX_REQUEST_BYTES.
 * - JSON depth: 16 on REST (its bodies are flat), 64 on /api/mcp (tool arguments may nest); checked on the raw
 *   text before any parser or class-transformer walks it.
 * - Headers within 10 s, the whole body within 10 s of the request's start (Node's requestTimeout, 30 s, is the
 *   backstop), idle keep-alive connections closed after 5 s.
 * - A body refused before it was read is drained (read and discarded, never kept) for at most 5 s and 32 MiB
 *   after the answer, so the client reads the answer before the socket closes.
 * - Shutdown: 5 s grace for requests in flight, then every connection is closed.
 */
export interface HttpLimits {
  restBodyLimitBytes: number;
  restMaxJsonDepth: number;
  mcpMaxJsonDepth: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  drainMs: number;
  drainBytes: number;
  shutdownGraceMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  restBodyLimitBytes: 16 * 1024,
  restMaxJsonDepth: 16,
  mcpMaxJsonDepth: 64,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  drainMs: 5_000,
  drainBytes: 32 * 1024 * 1024,
  shutdownGraceMs: 5_000,
};

/**
 * Whether JSON text nests deeper than `max` objects/arrays: one pass over the characters, brackets inside strings
 * ignored, no allocation. Run before JSON.parse and class-transformer, whose recursion a deep document overflows.
 */
export const jsonDepthExceeds = (text: string, max: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
};

/** An error Fastify and Nest's filter both read as a 4xx: toProblem takes its message as the detail. */
export const httpError = (statusCode: number, message: string): FastifyError =>
  Object.assign(new Error(message), { statusCode, code: `KEYGATE_HTTP_${statusCode}`, name: 'HttpEdgeError' }) as FastifyError;

const instanceOf = (request: FastifyRequest): string => `urn:keygate:request:${request.id}`;

// Statuses only the edge answers, whose titles problem-details.filter.ts does not list.
const EDGE_TITLES: Record<number, string> = { 408: 'Request Timeout', 414: 'URI Too Long' };

/** Answers with problem+json through the one writer, the request id echoed as everywhere else. */
const answer = (request: FastifyRequest, reply: FastifyReply, problem: Problem) => {
  reply.header('x-request-id', request.id);
  sendProblem(reply, { ...problem, title: EDGE_TITLES[problem.status] ?? problem.title, instance: instanceOf(request) });
  return reply;
};

/**
 * Fastify's `frameworkErrors`: errors it raises before routing (a malformed percent escape, a path segment over
 * maxParamLength), which otherwise get its own JSON body. Problem+json on every path, /api/mcp included (an MCP
 * client reads a problem's status as an HTTP failure, as it does for the endpoint's other refusals).
 */
export const frameworkErrors = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
  const status = error.statusCode ?? 400;
  const detail =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The URL is not valid: "%" must start a percent escape such as %20. Encode the path and query.'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'A path segment is longer than 100 characters; no key id is that long. Check the URL.'
        : status >= 500
          ? 'An unexpected error occurred; it has been logged with this request id.'
          : error.message;
  answer(request, reply, problemOf(status >= 400 && status < 600 ? status : 400, detail));
};

/** Options for Fastify's constructor (through FastifyAdapter). */
export const fastifyHttpOptions = (limits: HttpLimits) => ({
  requestTimeout: limits.requestTimeoutMs,
  keepAliveTimeout: limits.keepAliveTimeoutMs,
  // Node's own checks run every connectionsCheckingInterval (30 s by default): 1 s keeps its deadlines near their value.
  http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: 1_000 },
  frameworkErrors,
});

// Per-request state of the edge, kept off the request objects.
interface EdgeState {
  deadline?: NodeJS.Timeout;
  /** The body deadline answered: the connection is closed, not drained. */
  cutOff?: boolean;
}
const states = new WeakMap<IncomingMessage, EdgeState>();
const stateOf = (raw: IncomingMessage): EdgeState => {
  let s = states.get(raw);
  if (!s) states.set(raw, (s = {}));
  return s;
};

const clearDeadline = (raw: IncomingMessage) => {
  const s = states.get(raw);
  if (s?.deadline) clearTimeout(s.deadline);
};

/**
 * Reads and discards what is left of a body answered before it was read, for a bounded time and number of bytes,
 * then closes the connection if the body has not ended. Closing at once would reset the socket while the client
 * still writes, and many clients (fetch among them) then report a network failure instead of the answer.
 */
const drain = (raw: IncomingMessage, socket: Socket, limits: HttpLimits) => {
  if (raw.complete || socket.destroyed) return;
  let bytes = 0;
  const stop = () => {
    clearTimeout(timer);
    raw.off('data', onData);
    raw.off('end', stop);
    socket.off('close', stop);
  };
  const cut = () => {
    stop();
    socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limits.drainBytes) cut();
  };
  const timer = setTimeout(cut, limits.drainMs).unref();
  raw.on('data', onData);
  raw.once('end', stop);
  socket.once('close', stop);
};

const expectsContinue = (raw: IncomingMessage) => /^\s*100-continue\s*$/i.test(String(raw.headers.expect ?? ''));

/**
 * The edge's hooks, on the root instance so every route has them:
 * - `Expect: 100-continue` is answered only once the request passed the checks that need no body (the MCP guard
 *   runs in onRequest, the size check here in preParsing): a refused request is never invited to send its body.
 * - Content-Length over the route's bodyLimit: 413 before a byte of the body is read.
 * - The body deadline, from the request's start until its body is parsed: 408, connection closed.
 * - Any answer sent before the body was read keeps the connection open while the rest is drained (bounded).
 */
export const installHttpEdge = (fastify: FastifyInstance, limits: HttpLimits, logger: Logger): void => {
  const server = fastify.server;
  // With a checkContinue listener Node no longer sends "100 Continue" by itself: the preParsing hook decides.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res));

  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    const state = stateOf(raw);
    state.deadline = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      state.cutOff = true;
      logger.info({ reqId: request.id }, 'request body deadline passed: answered 408 and closed the connection');
      reply.header('connection', 'close');
      answer(request, reply, problemOf(408, `The request body did not arrive within ${limits.bodyTimeoutMs / 1000} s; send it in one go.`));
      // Node closes the connection once the answer is written (Connection: close); if the client reads nothing, at once.
      reply.raw.once('finish', () => setTimeout(() => raw.socket?.destroy(), 1_000).unref());
    }, limits.bodyTimeoutMs).unref();
    done();
  });

  fastify.addHook('preParsing', (request, reply, payload, done) => {
    const length = Number(request.headers['content-length']);
    const limit = request.routeOptions.bodyLimit ?? limits.restBodyLimitBytes;
    if (Number.isFinite(length) && length > limit) {
      return done(httpError(413, `The request body is ${length} bytes; this endpoint accepts at most ${limit}.`));
    }
    if (expectsContinue(request.raw) && !reply.raw.headersSent) reply.raw.writeContinue();
    done(null, payload);
  });

  fastify.addHook('preValidation', (request, _reply, done) => {
    clearDeadline(request.raw);
    done();
  });

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw;
    if (!raw.complete && !stateOf(raw).cutOff) {
      // Fastify asks to close after a body error; the drain below closes, once the client could read the answer.
      reply.removeHeader('connection');
      const socket = raw.socket;
      reply.raw.once('finish', () => drain(raw, socket, limits));
    }
    done(null, payload);
  });

  fastify.addHook('onResponse', (request, _reply, done) => {
    clearDeadline(request.raw);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    clearDeadline(request.raw);
    done();
  });
};

/**
 * Closes the HTTP server within a bound: new connections refused and idle ones closed at once (Fastify), requests
 * in flight given `graceMs`, then every connection closed whatever its client does (a body trickling in, a
 * response never read).
 */
export const closeWithin = async (server: import('node:http').Server, close: () => Promise<unknown>, graceMs: number): Promise<void> => {
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  force.unref();
  try {
    await close();
  } finally {
    clearTimeout(force);
  }
};
