/** `edgerec events` and `edgerec train --events` through the real CLI on a generated event history. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { generateEventHistory, writeEventObjects } from "../../../trainer/sample/events.ts";
import { generateStore } from "../../../trainer/sample/index.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "../../..");
const cli = (...args: string[]) => run(process.execPath, ["--import", "tsx", join(ROOT, "trainer/cli/main.ts"), ...args], { cwd: ROOT, maxBuffer: 1 << 26 });

const dir = mkdtempSync(join(tmpdir(), "edgerec-events-cli-"));
const store = generateStore({ items: 300, users: 250, seed: 3 });
const events = generateEventHistory(store, { now: Date.UTC(2026, 11, 1) });
const objects = writeEventObjects(dir, events, 200);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("edgerec events / train --events", () => {
  it("generates a deterministic history with every event type a store sends", () => {
    const again = generateEventHistory(store, { now: Date.UTC(2026, 11, 1) });
    expect(again).toEqual(events);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(["impression", "click", "view", "add_to_cart", "purchase"]));
  });

  it("count and ls report what is stored", async () => {
    const { stdout } = await cli("events", "count", "--dir", dir, "--json");
    const summary = JSON.parse(stdout);
    expect(summary.events).toBe(events.length);
    expect(summary.objects).toBe(objects);
    expect(summary.byType.purchase).toBe(events.filter((e) => e.type === "purchase").length);
    const ls = await cli("events", "ls", "--dir", dir, "--since", "2026-11-30");
    expect(ls.stdout.trim().split("\n").every((l) => /^events\/dt=2026-11-30\/hr=\d\d\//.test(l))).toBe(true);
  });

  it("cat prints NDJSON, and a missing source is a clear error", async () => {
    const { stdout } = await cli("events", "cat", "--dir", dir, "--since", "2026-11-30T20:00:00Z");
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((e) => e.ts >= Date.UTC(2026, 10, 30, 20))).toBe(true);
    await expect(cli("events", "count")).rejects.toMatchObject({ stderr: expect.stringMatching(/exactly one of --local, --remote or --dir/) });
  });

  it("train --events <dir> fits a model on the events and evaluates it", async () => {
    const { stdout } = await cli("train", "--events", dir, "--since", "1000d", "--model", "ease", "--json");
    const result = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(result.metrics["p@10"]).toBeGreaterThan(0);
  });
});
