// Resolves a URL's host once and checks every address it gives (SPEC §14): the
// request then goes to the address checked here, so DNS cannot switch it later.

import { lookup as dnsLookup } from "node:dns/promises";
import { IoError, UsageError } from "../errors.ts";
import { type AllowRule, matchRule } from "./allowlist.ts";
import { classifyBytes, describeClass, embeddedIpv4, type IpClass } from "./ip-class.ts";
import { formatIp, parseIp } from "./ip-parse.ts";

/** Name to address literals; injectable so tests never resolve real names. */
export type Lookup = (hostname: string) => Promise<string[]>;

export const systemLookup: Lookup = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
};

export interface CheckedTarget {
  url: URL;
  /** The address to connect to, canonical text (IPv4-mapped IPv6 unwrapped). */
  address: string;
  addressClass: IpClass;
  /** The allowlist entry that let a non-public address through. */
  allowedBy: AllowRule | undefined;
  /** The URL named a host, not an address: it goes in Host and in TLS. */
  byName: boolean;
}

interface Checked {
  bytes: Uint8Array;
  addressClass: IpClass;
  allowedBy: AllowRule | undefined;
}

/** A hostname from the URL parser is an address literal or a domain, never both. */
function literalOf(hostname: string): Uint8Array | undefined {
  if (hostname.startsWith("[")) return parseIp(hostname)?.bytes;
  return /^[0-9.]+$/.test(hostname) ? parseIp(hostname)?.bytes : undefined;
}

function checkAddress(url: URL, text: string, rules: readonly AllowRule[]): Checked {
  const parsed = parseIp(text);
  if (!parsed) throw new IoError(`cannot resolve ${url.hostname}: "${text}" is not an address`);
  // ::ffff:a.b.c.d reaches a.b.c.d itself: connect to and match on the IPv4 form.
  const embedded = embeddedIpv4(parsed.bytes);
  const bytes = embedded?.direct ? (embedded.v4[0] as Uint8Array) : parsed.bytes;
  const addressClass = classifyBytes(bytes);
  if (addressClass === "public") return { bytes, addressClass, allowedBy: undefined };
  const allowedBy = matchRule(rules, bytes);
  if (allowedBy) return { bytes, addressClass, allowedBy };
  const address = formatIp(bytes);
  const what = describeClass(addressClass);
  const why = literalOf(url.hostname)
    ? `${address} is ${what}`
    : `${url.hostname} resolves to ${address}, ${what}`;
  throw new UsageError(`refused ${url.origin}: ${why}`, {
    hint: "add the address to [security] allowed_private_ips to allow it",
  });
}

async function addressesOf(url: URL, lookup: Lookup): Promise<string[]> {
  const literal = literalOf(url.hostname);
  if (literal) return [formatIp(literal)];
  let found: string[];
  try {
    // "name." is the same name written absolute; the resolver may not take it.
    found = await lookup(url.hostname.replace(/\.$/, ""));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new IoError(`cannot resolve ${url.hostname}: ${code}`, { cause: err });
  }
  if (found.length === 0) throw new IoError(`cannot resolve ${url.hostname}: no address`);
  return found;
}

/** Checks every address the host has; one bad address refuses the request. */
export async function checkTarget(
  url: URL,
  rules: readonly AllowRule[],
  lookup: Lookup,
): Promise<CheckedTarget> {
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`refused ${url.href}: only http and https URLs can be fetched`);
  }
  const checked = (await addressesOf(url, lookup)).map((text) => checkAddress(url, text, rules));
  const first = checked[0] as Checked;
  if (url.protocol === "http:" && checked.some((c) => c.addressClass !== "loopback")) {
    throw new UsageError(`refused ${url.origin}: plain http to a host that is not loopback`, {
      hint: "use https: TLS is required for every host that is not loopback",
    });
  }
  return { url, address: formatIp(first.bytes), ...first, byName: !literalOf(url.hostname) };
}
