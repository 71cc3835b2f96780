// Which class an IP address belongs to (SPEC §14): only "public" may be reached
// without an allowlist entry. IPv6 forms that embed an IPv4 address are judged by it.

import { type IpAddress, parseIp } from "./ip-parse.ts";

export type IpClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "cgnat"
  | "multicast"
  | "broadcast"
  | "unspecified"
  | "documentation"
  | "benchmark"
  | "reserved";

interface Range {
  prefix: number[];
  bits: number;
  cls: IpClass;
}

const r = (prefix: number[], bits: number, cls: IpClass): Range => ({ prefix, bits, cls });

// First match wins, so narrower ranges come before the ranges that hold them.
const V4: Range[] = [
  r([0, 0, 0, 0], 32, "unspecified"),
  r([0], 8, "reserved"), // "this network", RFC 791
  r([10], 8, "private"),
  r([100, 64], 10, "cgnat"), // RFC 6598
  r([127], 8, "loopback"),
  r([169, 254], 16, "link-local"), // holds 169.254.169.254, the cloud metadata address
  r([172, 16], 12, "private"),
  r([192, 0, 0], 24, "reserved"), // IETF protocol assignments, RFC 6890
  r([192, 0, 2], 24, "documentation"),
  r([192, 88, 99], 24, "reserved"), // 6to4 relay anycast, deprecated (RFC 7526)
  r([192, 168], 16, "private"),
  r([198, 18], 15, "benchmark"), // RFC 2544
  r([198, 51, 100], 24, "documentation"),
  r([203, 0, 113], 24, "documentation"),
  r([224], 4, "multicast"),
  r([255, 255, 255, 255], 32, "broadcast"),
  r([240], 4, "reserved"),
];

const V6: Range[] = [
  r([], 128, "unspecified"), // ::/128
  r([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"),
  r([0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, "reserved"), // discard-only, RFC 6666
  r([0x20, 0x01, 0x0d, 0xb8], 32, "documentation"),
  r([0x20, 0x01, 0x00, 0x02, 0, 0], 48, "benchmark"), // RFC 5180
  r([0x20, 0x01, 0x00], 23, "reserved"), // IETF protocol assignments (Teredo handled before)
  r([0x3f, 0xff], 20, "documentation"), // RFC 9637
  r([0x5f, 0x00], 16, "reserved"), // SRv6 SIDs, RFC 9602
  r([0xfc], 7, "private"), // unique local, RFC 4193
  r([0xfe, 0x80], 10, "link-local"),
  r([0xfe, 0xc0], 10, "private"), // site-local, deprecated (RFC 3879)
  r([0xff], 8, "multicast"),
];

function inRange(bytes: Uint8Array, range: Range): boolean {
  for (let bit = 0; bit < range.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[byte] as number) & mask) !== (((range.prefix[byte] ?? 0) as number) & mask))
      return false;
  }
  return true;
}

function classifyV4(bytes: Uint8Array): IpClass {
  return V4.find((range) => inRange(bytes, range))?.cls ?? "public";
}

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
const zeros = (n: number) => new Array<number>(n).fill(0);

/**
 * The IPv4 address an IPv6 address stands for, when its packets end up at (or
 * are relayed towards) that IPv4 address; `direct` says they reach it as such.
 */
export function embeddedIpv4(bytes: Uint8Array): { v4: Uint8Array[]; direct: boolean } | undefined {
  if (bytes.length !== 16) return undefined;
  const tail = bytes.slice(12, 16);
  if (startsWith(bytes, [...zeros(10), 0xff, 0xff])) return { v4: [tail], direct: true }; // ::ffff:a.b.c.d
  if (startsWith(bytes, [...zeros(8), 0xff, 0xff, 0, 0])) return { v4: [tail], direct: true }; // SIIT, RFC 2765
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, ...zeros(8)])) return { v4: [tail], direct: false }; // NAT64
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 1])) return { v4: [tail], direct: false }; // local NAT64
  if (startsWith(bytes, [0x20, 0x02])) return { v4: [bytes.slice(2, 6)], direct: false }; // 6to4
  if (startsWith(bytes, [0x20, 0x01, 0, 0])) {
    // Teredo: the server, and the client's address stored inverted (RFC 4380).
    const client = tail.map((b) => b ^ 0xff);
    return { v4: [bytes.slice(4, 8), client], direct: false };
  }
  if (startsWith(bytes, zeros(12))) return { v4: [tail], direct: false }; // ::a.b.c.d, deprecated
  return undefined;
}

function classifyV6(bytes: Uint8Array): IpClass {
  const own = V6.find((range) => inRange(bytes, range));
  if (own && own.bits === 128) return own.cls; // :: and ::1 before the ::a.b.c.d form
  const embedded = embeddedIpv4(bytes);
  if (embedded) {
    for (const v4 of embedded.v4) {
      const cls = classifyV4(v4);
      if (cls !== "public") return cls;
    }
    // Local-use NAT64 and the deprecated compatible form reach no public host by themselves.
    if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 1]) || startsWith(bytes, zeros(12)))
      return "reserved";
    return "public";
  }
  if (own) return own.cls;
  // Only 2000::/3 is global unicast; the rest of the space is unassigned.
  return ((bytes[0] as number) & 0xe0) === 0x20 ? "public" : "reserved";
}

/** "a loopback address", "an unspecified address": for messages. */
export function describeClass(cls: IpClass): string {
  return `${/^[aeiou]/.test(cls) ? "an" : "a"} ${cls} address`;
}

export function classifyBytes(bytes: Uint8Array): IpClass {
  return bytes.length === 4 ? classifyV4(bytes) : classifyV6(bytes);
}

/** Classifies an address literal in any spelling; undefined when it is not an address. */
export function classifyIp(text: string | IpAddress): IpClass | undefined {
  const address = typeof text === "string" ? parseIp(text) : text;
  return address && classifyBytes(address.bytes);
}
