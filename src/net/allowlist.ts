// The `allowed_private_ips` exceptions: plain addresses or CIDR ranges, IPv4 or
// IPv6, written in their one ordinary spelling so a reader sees what is let through.

import { UsageError } from "../errors.ts";
import { parseIpv6 } from "./ip-parse.ts";

export interface AllowRule {
  /** The entry as written, for logs. */
  text: string;
  bytes: Uint8Array;
  bits: number;
}

const DOTTED_QUAD =
  /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

function parseAddress(text: string): Uint8Array | undefined {
  if (DOTTED_QUAD.test(text)) return new Uint8Array(text.split(".").map(Number));
  return text.includes(":") ? parseIpv6(text) : undefined;
}

function hostBitsSet(bytes: Uint8Array, bits: number): boolean {
  for (let bit = bits; bit < bytes.length * 8; bit++) {
    if (((bytes[bit >> 3] as number) >> (7 - (bit & 7))) & 1) return true;
  }
  return false;
}

/** Why an entry is not valid, or undefined when it is. */
export function allowEntryProblem(text: string): string | undefined {
  const [address = "", prefix, ...rest] = text.split("/");
  const bytes = parseAddress(address);
  if (!bytes || rest.length > 0) return `"${text}" is not an IP address or CIDR range`;
  if (prefix === undefined) return undefined;
  const max = bytes.length * 8;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix) || Number(prefix) > max) {
    return `"${text}": the prefix length must be 0 to ${max}`;
  }
  if (hostBitsSet(bytes, Number(prefix))) return `"${text}": bits set after the prefix length`;
  return undefined;
}

export function parseAllowlist(entries: readonly string[]): AllowRule[] {
  return entries.map((text) => {
    const problem = allowEntryProblem(text);
    if (problem) throw new UsageError(`allowedPrivateIps: ${problem}`);
    const [address = "", prefix] = text.split("/");
    const bytes = parseAddress(address) as Uint8Array;
    return { text, bytes, bits: prefix === undefined ? bytes.length * 8 : Number(prefix) };
  });
}

export function matchRule(rules: readonly AllowRule[], bytes: Uint8Array): AllowRule | undefined {
  return rules.find((rule) => {
    if (rule.bytes.length !== bytes.length) return false;
    for (let bit = 0; bit < rule.bits; bit++) {
      const mask = 0x80 >> (bit & 7);
      if ((((rule.bytes[bit >> 3] as number) ^ (bytes[bit >> 3] as number)) & mask) !== 0)
        return false;
    }
    return true;
  });
}
