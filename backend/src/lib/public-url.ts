// Whether a URL a user gave us names a public https resource, decided from the URL alone.
//
// The server never fetches such a URL: the delivery worker hands it to Telegram as a string and
// Telegram downloads it from its own network. So this check is not what stops a request into our
// network (never making one is); it keeps obviously internal targets out of stored data, answers
// a clear 400 instead of a failed delivery, and is a second wall should any future code fetch.
//
// No DNS lookup, on purpose (docs/decisions/012-media-urls.md): what a name resolves to from our
// network says nothing about what Telegram reaches from its own, a name can change right after we
// looked (rebinding), and a lookup would be a network call per write whose failures and timings
// tell the caller which internal names exist. Names are refused by shape (no dot, special-use and
// private-use suffixes); addresses written as literals by range, through ipaddr.js.
import ipaddr from 'ipaddr.js';

/**
 * Special-use names (RFC 6761: localhost, invalid, test; RFC 6762 local; RFC 7686 onion; RFC 8375
 * home.arpa; RFC 9476 alt; ICANN's private-use internal) and suffixes that internal networks use
 * without registering them. A name equal to one of these or ending in `.<suffix>` is refused.
 */
const INTERNAL_SUFFIXES = [
  'localhost',
  'local',
  'internal',
  'invalid',
  'test',
  'onion',
  'alt',
  'arpa',
  'localdomain',
  'lan',
  'home',
  'corp',
  'intranet',
  'private',
];

/**
 * Why `host` (a WHATWG-parsed hostname: lower case, IPv4 in any spelling already dotted-quad,
 * IPv6 in brackets) is not a public host, or undefined when it is.
 */
export function hostProblem(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (ipaddr.isValid(bare)) {
    // process(): an IPv4-mapped (::ffff:a.b.c.d) or -compatible IPv6 address is judged as IPv4.
    const range = ipaddr.process(bare).range();
    // Only plain unicast passes: loopback, private, CGNAT, link-local, unique-local, multicast,
    // unspecified, broadcast, reserved, documentation and the IPv6 ranges that embed an IPv4
    // address (6to4, Teredo, NAT64) are all refused.
    return range === 'unicast' ? undefined : `the address is not public (${range})`;
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (!name.includes('.')) return 'the host must be a public domain name';
  const suffix = INTERNAL_SUFFIXES.find((s) => name === s || name.endsWith(`.${s}`));
  if (suffix) return `.${suffix} names are not public`;
  return undefined;
}

/**
 * Why `value` is not an https URL on a public host, in words for an error message (without
 * echoing the URL), or undefined when it is one. Refused: anything but https, credentials in the
 * URL, a port other than 443, and hosts that hostProblem refuses.
 */
export function publicUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  // Public media live on 443; another port is almost always an internal service.
  if (url.port !== '') return 'must use the default https port';
  const problem = hostProblem(url.hostname);
  return problem ? `must be on a public host: ${problem}` : undefined;
}
