// Masks secret values in a byte stream (a child's stdout/stderr under
// `coffer run`), including values split across chunks: a tail that could be
// the start of a value is held back until the next chunk or the end. Values
// follow the Redactor's rule (maskRule): short ones are skipped, short
// word-like ones masked only as whole words.

import { maskRule } from "./redact.ts";

interface Pattern {
  bytes: Uint8Array;
  wholeWord: boolean;
}

export class StreamMasker {
  private readonly values: Pattern[];
  private readonly mask: Uint8Array;
  private pending: Uint8Array = new Uint8Array(0);
  /** The last byte already written out (-1: none), the left edge of a whole-word match. */
  private before = -1;

  constructor(values: readonly Uint8Array[], mask: string) {
    const decoder = new TextDecoder();
    this.values = values
      .map((bytes) => ({ bytes, rule: maskRule(decoder.decode(bytes)) }))
      .filter((v) => v.rule !== "skip")
      .map((v) => ({ bytes: v.bytes, wholeWord: v.rule === "whole-word" }))
      // Longest first, so a value that contains another is masked whole.
      .sort((a, b) => b.bytes.length - a.bytes.length);
    this.mask = new TextEncoder().encode(mask);
  }

  /** Returns what can be written now. */
  push(chunk: Uint8Array): Uint8Array {
    const data = concat(this.pending, chunk);
    const { out, safeEnd } = this.replace(data, true);
    if (safeEnd > 0) this.before = data[safeEnd - 1] as number;
    this.pending = data.subarray(safeEnd);
    return out;
  }

  /** Flushes the held tail at the end of the stream. */
  end(): Uint8Array {
    const { out } = this.replace(this.pending, false);
    this.pending = new Uint8Array(0);
    return out;
  }

  private replace(data: Uint8Array, holdTail: boolean): { out: Uint8Array; safeEnd: number } {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const { hits, undecided } = this.matches(buf, holdTail);
    const safeEnd = holdTail
      ? Math.min(this.tailStart(buf, hits.at(-1)?.[1] ?? 0), undecided)
      : buf.length;
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const [start, end] of hits) {
      if (end > safeEnd) break;
      parts.push(buf.subarray(at, start), this.mask);
      at = end;
    }
    parts.push(buf.subarray(at, safeEnd));
    return { out: concat(...parts), safeEnd };
  }

  /**
   * Non-overlapping [start, end) ranges of values, leftmost first; and where a
   * whole-word match that ends the buffer starts (its right edge is not known
   * until more comes), or the buffer's length.
   */
  private matches(buf: Buffer, holdTail: boolean): { hits: [number, number][]; undecided: number } {
    const found: [number, number][] = [];
    let undecided = buf.length;
    for (const { bytes, wholeWord } of this.values) {
      for (let i = buf.indexOf(bytes); i !== -1; i = buf.indexOf(bytes, i + 1)) {
        const end = i + bytes.length;
        if (wholeWord) {
          if (isWordByte(i > 0 ? buf[i - 1] : this.before)) continue;
          if (end === buf.length && holdTail) {
            undecided = Math.min(undecided, i);
            continue;
          }
          if (isWordByte(buf[end])) continue;
        }
        found.push([i, end]);
      }
    }
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged: [number, number][] = [];
    for (const hit of found) {
      const last = merged.at(-1);
      if (last && hit[0] < last[1]) last[1] = Math.max(last[1], hit[1]);
      else merged.push(hit);
    }
    return { hits: merged, undecided };
  }

  /** Where the longest suffix that is a proper prefix of some value begins (after `from`). */
  private tailStart(buf: Buffer, from: number): number {
    let start = buf.length;
    for (const { bytes: value } of this.values) {
      const first = value[0];
      for (let p = Math.max(from, buf.length - value.length + 1); p < start; p++) {
        if (buf[p] !== first) continue;
        if (buf.subarray(p).equals(value.subarray(0, buf.length - p))) {
          start = p;
          break;
        }
      }
    }
    return start;
  }
}

/** A-Z a-z 0-9 _, as \w in a RegExp: the characters a whole-word match may not touch. */
function isWordByte(b: number | undefined): boolean {
  if (b === undefined || b < 0) return false;
  return (
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f
  );
}

function concat(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  return Buffer.concat(parts);
}
