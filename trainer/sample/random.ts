import type { Rng } from "../util/rng.ts";

/** Standard normal draw (Box–Muller; one of the pair is discarded to keep the stream simple). */
export function normal(rng: Rng): number {
  let u = rng.next();
  while (u <= 1e-12) u = rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) draw (Marsaglia–Tsang), used to build sparse Dirichlet tastes. */
export function gamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
    let u = rng.next();
    while (u <= 1e-12) u = rng.next();
    return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Dirichlet(alpha, …, alpha) vector of length n; small alpha gives a few dominant entries. */
export function dirichlet(rng: Rng, n: number, alpha: number): Float64Array {
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    out[i] = gamma(rng, alpha) + 1e-12;
    sum += out[i];
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
  return out;
}

/** Index drawn with probability proportional to weights[i] (weights need not be normalised). */
export function pickWeighted(rng: Rng, weights: ArrayLike<number>, total?: number): number {
  let sum = total;
  if (sum === undefined) {
    sum = 0;
    for (let i = 0; i < weights.length; i++) sum += weights[i];
  }
  let target = rng.next() * sum;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i];
    if (target < 0) return i;
  }
  // Rounding left a sliver: return the last positive weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return 0;
}

export function pickOne<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.int(list.length)];
}
