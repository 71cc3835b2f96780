// safeFetch options for requests the CLI makes: the allowlist from config
// `[security] allowed_private_ips`, each use of it a `coffer: warning: …` line.

import type { Config } from "../config-schema.ts";
import { describeClass } from "../net/ip-class.ts";
import type { SafeFetchOptions } from "../net/safe-fetch.ts";
import { say } from "./output.ts";

export function cliFetchOptions(config: Config, extra: SafeFetchOptions = {}): SafeFetchOptions {
  return {
    ...extra,
    allowedPrivateIps: config.security?.allowed_private_ips ?? [],
    onAllowed: (e) =>
      say.warn(
        `${e.url}: ${e.address} is ${describeClass(e.addressClass)}, allowed by allowed_private_ips entry ${e.rule}`,
      ),
  };
}
