import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InternalAddressError, postWebhookVia, publicOnlyLookup, type ResolveAll } from './post-webhook.js';

// One delivery's POST against real sockets on loopback; a name's addresses come from a resolver handed in, so the
// rule for names pointing inside is exercised without a DNS server.

/** A resolver that answers every name with these addresses, and records the names it was asked. */
const resolverOf = (...addresses: string[]) => {
  const asked: string[] = [];
  const resolve: ResolveAll = (hostname, _options, callback) => {
    asked.push(hostname);
    setImmediate(() => callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))));
  };
  return { asked, resolve };
};

const lookupOnce = (lookup: ReturnType<typeof publicOnlyLookup>, options: { all?: boolean }) =>
  new Promise<{ error: Error | null; rest: unknown[] }>((done) => {
    (lookup as unknown as (h: string, o: object, cb: (e: Error | null, ...rest: unknown[]) => void) => void)('hooks.example.com', options, (error, ...rest) =>
      done({ error, rest }),
    );
  });

describe('postWebhook', () => {
  let server: Server;
  let url: string;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let answer: (res: import('node:http').ServerResponse) => void = (res) => res.writeHead(204).end();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
    answer = (res) => res.writeHead(204).end();
  });

  it('POSTs the body with its headers and answers the status', async () => {
    const outcome = await postWebhookVia()(url, '{"type":"key.minted"}', { 'webhook-id': 'msg_1' }, 2000, new AbortController().signal);

    expect(outcome).toEqual({ statusCode: 204, error: null });
    expect(received).toEqual([
      {
        body: '{"type":"key.minted"}',
        headers: expect.objectContaining({ 'content-type': 'application/json', 'webhook-id': 'msg_1', 'user-agent': 'Keygate-Webhooks/1', 'content-length': '21' }),
      },
    ]);
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    answer = (res) => res.writeHead(302, { location: `${url}/elsewhere` }).end();

    expect(await postWebhookVia()(url, '{}', {}, 2000, new AbortController().signal)).toEqual({ statusCode: 302, error: null });
    expect(received).toHaveLength(1);
  });

  it('gives up after the timeout, saying only "timeout"', async () => {
    answer = () => undefined;

    expect(await postWebhookVia()(url, '{}', {}, 200, new AbortController().signal)).toEqual({ statusCode: null, error: 'timeout' });
  });

  it('refuses an https name resolving to a private, loopback or link-local address (any of them), saying only "no answer"', async () => {
    for (const addresses of [['10.0.0.5'], ['169.254.169.254'], ['93.184.216.34', '127.0.0.1'], ['::ffff:192.168.1.1'], ['fd00::1']]) {
      const resolver = resolverOf(...addresses);
      const outcome = await postWebhookVia(resolver.resolve)('https://hooks.example.com/keygate', '{}', {}, 2000, new AbortController().signal);
      expect({ addresses, outcome, asked: resolver.asked }).toEqual({ addresses, outcome: { statusCode: null, error: 'no answer' }, asked: ['hooks.example.com'] });
      // 'no answer' is also what a refused connection says: the lookup itself must be what refused it.
      expect((await lookupOnce(publicOnlyLookup(resolverOf(...addresses).resolve), {})).error).toBeInstanceOf(InternalAddressError);
    }
  });

  it('lets a name resolving only to public addresses through, in the form the socket asks for', async () => {
    const lookup = publicOnlyLookup(resolverOf('93.184.216.34', '2606:2800:220:1::1').resolve);

    expect(await lookupOnce(lookup, {})).toEqual({ error: null, rest: ['93.184.216.34', 4] });
    expect(await lookupOnce(lookup, { all: true })).toEqual({
      error: null,
      rest: [[{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }]],
    });
    expect((await lookupOnce(publicOnlyLookup(resolverOf().resolve), {})).error).toBeInstanceOf(InternalAddressError);
  });
});
