// The masked preview `secret list` shows, e.g. `sk-...4f2b`: never more than
// 8 characters of the value and never more than a third of it.

export const FULL_MASK = "********";
const MAX_REVEALED = 8;
const SUFFIX = 4;
const MAX_PREFIX = 3;

export function maskedPreview(value: string): string {
  const chars = Array.from(value);
  const budget = Math.min(MAX_REVEALED, Math.floor(chars.length / 3));
  if (budget < SUFFIX + 1) return FULL_MASK;
  // A vendor prefix such as `sk-` or `ghp_` is the useful part of the head.
  const head = chars.slice(0, 5).join("");
  const marker = head.search(/[-_]/);
  const wanted = marker > 0 ? marker + 1 : MAX_PREFIX;
  const prefix = Math.min(wanted, budget - SUFFIX);
  return `${chars.slice(0, prefix).join("")}...${chars.slice(-SUFFIX).join("")}`;
}
