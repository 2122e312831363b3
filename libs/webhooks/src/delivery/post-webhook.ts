export interface PostOutcome {
  /** The receiver's status; null when no answer came. */
  statusCode: number | null;
  /** Why it failed without an answer (timeout, refused…), or null. */
  error: string | null;
}

export type PostWebhook = (url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal) => Promise<PostOutcome>;

/**
 * Why no answer came, coarsely: 'timeout' or 'no answer'. The delivery log is read by the tenant who registered the
 * URL, so it must not tell a refused port from a missing host or quote a certificate's names: that would make
 * deliveries a probe of the network Keygate runs in.
 */
const reasonOf = (error: unknown): string => ((error as { name?: string })?.name === 'TimeoutError' ? 'timeout' : 'no answer');

/**
 * One POST with the runtime's fetch: bounded by `timeoutMs` (headers and all), redirects not followed (a 3xx is a
 * failure: a delivery never goes to a URL nobody registered), the answer's body drained and dropped. Only 2xx counts
 * as delivered (the caller decides). Never throws.
 */
export const postWebhook: PostWebhook = async (url, body, headers, timeoutMs, signal) => {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'Keygate-Webhooks/1', ...headers },
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await response.body?.cancel().catch(() => undefined);
    return { statusCode: response.status, error: null };
  } catch (error) {
    return { statusCode: null, error: reasonOf(error) };
  }
};
