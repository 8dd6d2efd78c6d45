// Whether a host is this machine: `localhost` (and `*.localhost`, RFC 6761), 127.0.0.0/8 and ::1
// (also as an IPv4-mapped address). The local sign-in exists only on such an API.
import ipaddr from 'ipaddr.js';

/** `host`: a hostname as WHATWG URL parsing gives it (IPv6 in brackets) or as a Host header has it. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  return ipaddr.isValid(bare) && ipaddr.process(bare).range() === 'loopback';
}

export function isLoopbackUrl(value: string): boolean {
  try {
    return isLoopbackHost(new URL(value).hostname);
  } catch {
    return false;
  }
}
