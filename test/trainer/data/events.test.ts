import { describe, expect, it } from "vitest";
import { eventsToInteractions, mergeInteractions, parseEventWeights } from "../../../trainer/data/events.ts";
import type { Interactions } from "../../../trainer/data/types.ts";
import { stored } from "../support/stored-events.ts";

const D = 86_400_000;
const T = Date.UTC(2026, 11, 1);

function pairs(x: Interactions): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = 0; k < x.users.length; k++) out[`${x.userIds[x.users[k]]}|${x.itemIds[x.items[k]]}`] = Math.round(x.ratings[k] * 1000) / 1000;
  return out;
}

describe("events → interactions", () => {
  it("weights purchase > add_to_cart > click > view, keeps a pair's strongest signal, and never counts impressions as positives", () => {
    const { interactions, exposures } = eventsToInteractions(
      [
        stored("1", { user: "u", item: "A", type: "view", ts: T }),
        stored("2", { user: "u", item: "A", type: "purchase", ts: T }),
        stored("3", { user: "u", item: "B", type: "add_to_cart", ts: T }),
        stored("4", { user: "u", item: "C", type: "click", ts: T }),
        stored("5", { user: "u", item: "D", type: "view", ts: T }),
        stored("6", { user: "u", item: "E", type: "impression", ts: T }),
        stored("7", { user: "u", item: "E", type: "impression", ts: T }),
        stored("8", { user: undefined, session: "s9", item: "A", type: "rate", rating: 4, ts: T }),
        stored("9", { user: "u", item: "F", type: "remove_from_cart", ts: T }),
      ],
      { halfLifeDays: 0 },
    );
    expect(pairs(interactions)).toEqual({ "u|A": 5, "u|B": 3, "u|C": 2, "u|D": 1, "session:s9|A": 4 });
    expect(exposures.counts.length).toBe(1);
    expect(exposures.counts[0]).toBe(2);
    expect(interactions.itemIds[exposures.items[0]]).toBe("E");
  });

  it("decays weights with age (half-life from the newest event) and takes weights from --event-weights", () => {
    const events = [stored("1", { item: "A", type: "purchase", ts: T }), stored("2", { item: "B", type: "purchase", ts: T + 30 * D })];
    expect(pairs(eventsToInteractions(events, { halfLifeDays: 30 }).interactions)).toEqual({ "u1|A": 2.5, "u1|B": 5 });
    expect(pairs(eventsToInteractions(events, { halfLifeDays: 0, weights: parseEventWeights("purchase=1") }).interactions)).toEqual({ "u1|A": 1, "u1|B": 1 });
    expect(() => parseEventWeights("buy=3")).toThrow(/purchase=5/);
  });

  it("drops forgotten shoppers through the keepUser hook and says so", () => {
    const r = eventsToInteractions([stored("1", { user: "gone" }), stored("2", { user: "stays" })], { keepUser: (u) => u !== "gone" });
    expect(r.interactions.userIds).toEqual(["stays"]);
    expect(r.report.notes!.join(" ")).toMatch(/1 events of 1 forgotten shoppers dropped/);
  });

  it("merges with rating files in one id space, a pair in both keeping its stronger signal", () => {
    const base: Interactions = { userIds: ["u", "v"], itemIds: ["A", "B"], users: Int32Array.of(0, 1), items: Int32Array.of(0, 1), ratings: Float32Array.of(2, 4), times: Float64Array.of(1, 1) };
    const ev = eventsToInteractions([stored("1", { user: "u", item: "A", type: "purchase", ts: T }), stored("2", { user: "w", item: "C", ts: T })], { halfLifeDays: 0 }).interactions;
    const merged = mergeInteractions(base, ev);
    expect(merged.userIds).toEqual(["u", "v", "w"]);
    expect(merged.itemIds).toEqual(["A", "B", "C"]);
    expect(pairs(merged)).toEqual({ "u|A": 5, "v|B": 4, "w|C": 2 });
  });
});
