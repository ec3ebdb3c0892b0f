import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../../../src/artifact/index.ts";
import { computeOutcomes } from "../../../trainer/outcomes/outcomes.ts";
import { outcomesHtml, outcomesText } from "../../../trainer/outcomes/render.ts";
import { createRng } from "../../../trainer/util/rng.ts";

const T = Date.UTC(2026, 11, 1);
let n = 0;
const ev = (e: Partial<StoredEvent>): StoredEvent => ({ id: String(n++), type: "impression", user: "u", item: "A", ts: T, receivedAt: T, ...e });

/** `impressions` per variant with the given click rates, over three days. */
function traffic(rates: Record<string, number>, impressions: number, seed = 1): StoredEvent[] {
  const rng = createRng(seed);
  const out: StoredEvent[] = [];
  for (const [variant, rate] of Object.entries(rates)) {
    for (let k = 0; k < impressions; k++) {
      const common = { user: `u${k}`, item: `I${k % 50}`, recId: `${variant}-${k}`, placement: "pdp", variant, ts: T + (k % 3) * 86_400_000 };
      out.push(ev({ type: "impression", ...common }));
      if (rng.next() < rate) out.push(ev({ type: "click", ...common, ts: common.ts + 1 }));
    }
  }
  return out;
}

describe("outcomes from events", () => {
  it("attributes carts and purchases by recId, or by an earlier click of the same shopper within 24 h", () => {
    const o = computeOutcomes([
      ev({ type: "impression", recId: "r1", placement: "pdp", item: "A" }),
      ev({ type: "impression", recId: "r1", placement: "pdp", item: "B" }),
      ev({ type: "click", recId: "r1", placement: "pdp", item: "B", ts: T + 1 }),
      ev({ type: "add_to_cart", item: "B", ts: T + 2 }), // by the click
      ev({ type: "purchase", item: "A", recId: "r1", price: 10, quantity: 3, ts: T + 3 }), // by recId
      ev({ type: "purchase", item: "B", price: 99, ts: T + 2 * 86_400_000 }), // click too long ago
    ]);
    expect(o.arms).toHaveLength(1);
    expect(o.arms[0]).toMatchObject({ placement: "pdp", variant: "control", impressions: 2, clicks: 1, addToCarts: 1, purchases: 1, revenue: 30 });
    expect(o.arms[0].ctr.value).toBe(0.5);
    expect(o.arms[0].revenuePerMille.value).toBe(15_000);
  });

  it("detects a real CTR difference as significant, with a lift interval that excludes zero", () => {
    const o = computeOutcomes(traffic({ control: 0.05, treatment: 0.1 }, 4000));
    expect(o.tests).toHaveLength(1);
    const t = o.tests[0];
    expect(t).toMatchObject({ placement: "pdp", baseline: "control", variant: "treatment", significant: true });
    expect(t.ctr.p).toBeLessThan(0.001);
    expect(t.ctr.lift.low).toBeGreaterThan(0);
    expect(t.verdict).toMatch(/^treatment beats control on click-through: \+\d/);
  });

  it("says plainly when nothing is decided yet, with the impressions a 5% lift needs", () => {
    const o = computeOutcomes(traffic({ control: 0.05, treatment: 0.05 }, 1000, 3));
    expect(o.tests[0].significant).toBe(false);
    expect(o.tests[0].verdict).toMatch(/^not significant yet: about [\d,]+ more impressions per variant are needed to detect a 5% lift$/);
  });

  it("renders the text table and an HTML page with one chart per placement over time", () => {
    const o = computeOutcomes(traffic({ control: 0.05, treatment: 0.1 }, 500));
    expect(o.daily.length).toBe(6);
    const text = outcomesText(o);
    expect(text).toMatch(/pdp\s+control\s+500/);
    expect(text).toMatch(/A\/B pdp: treatment vs control/);
    const html = outcomesHtml(o, new Date(T));
    expect(html.match(/<svg/g)?.length).toBe(2);
    expect(html).not.toMatch(/<script/);
  });
});
