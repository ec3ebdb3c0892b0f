import { describe, expect, it } from "vitest";
import { compareProportions, impressionsNeeded, meanInterval, normalCdf, wilson } from "../../../trainer/outcomes/stats.ts";

describe("outcome statistics", () => {
  it("Wilson intervals match textbook values, including zero successes", () => {
    const half = wilson(5, 10);
    expect(half.low).toBeCloseTo(0.2366, 4);
    expect(half.high).toBeCloseTo(0.7634, 4);
    const none = wilson(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    expect(Number.isNaN(wilson(0, 0).value)).toBe(true);
  });

  it("the normal CDF and the two-proportion test give the known p-values", () => {
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    const c = compareProportions(50, 1000, 80, 1000);
    expect(c.p).toBeCloseTo(0.0065, 3);
    expect(c.lift.value).toBeCloseTo(0.6, 6);
    expect(c.lift.low).toBeGreaterThan(0);
    expect(compareProportions(50, 1000, 50, 1000).p).toBeCloseTo(1, 6);
  });

  it("a mean's interval and the impressions needed for a 5% lift", () => {
    const m = meanInterval(10, 100, 10); // one value of 10, nine zeros
    expect(m.value).toBe(1);
    expect(m.high - m.value).toBeCloseTo(1.96 * Math.sqrt(10 / 10), 2);
    const n = impressionsNeeded(0.05);
    expect(n).toBeGreaterThan(120_000);
    expect(n).toBeLessThan(124_000);
  });
});
