/**
 * The one rule for "the client's address", used by Fastify (request.ip, hence every per-address
 * rate limit, and request.protocol for Secure cookies) and by the socket.io handshake alike.
 * X-Forwarded-For is read from its right end, where the proxies we trust appended what they saw;
 * its left end is whatever the client sent, so it is believed only as far as TRUST_PROXY says.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** false: no proxy; a number: that many proxy hops; a list: the proxies' addresses or CIDRs. */
export type ProxyTrustSetting = false | number | string[];

/** Whether the hop at index `hop` (0 is the socket's peer) with this address is one of our proxies. */
export type ProxyTrust = (address: string, hop: number) => boolean;

export function proxyTrust(setting: ProxyTrustSetting): ProxyTrust {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyAddr.compile(setting);
}

/** The client's address as the trusted proxies report it (the socket's peer without proxies). */
export function clientAddress(request: IncomingMessage, trust: ProxyTrust): string {
  return proxyAddr(request, trust);
}

/** An IP address, a CIDR, or one of proxy-addr's names (loopback, linklocal, uniquelocal). */
export function isProxyAddress(entry: string): boolean {
  try {
    proxyAddr.compile(entry);
    return true;
  } catch {
    return false;
  }
}
