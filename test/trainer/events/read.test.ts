import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { readEvents } from "../../../trainer/events/read.ts";
import { parseSince } from "../../../trainer/events/since.ts";
import { directorySource } from "../../../trainer/events/source.ts";
import { eventDir, stored } from "../support/stored-events.ts";

const H = 3_600_000;
const T = Date.UTC(2026, 11, 1, 10);
const dir = eventDir([
  { at: T, id: "a".repeat(32), lines: [stored("e1", { ts: T }), stored("e2", { ts: T + 1, type: "view" }), "{broken", JSON.stringify({ id: "x", type: "teleport", item: "A", ts: T, user: "u" })] },
  // A redelivery regrouped into another batch: e2 again, plus a new one.
  { at: T + 2 * H, id: "b".repeat(32), lines: [stored("e2", { ts: T + 1, type: "view" }), stored("e3", { ts: T + 2 * H, type: "purchase" })] },
  { at: T - 48 * H, id: "c".repeat(32), lines: [stored("old", { ts: T - 48 * H })] },
]);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("reading stored events", () => {
  it("reads every partition, keeps each event id once, and reports malformed lines with object and line", async () => {
    const read = await readEvents(directorySource(dir));
    expect(read.events.map((e) => e.id)).toEqual(["old", "e1", "e2", "e3"]);
    expect(read.duplicates).toBe(1);
    expect(read.malformed).toBe(2);
    expect(read.problems[0]).toMatchObject({ line: 3 });
    expect(read.problems[0].file).toMatch(/^events\/dt=2026-12-01\/hr=10\/a+\.ndjson\.gz$/);
  });

  it("--since prunes partitions and events", async () => {
    const read = await readEvents(directorySource(dir), { since: T + H });
    expect(read.events.map((e) => e.id)).toEqual(["e3"]);
    expect(read.objects).toBe(1);
  });

  it("parses durations and dates, and refuses anything else with a hint", () => {
    expect(parseSince("90d", T)).toBe(T - 90 * 24 * H);
    expect(parseSince("12h", T)).toBe(T - 12 * H);
    expect(parseSince("2026-11-01")).toBe(Date.UTC(2026, 10, 1));
    expect(() => parseSince("soon")).toThrow(/90d/);
  });

  it("refuses a missing directory clearly", () => {
    expect(() => directorySource(`${dir}/nope`)).toThrow(/events directory not found/);
  });
});
