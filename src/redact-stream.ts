// Masks secret values in a byte stream (a child's stdout/stderr under
// `coffer run`), including values split across chunks: a tail that could be
// the start of a value is held back until the next chunk or the end.

export class StreamMasker {
  private readonly values: Uint8Array[];
  private readonly mask: Uint8Array;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(values: readonly Uint8Array[], mask: string) {
    // Longest first, so a value that contains another is masked whole.
    this.values = values.filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
    this.mask = new TextEncoder().encode(mask);
  }

  /** Returns what can be written now. */
  push(chunk: Uint8Array): Uint8Array {
    const data = concat(this.pending, chunk);
    const { out, safeEnd } = this.replace(data, true);
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
    const hits = this.matches(buf);
    const safeEnd = holdTail ? this.tailStart(buf, hits.at(-1)?.[1] ?? 0) : buf.length;
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

  /** Non-overlapping [start, end) ranges of values, leftmost first. */
  private matches(buf: Buffer): [number, number][] {
    const found: [number, number][] = [];
    for (const value of this.values) {
      for (let i = buf.indexOf(value); i !== -1; i = buf.indexOf(value, i + 1)) {
        found.push([i, i + value.length]);
      }
    }
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged: [number, number][] = [];
    for (const hit of found) {
      const last = merged.at(-1);
      if (last && hit[0] < last[1]) last[1] = Math.max(last[1], hit[1]);
      else merged.push(hit);
    }
    return merged;
  }

  /** Where the longest suffix that is a proper prefix of some value begins (after `from`). */
  private tailStart(buf: Buffer, from: number): number {
    let start = buf.length;
    for (const value of this.values) {
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

function concat(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  return Buffer.concat(parts);
}
