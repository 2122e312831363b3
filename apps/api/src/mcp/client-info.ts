import { EVENT_BOUNDS, toDisplayText } from '#keys';

/** Which MCP client made a request, as recorded in its KeyUsed: bounded, printable, or absent. */
export interface ClientInfo {
  name: string | null;
  version: string | null;
}

const CLIENT_INFO_META = 'io.modelcontextprotocol/clientInfo';
const TOOL_NAME = /^[A-Za-z0-9_./-]{1,128}$/;

const objectOr = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

const bounded = (info: Record<string, unknown> | null): ClientInfo | null => {
  const name = toDisplayText(info?.name, EVENT_BOUNDS.clientName);
  return name === null ? null : { name, version: toDisplayText(info?.version, EVENT_BOUNDS.clientVersion) };
};

/**
 * The client of ONE request: what an initialize announces in params.clientInfo, or what any other request
 * carries in params._meta["io.modelcontextprotocol/clientInfo"], else the User-Agent header. Never
 * remembered per key: two clients may share a key, and one must not be recorded under the other's name.
 * Only strings are taken, cut to their bounds with control characters replaced (libs/keys display-text.ts).
 */
export const clientInfoOf = (method: string, params: unknown, userAgent: string | null): ClientInfo => {
  const p = objectOr(params);
  const announced = method === 'initialize' ? objectOr(p?.clientInfo) : objectOr(objectOr(p?._meta)?.[CLIENT_INFO_META]);
  return bounded(announced) ?? fromUserAgent(userAgent);
};

// RFC 9110 §10.1.5: a User-Agent starts with a product token, "name/version" ("claude-code/2.1.3 (cli)").
const PRODUCT = /^([A-Za-z0-9!#$%&'*+.^_`|~-]{1,100})\/([A-Za-z0-9!#$%&'*+.^_`|~-]{1,50})(?:\s|$)/;

/** A stateless request that announces nothing is named by its User-Agent's first product, else the whole header. */
const fromUserAgent = (userAgent: string | null): ClientInfo => {
  const product = userAgent === null ? null : PRODUCT.exec(userAgent);
  if (product) return { name: product[1], version: product[2] };
  return { name: toDisplayText(userAgent, EVENT_BOUNDS.clientName), version: null };
};

/** The tool a tools/call names, when it is a name a tool could have; null for anything else (a number, an object, 10 KB). */
export const toolNameOf = (params: unknown): string | null => {
  const name = objectOr(params)?.name;
  return typeof name === 'string' && TOOL_NAME.test(name) ? name : null;
};

const ADDRESS = /^[0-9A-Za-z:.%_-]{1,64}$/;

/** The caller's address as Fastify saw it (behind a trusted proxy, from X-Forwarded-For): kept only if it looks like one. */
export const remoteAddressOf = (ip: string | undefined): string | null => (ip !== undefined && ADDRESS.test(ip) ? ip : null);
