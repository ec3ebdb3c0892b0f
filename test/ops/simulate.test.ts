/**
 * The loop end to end (small version of `npm run bench:events`): simulated shoppers against the
 * real worker under wrangler dev, events through the local queue into R2, a retrained model
 * published and A/B-tested against the popularity fallback. The store, the draws and the A/B
 * hashing are seeded; event arrival order and server-time decay still vary a little between runs,
 * so the sample is large enough to keep the p-values well clear of 0.05. The full run is the bench.
 */
import { describe, expect, it } from "vitest";
import { runSimulation } from "../../trainer/simulate/loop.ts";

describe("edgerec simulate (small)", () => {
  it("loses no event, and the model retrained on round 1's events earns more clicks than round 1 and than popularity", async () => {
    const r = await runSimulation({ items: 200, users: 2400, seed: 11, concurrency: 16 });
    expect(r.traffic.serverErrors).toBe(0);
    expect(r.traffic.rejected).toBe(0);
    expect(r.lost).toBe(0);
    expect(r.storedInR2).toBe(r.traffic.accepted);
    expect(r.metrics.ctrRound2).toBeGreaterThan(r.metrics.ctrRound1);
    expect(r.metrics.pRound2VsRound1).toBeLessThan(0.05);
    expect(r.metrics.ctrModel).toBeGreaterThan(r.metrics.ctrPopularity);
    expect(r.metrics.pModelVsPopularity).toBeLessThan(0.05);
    expect(r.round2.tests[0]).toMatchObject({ placement: "round-2", baseline: "control", variant: "treatment" });
  }, 400_000);
});
