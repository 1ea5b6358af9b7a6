/**
 * Which network addresses a page fetch may connect to: public unicast only. Loopback, private
 * (10/8, 172.16/12, 192.168/16), link-local (169.254/16, where cloud metadata services answer),
 * carrier-grade NAT (100.64/10), multicast, broadcast, reserved and documentation ranges are
 * refused, and so are their IPv6 equivalents (::1, fc00::/7, fe80::/10, ff00::/8) and the IPv6
 * forms that carry an IPv4 address inside (::ffff:10.0.0.1, 64:ff9b::/96, 6to4, Teredo), which
 * are judged by the address they carry or refused. Ranges are ipaddr.js's.
 */
import ipaddr from 'ipaddr.js';

export type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Addresses reachable despite the rules above, as CIDR ranges. Production leaves it empty; tests
 * set it (TEST_ONLY_FETCH_ALLOW) to reach their own server on 127.0.0.1.
 */
export class AddressAllowList {
  private readonly ranges: [ParsedAddress, number][];

  constructor(cidrs: readonly string[] = []) {
    this.ranges = cidrs.map(parseRange);
  }

  get size(): number {
    return this.ranges.length;
  }

  has(address: ParsedAddress): boolean {
    return this.ranges.some(([net, bits]) => address.kind() === net.kind() && address.match(net, bits));
  }
}

/** "127.0.0.1" (one address) or "10.0.0.0/8"; throws on anything else. */
export function parseRange(text: string): [ParsedAddress, number] {
  const value = text.trim();
  if (value.includes('/')) return ipaddr.parseCIDR(value);
  const address = ipaddr.parse(value);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/** Whether `text` is an IP address (v4, or v6 with or without brackets). */
export function isIpLiteral(text: string): boolean {
  return ipaddr.isValid(unbracket(text));
}

const unbracket = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/**
 * Why a page fetch may not connect to `address`, or undefined when it may. The reason names the
 * kind of range, for the refusal an admin reads.
 */
export function blockedReason(address: string, allow: AddressAllowList): string | undefined {
  let parsed: ParsedAddress;
  try {
    parsed = ipaddr.parse(unbracket(address));
  } catch {
    return `${address} is not an IP address`;
  }
  if (allow.has(parsed)) return undefined;
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return blockedReason((parsed as ipaddr.IPv6).toIPv4Address().toString(), allow);
  }
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  return `${parsed.toString()} is ${RANGE_NAMES[range] ?? `in a ${range} range`}, not a public address`;
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address (this machine)',
  private: 'a private-network address',
  uniqueLocal: 'a private-network address (IPv6 unique local)',
  linkLocal: 'a link-local address (where cloud metadata services answer)',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  unspecified: 'the unspecified address',
  reserved: 'in a reserved range',
};
