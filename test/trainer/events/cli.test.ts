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

describe("edgerec report", () => {
  it("prints the table, writes HTML, and publishes both beside the artifacts in local storage", async () => {
    const persist = mkdtempSync(join(tmpdir(), "edgerec-report-"));
    try {
      const html = join(persist, "out.html");
      const { stdout } = await cli("report", "--events", dir, "--since", "1000d", "--html", html, "--publish", "local", "--persist-to", persist);
      expect(stdout).toMatch(/product-page\s+control\s+\d+/);
      expect(stdout).toMatch(/home\s+control\s+\d+/);
      const { miniflareStores } = await import("../../../trainer/artifact/local-http-store.ts");
      const { store, dispose } = await miniflareStores({ persistTo: persist, backend: "r2" });
      try {
        const published = await store.get("reports/events-latest.html");
        expect(Buffer.from(published!).toString("utf8")).toContain("What recommendations earned");
        const json = JSON.parse(Buffer.from((await store.get("reports/events-latest.json"))!).toString("utf8"));
        expect(json.arms.length).toBe(2);
      } finally {
        await dispose();
      }
      const { stdout: j } = await cli("report", "--events", dir, "--since", "1000d", "--json");
      const o = JSON.parse(j);
      expect(o.arms.every((a: { ctr: { value: number } }) => a.ctr.value > 0 && a.ctr.value < 1)).toBe(true);
    } finally {
      rmSync(persist, { recursive: true, force: true });
    }
  });
});

describe("edgerec events --local", () => {
  it("reads what wrangler's local storage holds (through Miniflare, as wrangler dev --persist-to writes it)", async () => {
    const persist = mkdtempSync(join(tmpdir(), "edgerec-events-local-"));
    try {
      const { miniflareStores } = await import("../../../trainer/artifact/local-http-store.ts");
      const { batchObjectKey } = await import("../../../src/artifact/index.ts");
      const { gzipSync } = await import("node:zlib");
      const { store, dispose } = await miniflareStores({ persistTo: persist, backend: "r2" });
      try {
        const lines = events.slice(0, 30).map((e) => JSON.stringify(e)).join("\n") + "\n";
        await store.put(batchObjectKey(events[0].receivedAt, "f".repeat(32)), new Uint8Array(gzipSync(lines)));
      } finally {
        await dispose();
      }
      const { stdout } = await cli("events", "count", "--local", "--persist-to", persist, "--json");
      expect(JSON.parse(stdout)).toMatchObject({ events: 30, objects: 1, malformed: 0 });
    } finally {
      rmSync(persist, { recursive: true, force: true });
    }
  });
});
