/** The statistics of the outcome report: Wilson intervals, a mean's interval, two-proportion tests, sample sizes. */

export interface Interval {
  value: number;
  low: number;
  high: number;
}

const Z95 = 1.959963984540054;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/** Wilson score interval of a proportion (95%): sensible at 0 successes and small n. */
export function wilson(successes: number, n: number, z = Z95): Interval {
  if (n === 0) return { value: NaN, low: NaN, high: NaN };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** A mean over n observations given their sum and sum of squares, with its normal 95% interval. */
export function meanInterval(sum: number, sumSquares: number, n: number): Interval {
  if (n === 0) return { value: NaN, low: NaN, high: NaN };
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSquares - n * mean * mean) / (n - 1)) : 0;
  const half = Z95 * Math.sqrt(variance / n);
  return { value: mean, low: mean - half, high: mean + half };
}

export interface Comparison {
  /** Relative lift of b over a (0.05 = +5%), with a 95% interval (log risk ratio). */
  lift: Interval;
  /** Two-sided p-value of the pooled two-proportion z-test. */
  p: number;
}

export function compareProportions(xa: number, na: number, xb: number, nb: number): Comparison {
  const pa = xa / na;
  const pb = xb / nb;
  const pooled = (xa + xb) / (na + nb);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
  const z = se > 0 ? (pb - pa) / se : 0;
  const p = se > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1;
  let lift: Interval = { value: NaN, low: NaN, high: NaN };
  if (xa > 0 && xb > 0) {
    const rr = pb / pa;
    const seLog = Math.sqrt((1 - pa) / xa + (1 - pb) / xb);
    lift = { value: rr - 1, low: rr * Math.exp(-Z95 * seLog) - 1, high: rr * Math.exp(Z95 * seLog) - 1 };
  }
  return { lift, p };
}

/** Impressions per arm to detect a relative lift of `lift` over rate p (two-sided α = 0.05, power 0.8). */
export function impressionsNeeded(p: number, lift = 0.05): number {
  if (!(p > 0 && p < 1)) return Infinity;
  const p2 = Math.min(0.999999, p * (1 + lift));
  const zb = 0.8416212335729143;
  const mean = (p + p2) / 2;
  const n = (Z95 * Math.sqrt(2 * mean * (1 - mean)) + zb * Math.sqrt(p * (1 - p) + p2 * (1 - p2))) ** 2 / (p2 - p) ** 2;
  return Math.ceil(n);
}
