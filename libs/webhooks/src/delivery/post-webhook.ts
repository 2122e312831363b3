export interface PostOutcome {
  /** The receiver's status; null when no answer came. */
  statusCode: number | null;
  /** Why it failed without an answer (timeout, refused…), or null. */
  error: string | null;
}

export type PostWebhook = (url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal) => Promise<PostOutcome>;

const reasonOf = (error: unknown): string => {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timeout';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return (cause ? `${e?.message ?? 'fetch failed'}: ${cause}` : (e?.message ?? String(error))).slice(0, 200);
};

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
