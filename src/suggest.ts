/**
 * Did-you-mean suggestions for mistyped names (directives, Require providers, options).
 * @module
 */

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The closest candidate (case-insensitive): at most 2 edits (3 for long names), and fewer than its length. */
export function suggest(typed: string, candidates: Iterable<string>): string | undefined {
  const t = typed.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(t, c.toLowerCase());
    if (d < bestDistance && d <= (c.length >= 10 ? 3 : 2) && d < c.length) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
