import { fold } from './vocabulary.js';
import { cached } from './memo.js';

/** Levenshtein distance, small and allocation-light: inputs are words typed in a chat. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

// Candidates are the bot's own words (routes, instances, question words): fold each once.
const FOLDED = new Map<string, string>();
function foldedCandidate(candidate: string): string {
  return cached(FOLDED, candidate, () => fold(candidate), 10_000);
}

/**
 * The closest candidate to `word`, if it is close enough to be a plausible typo. Accents and case do
 * not count (`facturacon` is one letter from `facturación`); the candidate is returned as spelled.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  const w = fold(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  const tolerance = Math.max(1, Math.floor(w.length / 3));
  for (const candidate of candidates) {
    const folded = foldedCandidate(candidate);
    // Lengths further apart than the tolerance cannot be within it: no need to compute the distance.
    if (Math.abs(folded.length - w.length) > tolerance) continue;
    const d = editDistance(w, folded);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= tolerance ? best : undefined;
}

/** " Did you mean `x`?" or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match ? ` Did you mean \`${match}\`?` : '';
}
