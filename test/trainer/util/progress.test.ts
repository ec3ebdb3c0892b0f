import { describe, expect, it } from "vitest";
import { formatSeconds, progress } from "../../../trainer/util/progress.ts";
import { tuneReporter } from "../../../trainer/tune/progress.ts";

const collect = () => {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
};

describe("progress without a terminal", () => {
  it("prints one line per step, with elapsed time and an ETA", () => {
    const out = collect();
    const bar = progress("fit ials", 3, { enabled: true, tty: false, write: out.write });
    for (let epoch = 1; epoch <= 3; epoch++) bar.update(epoch, { elapsedSeconds: epoch * 2 });
    bar.stop();
    expect(out.lines).toEqual(["fit ials [1/3] 2 s elapsed, ETA 4 s", "fit ials [2/3] 4 s elapsed, ETA 2 s", "fit ials [3/3] 6 s elapsed, ETA 0 s"]);
  });

  it("prints bytes as MiB in at most `lines` evenly spaced lines, and the end", () => {
    const out = collect();
    const total = 10 * 1048576;
    const bar = progress("reading big.csv", total, { enabled: true, tty: false, write: out.write, unit: "bytes", lines: 4 });
    for (let read = 65536; read <= total; read += 65536) bar.update(read);
    expect(out.lines.length).toBe(4);
    expect(out.lines[0]).toMatch(/^reading big\.csv \[2\.5\/10\.0 MiB\] \d+ s elapsed, ETA /);
    expect(out.lines.at(-1)).toMatch(/^reading big\.csv \[10\.0\/10\.0 MiB\]/);
  });

  it("prints a note even when the count did not move, and takes a total and an ETA from the caller", () => {
    const out = collect();
    const bar = progress("tune", 10, { enabled: true, tty: false, write: out.write });
    bar.update(0, { note: "warming up", etaSeconds: 125, elapsedSeconds: 3 });
    bar.update(1, { total: 12, etaSeconds: 3700, elapsedSeconds: 61 });
    expect(out.lines).toEqual(["tune [0/10] 3 s elapsed, ETA 2 m 05 s · warming up", "tune [1/12] 1 m 01 s elapsed, ETA 1 h 01 m"]);
  });

  it("prints nothing when disabled", () => {
    const out = collect();
    const bar = progress("fit", 2, { enabled: false, tty: false, write: out.write });
    bar.update(1, { note: "x" });
    bar.update(2);
    bar.stop();
    expect(out.lines).toEqual([]);
  });
});

describe("tune's reporter", () => {
  it("writes one line per trial with the search's own ETA and the trial's score", () => {
    const out = collect();
    const reporter = tuneReporter("ndcg@10", { enabled: true, tty: false, write: out.write });
    const trial = { description: "ials dim=64", score: 0.12345, seconds: 4.2 };
    reporter.onProgress({ done: 1, total: 5, elapsedSeconds: 4.2, etaSeconds: 17, trial } as Parameters<typeof reporter.onProgress>[0]);
    reporter.onProgress({ done: 2, total: 5, elapsedSeconds: 9, etaSeconds: 13, trial: { ...trial, score: NaN } } as Parameters<typeof reporter.onProgress>[0]);
    reporter.stop();
    expect(out.lines).toEqual(["tune [1/5] 4 s elapsed, ETA 17 s · ials dim=64: ndcg@10 0.1235 (4.2 s)", "tune [2/5] 9 s elapsed, ETA 13 s · ials dim=64: ndcg@10 failed (4.2 s)"]);
  });

  it("formats durations as seconds, minutes or hours", () => {
    expect([formatSeconds(42), formatSeconds(185), formatSeconds(3720), formatSeconds(undefined)]).toEqual(["42 s", "3 m 05 s", "1 h 02 m", "?"]);
  });
});
