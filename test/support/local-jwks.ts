import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** An RS256 key pair as an identity provider holds it: the private half signs, the public half is published. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export const newSigningKey = async (kid: string): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
};

export const signRs256 = async (key: SigningKey, claims: JWTPayload, options: { sub?: string; expiresIn?: string } = {}): Promise<string> =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setSubject(options.sub ?? 'alice')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(key.privateKey);

/** How the server answers GET /jwks: the published keys, or a failure. */
export type JwksMode = 'serve' | 'http-500' | 'not-json' | 'not-a-jwks';

/**
 * A local identity provider's JWKS endpoint (node:http, real sockets). `stop()` closes the port, so a fetch
 * meets a refused connection; `start()` listens again on the same port.
 */
export class LocalJwks {
  keys: SigningKey[] = [];
  mode: JwksMode = 'serve';
  /** GET /jwks requests answered, whatever the mode. */
  hits = 0;
  private server: Server | null = null;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/jwks`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.hits += 1;
      if (req.url !== '/jwks') return void res.writeHead(404).end();
      if (this.mode === 'http-500') return void res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream down');
      if (this.mode === 'not-json') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.mode === 'not-a-jwks' ? { error: 'nope' } : { keys: this.keys.map((k) => k.jwk) }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
