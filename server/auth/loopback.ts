import { BlockList } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
const IPV4_MAPPED_PREFIX = '::ffff:';

/**
 * Whether a socket's peer address is this machine: 127.0.0.0/8, ::1, or 127.x as an IPv4-mapped
 * IPv6 address (how a dual-stack server sees IPv4 callers). Things only the machine itself may do
 * (ingest, scraping metrics without a token) ask this.
 */
export function isLoopbackAddress(address: string): boolean {
  if (address.startsWith(IPV4_MAPPED_PREFIX)) return loopback.check(address.slice(IPV4_MAPPED_PREFIX.length), 'ipv4');
  return loopback.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
}
