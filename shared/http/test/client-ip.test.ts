import { describe, expect, test } from "bun:test";
import { clientIp, limitedNetwork, trustedProxies } from "../src/client-ip.js";

const withForwardedFor = (value: string) =>
  new Request("http://local/", { headers: { "x-forwarded-for": value } });

describe("clientIp", () => {
  test("a peer that is not a trusted proxy is the client, whatever X-Forwarded-For it sends", () => {
    expect(clientIp(withForwardedFor("1.2.3.4"), "203.0.113.9", trustedProxies(""))).toBe("203.0.113.9");
    expect(clientIp(withForwardedFor("1.2.3.4"), "203.0.113.9", trustedProxies("loopback"))).toBe(
      "203.0.113.9",
    );
  });

  test("behind trusted proxies it is the right-most hop that is not one of them", () => {
    const trusted = trustedProxies("loopback,10.0.0.0/8");
    // The client forged the first entry; the proxy at 10.0.0.5 appended the real one after it.
    const request = withForwardedFor("6.6.6.6, 198.51.100.7, 10.0.0.5");
    expect(clientIp(request, "127.0.0.1", trusted)).toBe("198.51.100.7");
    expect(clientIp(request, "::ffff:127.0.0.1", trusted)).toBe("198.51.100.7");
  });

  test("a trusted peer without X-Forwarded-For is itself the client", () => {
    expect(clientIp(new Request("http://local/"), "127.0.0.1", trustedProxies("loopback"))).toBe("127.0.0.1");
  });

  test("named ranges, single addresses and CIDRs; a bad entry is refused", () => {
    const trusted = trustedProxies("uniquelocal, 2001:db8::1, 198.51.100.0/24");
    const from = (peer: string) => clientIp(withForwardedFor("192.0.2.1"), peer, trusted);
    for (const peer of [
      "10.1.1.1",
      "172.20.0.3",
      "192.168.1.1",
      "fd00::2",
      "2001:db8::1",
      "198.51.100.200",
    ]) {
      expect(from(peer)).toBe("192.0.2.1");
    }
    expect(from("8.8.8.8")).toBe("8.8.8.8");
    expect(() => trustedProxies("gateway.local")).toThrow(/not an IP, a CIDR or a named range/);
  });
});

describe("limitedNetwork", () => {
  test("an IPv6 client is counted by its /64, an IPv4 one (mapped or not) by its address", () => {
    expect(limitedNetwork("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(limitedNetwork("2001:db8:1:2::ffff")).toBe("2001:db8:1:2::/64");
    expect(limitedNetwork("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(limitedNetwork("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(limitedNetwork("198.51.100.7")).toBe("198.51.100.7");
    expect(limitedNetwork("unknown")).toBe("unknown");
    // A zone node:net takes and ipaddr.js would not: the network without it.
    expect(limitedNetwork("fe80::1%a-b")).toBe("fe80::/64");
  });
});
