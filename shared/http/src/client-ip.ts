/**
 * The client's address, for rate limits and login throttling. A request whose socket peer is not a
 * trusted proxy comes from the client itself: its address is the peer's, and whatever
 * X-Forwarded-For it sends is ignored. From a trusted proxy, it is the right-most X-Forwarded-For
 * entry that is not itself a trusted proxy: the hop the proxies appended. Entries left of it are
 * whatever the client sent and are never believed, or a client could pick a fresh address per
 * request and escape every limit.
 */
import { BlockList, isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** Which peers may tell us the client's address, as Express names them and as IPs or CIDRs. */
export type TrustedProxies = BlockList;

const NAMED_RANGES: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/**
 * Parses a TRUSTED_PROXIES value: comma-separated `loopback`, `linklocal`, `uniquelocal`, IPs and
 * CIDRs. Empty: no proxy is trusted. Throws on an entry it cannot read.
 */
export function trustedProxies(spec: string): TrustedProxies {
  const list = new BlockList();
  const entries = spec
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries.flatMap((entry) => NAMED_RANGES[entry] ?? [entry])) {
    const [address = "", bits] = entry.split("/");
    const family = isIP(address);
    if (family === 0) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP, a CIDR or a named range`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

const isTrusted = (trusted: TrustedProxies, address: string) => {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 4 ? "ipv4" : "ipv6");
};

export function clientIp(
  request: Request,
  socketAddress: string | undefined,
  trusted: TrustedProxies,
): string {
  const peer = socketAddress || "unknown";
  if (!isTrusted(trusted, peer)) return peer;
  const hops = (request.headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return hops[0] ?? peer;
}

/** How much of an IPv6 address one subscriber holds: a host may use any address in its /64. */
const IPV6_SUBSCRIBER_PREFIX = 64;

/**
 * What a per-client limit counts a client address by: an IPv4 address as it is (an IPv4-mapped
 * IPv6 one as its IPv4), an IPv6 address by its /64 — a client keyed by its whole IPv6 address
 * would get a fresh bucket from each of the 2^64 addresses its network gives it.
 */
export function limitedNetwork(address: string): string {
  if (isIP(address) !== 6) return address;
  // Without a zone (`fe80::1%eth0`): node:net accepts zones ipaddr.js cannot read; the network is the same.
  const [unzoned = address] = address.split("%");
  const parsed = ipaddr.IPv6.parse(unzoned);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${unzoned}/${IPV6_SUBSCRIBER_PREFIX}`);
  return `${network.toString()}/${IPV6_SUBSCRIBER_PREFIX}`;
}
