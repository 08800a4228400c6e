/**
 * Seeded pseudo-random numbers for the synthetic OFN data. Everything the generator produces must
 * depend only on its options, so nothing here touches Math.random or the clock.
 */

/** 32-bit integer hash (lowbias32 by Chris Wellons); mixes seeds and labels into stream seeds. */
export function hash32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Combines two integers into one well-mixed 32-bit value. */
export function mix(a: number, b: number): number {
  return hash32((hash32(a) ^ Math.imul((b >>> 0) + 0x9e3779b9, 0x85ebca6b)) >>> 0);
}

/** mulberry32: tiny, fast, good enough for synthetic data (not for cryptography). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = hash32(seed) >>> 0;
  }

  /** An independent stream derived from this one's seed and a label, so adding draws in one
   * part of the generator does not shift the numbers every later part sees. */
  static derive(seed: number, ...labels: number[]): Rng {
    let s = hash32(seed ^ 0x5eed);
    for (const label of labels) s = mix(s, label);
    return new Rng(s);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Standard normal variate (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential variate with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Index drawn from cumulative weights (last element = total). */
  weightedIndex(cumulative: Float64Array | readonly number[]): number {
    const total = cumulative[cumulative.length - 1] as number;
    const target = this.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

/** Cumulative sums of weights, for Rng.weightedIndex. */
export function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i] as number;
    out[i] = sum;
  }
  return out;
}

/** Splits `total` into integer parts proportional to `weights` (largest remainder, ties by index). */
export function apportion(total: number, weights: readonly number[] | Float64Array): number[] {
  let sum = 0;
  for (const w of weights) sum += w;
  const parts = new Array<number>(weights.length).fill(0);
  if (sum <= 0 || total <= 0) return parts;
  const remainders: Array<[number, number]> = [];
  let assigned = 0;
  for (let i = 0; i < weights.length; i++) {
    const exact = (total * (weights[i] as number)) / sum;
    const whole = Math.floor(exact);
    parts[i] = whole;
    assigned += whole;
    remainders.push([exact - whole, i]);
  }
  remainders.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; k < total - assigned; k++) {
    const entry = remainders[k % remainders.length] as [number, number];
    parts[entry[1]] = (parts[entry[1]] as number) + 1;
  }
  return parts;
}

/** Smallest prime >= n (n small enough for trial division). */
export function nextPrime(n: number): number {
  let candidate = Math.max(2, Math.ceil(n));
  for (;;) {
    let prime = true;
    for (let d = 2; d * d <= candidate; d++) {
      if (candidate % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) return candidate;
    candidate++;
  }
}
