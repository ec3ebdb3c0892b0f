import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readEvents } from "../../../trainer/lists/events.ts";
import { trending } from "../../../trainer/lists/trending.ts";
import { createRng } from "../../../trainer/util/rng.ts";

const NOW = Date.parse("2026-12-06T12:00:00Z");
const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), "edgerec-events-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A generated event history in the pipeline's layout: 8 days of steady views over 40 items,
 * one item ("surge") that takes off in the last 24 h, and one hourly file with bad lines.
 */
function writeHistory(root: string): void {
  const rng = createRng(5);
  const byHour = new Map<number, string[]>();
  const add = (ts: number, e: Record<string, unknown>) => {
    const h = Math.floor(ts / HOUR);
    if (!byHour.has(h)) byHour.set(h, []);
    byHour.get(h)!.push(JSON.stringify({ ...e, ts }));
  };
  for (let t = NOW - 8 * 24 * HOUR; t < NOW; t += 10 * 60_000) {
    add(t, { type: "view", user: `u${rng.int(50)}`, session: `s${rng.int(200)}`, item: `steady-${rng.int(40)}` });
  }
  for (let t = NOW - 20 * HOUR; t < NOW; t += 15 * 60_000) add(t, { type: rng.next() < 0.2 ? "purchase" : "view", user: `u${rng.int(50)}`, item: "surge" });
  for (const [h, lines] of byHour) {
    const d = new Date(h * HOUR);
    const part = join(root, "events", `dt=${d.toISOString().slice(0, 10)}`, `hr=${d.toISOString().slice(11, 13)}`);
    mkdirSync(part, { recursive: true });
    writeFileSync(join(part, "part-0.ndjson.gz"), gzipSync(lines.join("\n") + "\n"));
  }
  const bad = join(root, "events", "dt=2026-12-06", "hr=11");
  mkdirSync(bad, { recursive: true });
  writeFileSync(join(bad, "part-bad.ndjson.gz"), gzipSync(['{"type":"view","item":"steady-1","ts":"yesterday"}', "not json", '{"type":"view","ts":1}'].join("\n")));
}
writeHistory(dir);

describe("trending", () => {
  it("ranks a surging item first; steady items score about 1; bad lines are counted with their place", () => {
    const read = readEvents(dir, NOW - 7 * 24 * HOUR, NOW);
    expect(read.rejected).toBe(3);
    expect(read.problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'ts "yesterday" is not a time'],
      [2, "not JSON"],
      [3, "no item"],
    ]);
    // Only the last 7 days of partitions were read (8 days were written).
    expect(read.events.every((e) => e.ts >= NOW - 7 * 24 * HOUR)).toBe(true);
    const doc = trending(read.events, NOW);
    expect(doc.items[0].id).toBe("surge");
    expect(doc.items[0].score).toBeGreaterThan(5);
    const steady = doc.items.filter((i) => i.id.startsWith("steady-"));
    const median = steady.map((i) => i.score).sort((a, b) => a - b)[Math.floor(steady.length / 2)];
    expect(median).toBeGreaterThan(0.3);
    expect(median).toBeLessThan(1.5);
  });

  it("edgerec trending --out writes the list the worker serves", async () => {
    const out = join(dir, "trending.json");
    const run = promisify(execFile);
    const main = join(import.meta.dirname, "../../../trainer/cli/main.ts");
    const r = await run(process.execPath, ["--import", "tsx", main, "trending", "--events", dir, "--now", new Date(NOW).toISOString(), "--out", out, "--json"], {
      cwd: join(import.meta.dirname, "../../.."),
    }).then((ok) => ({ ...ok, code: 0 }), (e: { code: number; stdout: string; stderr: string }) => e);
    expect(r.code).toBe(2); // bad lines were reported
    const summary = JSON.parse(r.stdout);
    expect(summary.rejected).toBe(3);
    expect(summary.top[0].id).toBe("surge");
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc).toMatchObject({ format: 1, computedAt: "2026-12-06T12:00:00.000Z", recentHours: 24, baselineDays: 7 });
  });
});
