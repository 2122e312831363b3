import { BlockList, isIP } from 'node:net';

/** The longest endpoint URL accepted (browsers and proxies agree on 2048 as a safe bound). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

export interface WebhookUrlRules {
  /**
   * Whether http:// is accepted for a loopback host (127.0.0.0/8, ::1, localhost): a receiver on the same machine,
   * for development and tests. Everything else must be https://.
   */
  allowHttpLoopback: boolean;
}

const isLoopbackHost = (hostname: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127(?:\.\d{1,3}){3}$/.test(host);
};

/**
 * Addresses that are not on the public internet: a URL naming one literally is refused for https too, so an
 * endpoint cannot aim deliveries at Keygate's own network (metadata services, private hosts). Names are resolved
 * where each delivery connects (post-webhook.ts, publicOnlyLookup), with this same list.
 */
const INTERNAL = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
// ::/96: unspecified, loopback and the deprecated IPv4-compatible form (::a.b.c.d), none a public host.
for (const [net, prefix] of [['::', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) INTERNAL.addSubnet(net, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (isIP said 6), a trailing dotted IPv4 part included. */
const hextets = (address: string): number[] => {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = dotted ? address.slice(0, dotted.index) + `${((+dotted[1] << 8) | +dotted[2]).toString(16)}:${((+dotted[3] << 8) | +dotted[4]).toString(16)}` : address;
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
};

/**
 * The IPv4 address an IPv6 address carries in its last 32 bits under a translation prefix (IPv4-mapped ::ffff:0:0/96,
 * NAT64's well-known 64:ff9b::/96 and local-use 64:ff9b:1::/48), or null: such an address reaches that IPv4 host.
 */
const embeddedIpv4 = (address: string): string | null => {
  const h = hextets(address);
  const mapped = h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff;
  const nat64 = h[0] === 0x64 && h[1] === 0xff9b && (h.slice(2, 6).every((x) => x === 0) || h[2] === 1);
  return mapped || nat64 ? `${h[6] >> 8}.${h[6] & 255}.${h[7] >> 8}.${h[7] & 255}` : null;
};

/** Whether a host (an IP address, bracketed or not) is one of INTERNAL; a name is not (it is resolved at delivery). */
export const isInternalAddress = (hostname: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(host);
  if (family === 4) return INTERNAL.check(host, 'ipv4');
  if (family !== 6) return false;
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1, 64:ff9b::a00:1) is checked as the IPv4 address it reaches.
  const ipv4 = embeddedIpv4(host.replace(/%.*$/, ''));
  return ipv4 !== null ? INTERNAL.check(ipv4, 'ipv4') : INTERNAL.check(host, 'ipv6');
};

/**
 * Why a URL cannot be a webhook endpoint, or null when it can. The rule against server-side request forgery is
 * deliberately simple: https only (a receiver on the internet proves who it is), http only to loopback and only
 * where the setting allows it; no credentials in the URL (they would show in every list); no fragment. Redirects
 * are never followed at delivery (post-webhook.ts), so an accepted URL cannot bounce a delivery elsewhere.
 */
export const webhookUrlProblem = (raw: string, rules: WebhookUrlRules): string | null => {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `url is ${raw.length} characters long; at most ${MAX_WEBHOOK_URL_LENGTH} are accepted.`;
  if (raw.trim() !== raw || raw.length === 0) return 'url must be an absolute https:// URL without surrounding spaces.';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute https:// URL, e.g. https://hooks.example.com/keygate.';
  }
  if (url.username || url.password) return 'url must not carry credentials (user:password@); authenticate deliveries by their signature.';
  if (url.hash) return 'url must not have a fragment (#…): it is never sent to the receiver.';
  if (url.protocol === 'https:') {
    if (isInternalAddress(url.hostname) || isLoopbackHost(url.hostname)) {
      return 'url must name a host on the public internet, not a private, loopback or link-local address.';
    }
    return null;
  }
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) return 'url must use https://; http:// is accepted for a loopback host (127.0.0.1, ::1, localhost) only.';
    if (!rules.allowHttpLoopback) return 'url must use https://; http:// to a loopback host is off here (KEYGATE_WEBHOOK_ALLOW_HTTP_LOOPBACK).';
    return null;
  }
  return `url must use https://, not ${url.protocol}//.`;
};
