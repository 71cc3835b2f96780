// Removing the plaintext [secrets] table from a config file's text.

import { describe, expect, it } from "bun:test";
import { withoutSecrets } from "../../src/config-rewrite.ts";

describe("withoutSecrets", () => {
  it("should remove the [secrets] table and keep everything else", () => {
    const text =
      '# top\n[storage]\nbusy_timeout_ms = 10\n\n[secrets]\nA = "x"\n\n[vault]\nkdf_iterations = 3\n';
    expect(withoutSecrets(text)).toBe(
      "# top\n[storage]\nbusy_timeout_ms = 10\n\n[vault]\nkdf_iterations = 3\n",
    );
  });

  it("should remove an inline secrets table", () => {
    expect(withoutSecrets('secrets = { A = "x" }\n[storage]\nsynchronous = "full"\n')).toBe(
      '[storage]\nsynchronous = "full"\n',
    );
  });

  it("should not take a line inside a multi-line string for a table header", () => {
    const text = '[secrets]\nA = """\n[storage]\n"""\n[vault]\nkdf_iterations = 3\n';
    expect(withoutSecrets(text)).toBe("[vault]\nkdf_iterations = 3\n");
  });

  it("should give up rather than rewrite wrongly", () => {
    // Dotted keys at the top level are not handled: the re-parse check notices.
    expect(withoutSecrets('secrets.A = "x"\n')).toBeUndefined();
  });
});
