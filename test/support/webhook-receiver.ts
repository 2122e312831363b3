import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as the receiver got it, with whether its signature verified under the secret it was given. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: any;
  verified: boolean;
  /** The status it answered (null while a hanging request is held). */
  answered: number | null;
}

export type ReceiverMode = 'ok' | 'hang';

/**
 * A webhook receiver on 127.0.0.1 (node:http), as a customer would run one: it verifies every delivery with the
 * standardwebhooks library and the secret shown at registration, records what it got, and answers 204, a chosen
 * failure (failNext), or nothing at all (mode 'hang', until stopped). It can be stopped and started again on the
 * same port, to be down for a while.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  secret: string | null = null;
  mode: ReceiverMode = 'ok';
  /** Answer this many requests with failStatus before going back to 2xx. */
  failNext = 0;
  failStatus = 500;
  private server: Server | null = null;
  private held = new Set<ServerResponse>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/keygate`;
  }

  /** Requests held open right now (mode 'hang'). */
  get hanging(): number {
    return this.held.size;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const res of this.held) res.destroy();
    this.held.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The ids received, each once, in the order first received. */
  firstReceipts(): ReceivedWebhook[] {
    const seen = new Set<string>();
    return this.received.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  }

  async waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`webhook receiver: ${what} did not happen within ${timeoutMs} ms (received ${this.received.length})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => String(req.headers[name] ?? '');
    let verified = false;
    let payload: any = null;
    try {
      payload = new Webhook(this.secret ?? 'whsec_AAAA').verify(body, {
        'webhook-id': header('webhook-id'),
        'webhook-timestamp': header('webhook-timestamp'),
        'webhook-signature': header('webhook-signature'),
      });
      verified = this.secret !== null;
    } catch {
      try {
        payload = JSON.parse(body);
      } catch {
        payload = null;
      }
    }
    const entry: ReceivedWebhook = {
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
      body,
      payload,
      verified,
      answered: null,
    };
    this.received.push(entry);
    if (this.mode === 'hang') {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    const status = this.failNext > 0 ? (this.failNext--, this.failStatus) : 204;
    entry.answered = status;
    res.writeHead(status).end();
  }
}
