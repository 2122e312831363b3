import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isInternalAddress } from '../endpoint/webhook-url.js';

export interface PostOutcome {
  /** The receiver's status; null when no answer came. */
  statusCode: number | null;
  /** Why it failed without an answer (timeout, refused…), or null. */
  error: string | null;
}

export type PostWebhook = (url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal) => Promise<PostOutcome>;

/** How a host name becomes addresses: node:dns's lookup, or a test's own. */
export type ResolveAll = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** The error of a name that resolves inside (logged by the deliverer's caller as 'no answer', like any other). */
export class InternalAddressError extends Error {
  readonly code = 'EKEYGATEINTERNAL';
}

/**
 * A lookup for https deliveries that refuses a name resolving to a private, loopback or link-local address (any of
 * its addresses, so a name answering both cannot slip through). It runs where the connection is made, on the very
 * addresses the socket then uses: a name re-pointed after registration (DNS rebinding) is caught too. Registration
 * refuses such addresses written literally (webhook-url.ts); this is the same rule for names.
 */
export const publicOnlyLookup = (resolveAll: ResolveAll = dnsLookup as unknown as ResolveAll): LookupFunction =>
  ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    resolveAll(hostname, { family: options.family ?? 0, all: true }, (error, addresses) => {
      if (error) return callback(error);
      if (addresses.length === 0 || addresses.some((a) => isInternalAddress(a.address))) {
        return callback(new InternalAddressError(`${hostname} resolves to an address that is not on the public internet`));
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  }) as LookupFunction;

/**
 * Why no answer came, coarsely: 'timeout' or 'no answer'. The delivery log is read by the tenant who registered the
 * URL, so it must not tell a refused port from a missing host, a name resolving inside from one not resolving, or
 * quote a certificate's names: that would make deliveries a probe of the network Keygate runs in.
 */
const reasonOf = (error: unknown): string => ((error as { name?: string })?.name === 'TimeoutError' ? 'timeout' : 'no answer');

/**
 * One POST: bounded by `timeoutMs` (headers and all), redirects not followed (a 3xx is a failure: a delivery never
 * goes to a URL nobody registered), the answer's body drained and dropped, https names resolved only to public
 * addresses (publicOnlyLookup; http is only ever registered for loopback, where the setting allows it). Only 2xx
 * counts as delivered (the caller decides). Never throws.
 */
export const postWebhookVia =
  (resolveAll?: ResolveAll): PostWebhook =>
  async (url, body, headers, timeoutMs, signal) => {
    const lookup = publicOnlyLookup(resolveAll);
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    try {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const statusCode = await new Promise<number>((resolve, reject) => {
        const request = send(
          target,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'user-agent': 'Keygate-Webhooks/1',
              ...headers,
            },
            signal: bounded,
            ...(target.protocol === 'https:' ? { lookup } : {}),
          },
          (response: IncomingMessage) => {
            // Drained and dropped: the status is the answer.
            response.resume();
            response.on('error', () => undefined);
            resolve(response.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.end(body);
      });
      return { statusCode, error: null };
    } catch (error) {
      // An abort names its cause in the signal (a TimeoutError, or the caller stopping); the socket error does not.
      return { statusCode: null, error: reasonOf(bounded.aborted ? bounded.reason : error) };
    }
  };

export const postWebhook: PostWebhook = postWebhookVia();
