// Who a request comes from: the Bearer key, looked up by its SHA-256 and
// compared in constant time; wrong or expired is 401, and a client that keeps
// failing waits longer for each answer. A missing right is 403.

import type { Client } from "../client.ts";
import { ExitCode } from "../errors.ts";
import {
  allows,
  hashKey,
  KEY_PATTERN,
  type Right,
  type StoredKey,
  sameHash,
} from "../state/keys/rules.ts";
import { ApiError } from "./api-error.ts";

/** Failures before answers slow down, the first delay, the cap, and when a count is forgotten. */
const FREE_FAILURES = 3;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 3000;
const FORGET_MS = 60_000;
/** last_used_at is written at most this often per key: a write per request would be the bottleneck. */
const TOUCH_EVERY_MS = 60_000;
/**
 * A key found is kept this long, and only while the store's keys.version()
 * stays the same (SQLite: PRAGMA data_version, about 2 µs; PostgreSQL: a
 * removal's NOTIFY), so `coffer key rm` takes effect on the next request;
 * the time bounds a NOTIFY that is late. Expiry is judged on every request
 * by the store's clock.
 */
export const KEY_CACHE_MS = 1000;

export class Authenticator {
  private readonly failures = new Map<string, { count: number; last: number }>();
  private readonly touched = new Map<string, number>();
  /** By key hash: the key, the store's clock minus ours when it was read, and until when to trust it. */
  private readonly cache = new Map<
    string,
    { key: StoredKey; skew: number; until: number; version: string }
  >();

  constructor(
    private readonly client: Client,
    private readonly sleep: (ms: number) => Promise<void> = Bun.sleep,
  ) {}

  /** The request's key, or a 401 (after the delay this client has earned). */
  async authenticate(req: Request, peer: string): Promise<StoredKey> {
    const key = await this.lookup(req.headers.get("authorization"));
    if (typeof key === "string") {
      await this.slowDown(peer);
      throw new ApiError(
        401,
        "unauthorized",
        ExitCode.auth,
        key,
        "send Authorization: Bearer KEY (coffer key create)",
      );
    }
    // No reset on success: a good key on the same socket must not clear a guesser's count.
    this.touch(key.name);
    return key;
  }

  /** The key, or why it is refused. */
  private async lookup(header: string | null): Promise<StoredKey | string> {
    const presented = bearer(header);
    if (presented === undefined) return "a key is required";
    if (!KEY_PATTERN.test(presented)) return "the key is not valid";
    const hash = hashKey(presented);
    const local = Date.now();
    // Read before the lookup: a change between the two shows on the next request.
    // Every request: a version kept across requests (even for one turn of the
    // event loop) could let one request through after the removal returned.
    const version = await this.client.keys.version();
    // The cache is keyed by the hash itself: a hit needs no second comparison.
    const hit = this.cache.get(hash);
    if (hit && hit.until > local && hit.version === version)
      return checkExpiry(hit.key, local + hit.skew);
    const found = await this.client.keys.find(hash);
    if (!found || !sameHash(found.key.keyHash, hash)) {
      this.cache.delete(hash);
      return "the key is not valid";
    }
    if (this.cache.size > 1000) this.cache.clear();
    const until = local + KEY_CACHE_MS;
    this.cache.set(hash, { key: found.key, skew: found.now - local, until, version });
    return checkExpiry(found.key, found.now);
  }

  private async slowDown(peer: string): Promise<void> {
    const now = Date.now();
    const seen = this.failures.get(peer);
    const count = seen && now - seen.last < FORGET_MS ? seen.count + 1 : 1;
    this.failures.set(peer, { count, last: now });
    if (this.failures.size > 10_000) this.failures.clear();
    if (count <= FREE_FAILURES) return;
    await this.sleep(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (count - FREE_FAILURES - 1)));
  }

  private touch(name: string): void {
    const now = Date.now();
    if (now - (this.touched.get(name) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(name, now);
    // A lost update of last_used_at is no reason to fail the request.
    this.client.keys.touch(name).catch(() => {});
  }
}

export function checkRight(key: StoredKey, right: Right): void {
  if (allows(key.rules, right)) return;
  throw new ApiError(
    403,
    "forbidden",
    ExitCode.auth,
    `the key ${key.name} lacks the right ${describe(right)}`,
    "coffer key create NAME --allow RULES",
  );
}

function describe(right: Right): string {
  switch (right.area) {
    case "queue":
      return `queue:${right.queue}`;
    case "secrets":
      return `secrets:${right.scope ?? "SCOPE"}${right.write ? "" : ":read"}`;
    case "admin":
      return "admin";
    case "any":
      return "of any rule";
    default:
      return `${right.area}${right.write ? "" : ":read"}`;
  }
}

/** The token of `Authorization: Bearer TOKEN` (scheme case-insensitive), or undefined. */
function checkExpiry(key: StoredKey, now: number): StoredKey | string {
  return key.expiresAt !== null && key.expiresAt <= now ? "the key has expired" : key;
}

function bearer(header: string | null): string | undefined {
  if (header === null || header.length < 8 || header.slice(0, 7).toLowerCase() !== "bearer ")
    return undefined;
  const token = header.slice(7).trim();
  return token === "" || /\s/.test(token) ? undefined : token;
}
