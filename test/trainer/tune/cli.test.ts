import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createRng } from "../../../trainer/util/rng.ts";

const repo = resolve(import.meta.dirname, "..", "..", "..");

function edgerec(args: string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", join(repo, "trainer/cli/main.ts"), ...args], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** 60 users in 3 taste groups rate 14 of 30 items: their group's items 4–5 stars, the others 1–3. */
function ratingsCsv(): string {
  const rng = createRng(4);
  const lines = ["user,item,rating,time"];
  for (let u = 0; u < 60; u++) {
    const items = Array.from({ length: 30 }, (_, i) => i).sort(() => rng.next() - 0.5).slice(0, 14);
    for (const i of items) lines.push(`u${u},i${i},${i % 3 === u % 3 ? 4 + rng.int(2) : 1 + rng.int(3)},${1_500_000_000 + i}`);
  }
  return lines.join("\n") + "\n";
}

/** Runs `body` on ratingsCsv() written to ratings.csv in a fresh temporary directory, removed afterwards. */
function withRatingsFile(prefix: string, body: (file: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const file = join(dir, "ratings.csv");
    writeFileSync(file, ratingsCsv());
    body(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("edgerec tune --task rating-class", () => {
  it("can choose a rating-stack on validation, and edgerec train refits that best.json with the ratings", () => {
    withRatingsFile("edgerec-tune-stack-", (file, dir) => {
      const best = join(dir, "best.json");
      const common = ["--interactions", file, "--split", "random", "--task", "rating-class", "--seed", "1"];
      const tuned = JSON.parse(edgerec(["tune", ...common, "--trials", "2", "--losses", "mse,logistic", "--max-epochs", "10", "--eval-every", "5", "--out", best, "--json"]).trim());
      const stack = tuned.leaderboard.find((t: { config: { model: string } }) => t.config.model === "rating-stack");
      expect(stack).toBeDefined();
      expect(stack.config.members.at(-1).model).toBe("rate-logit");
      // Train the stack itself (whatever won) from a config file, as a user would.
      writeFileSync(best, JSON.stringify(stack.config));
      const trained = JSON.parse(edgerec(["train", ...common, "--config", best, "--json"]).trim());
      expect(trained.config.model).toBe("rating-stack");
      expect(trained.metrics.pairAuc).toBeGreaterThan(0.7);
      expect(JSON.parse(readFileSync(best, "utf8")).model).toBe("rating-stack");
    });
  });
});

describe("edgerec tune --multdae", () => {
  it("tries Mult-DAE at the hidden sizes given, and edgerec train refits its config", () => {
    withRatingsFile("edgerec-tune-dae-", (file, dir) => {
      const best = join(dir, "best.json");
      const common = ["--interactions", file, "--split", "random", "--min-rating", "4", "--seed", "1"];
      const tuned = JSON.parse(edgerec(["tune", ...common, "--trials", "0", "--ease", "none", "--multdae", "8,16", "--max-epochs", "20", "--out", best, "--json"]).trim());
      const daes = tuned.leaderboard.filter((t: { config: { model: string } }) => t.config.model === "multdae");
      expect(daes.map((t: { config: { params: { hidden: number } } }) => t.config.params.hidden).sort((a: number, b: number) => a - b)).toEqual([8, 16]);
      for (const t of daes) expect(t.config.params.epochs).toBeLessThanOrEqual(20);
      writeFileSync(best, JSON.stringify(daes[0].config));
      const trained = JSON.parse(edgerec(["train", ...common, "--config", best, "--json"]).trim());
      expect(trained.config.model).toBe("multdae");
      expect(trained.metrics.auc).toBeGreaterThan(0.5);
      expect(() => edgerec(["tune", ...common, "--multdae", "big"])).toThrow(/--multdae must be a whole number in 1..100000, got "big"/);
    });
  });
});

describe("edgerec tune --blend-selection", () => {
  it("picks the blend weights by the metric given, listing that one blend, and rejects what is not a ranking metric", () => {
    withRatingsFile("edgerec-tune-select-", (file, dir) => {
      const common = ["--interactions", file, "--split", "random", "--min-rating", "4", "--seed", "1", "--out", join(dir, "best.json")];
      const run = (extra: string[]) => JSON.parse(edgerec(["tune", ...common, "--trials", "1", "--losses", "bpr", "--ease", "100", "--max-epochs", "10", "--json", ...extra]).trim());
      const blends = (result: { leaderboard: Array<{ config: { model: string }; description: string; metrics: Record<string, number> }> }) => result.leaderboard.filter((t) => t.config.model === "blend");
      const all = blends(run([]));
      expect(all.length).toBeGreaterThan(1);
      // The same seeded search: the pick is the grid point with the best validation NDCG@10.
      const picked = blends(run(["--blend-selection", "ndcg@10"]));
      expect(picked).toHaveLength(1);
      const best = Math.max(...all.map((t) => t.metrics["ndcg@10"]));
      expect(picked[0].description).toBe(all.find((t) => t.metrics["ndcg@10"] === best)?.description);
      // A cut-off beyond the primary @10 is computed on validation for the pick.
      const picked20 = blends(run(["--blend-selection", "ndcg@20"]));
      expect(picked20).toHaveLength(1);
      expect(picked20[0].metrics["ndcg@20"]).toBeGreaterThan(0);
      expect(() => edgerec(["tune", ...common, "--blend-selection", "precision"])).toThrow(/--blend-selection: "precision" is not a ranking metric/);
      expect(() => edgerec(["tune", ...common, "--task", "rating-class", "--blend-selection", "ndcg@20"])).toThrow(/applies to --task ranking/);
    });
  });
});

/** Runs the CLI capturing stdout and stderr separately (progress goes to stderr). */
function edgerecBoth(args: string[]): { stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(repo, "trainer/cli/main.ts"), ...args], { cwd: repo, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`edgerec ${args.join(" ")} failed:\n${run.stderr}`);
  return { stdout: run.stdout, stderr: run.stderr };
}

describe("edgerec tune: budget, progress, partial leaderboard, resume, evaluate --on dev", () => {
  it("prints a progress line per trial on stderr under --json, writes the leaderboard, resumes from it, and evaluate --on dev reproduces the scores", () => {
    withRatingsFile("edgerec-tune-progress-", (file, dir) => {
      const out = join(dir, "best.json");
      const common = ["--interactions", file, "--split", "random", "--min-rating", "4", "--seed", "2", "--validation-users", "all"];
      const search = ["--trials", "1", "--losses", "bpr", "--ease", "100,300", "--max-epochs", "10", "--families", "ease,itemknn,hybrid", "--out", out];
      const first = edgerecBoth(["tune", ...common, ...search, "--no-blend", "--json"]);
      const result = JSON.parse(first.stdout.trim());
      const lines = first.stderr.split("\n").filter((l) => l.startsWith("tune ["));
      expect(lines).toHaveLength(result.leaderboard.length);
      expect(lines[0]).toMatch(/^tune \[1\/6\] \d+ s elapsed, ETA [^·]+ · itemknn \{"k":100,"shrink":10\}: p@10 \d\.\d{4} \(\d+\.\d s\)$/);
      expect(result.peakRssMB).toBeGreaterThan(10);
      // The file holds the best config (train --config reads it) and the whole leaderboard.
      const saved = JSON.parse(readFileSync(out, "utf8"));
      expect(saved.model).toBe(result.best.config.model);
      expect(saved.tune.complete).toBe(true);
      expect(saved.tune.leaderboard).toHaveLength(6);
      // Resumed: nothing is run again, the leaderboard is the same.
      const again = edgerecBoth(["tune", ...common, ...search, "--no-blend", "--json", "--resume", out]);
      expect(again.stderr.split("\n").filter((l) => l.startsWith("tune [")).every((l) => l.endsWith("resumed)"))).toBe(true);
      expect(JSON.parse(again.stdout.trim()).best.score).toBe(result.best.score);
      // Another seed is another validation split: refused, with how to fix it.
      expect(() => edgerec(["tune", ...common.slice(0, -4), "--seed", "3", "--validation-users", "all", ...search, "--no-blend", "--json", "--resume", out])).toThrow(/--resume: .* was tuned on other data or settings/);
      // Each family's best, scored by evaluate --on dev from its config: the leaderboard's number.
      for (const family of ["ease", "itemknn", "hybrid"]) {
        const row = result.leaderboard.find((t: { family: string }) => t.family === family);
        const config = join(dir, `${family}.json`);
        writeFileSync(config, JSON.stringify(row.config));
        const dev = JSON.parse(edgerec(["evaluate", ...common, "--on", "dev", "--config", config, "--json"]).trim());
        expect(dev.metrics["p@10"], family).toBe(row.score);
      }
      expect(() => edgerec(["tune", ...common, ...search, "--families", "ease,sasrec"])).toThrow(/--families: unknown family "sasrec"/);
    });
  });

  it("lists what a tiny --time-budget skipped, on stdout and in the --out file", () => {
    withRatingsFile("edgerec-tune-budget-", (file, dir) => {
      const out = join(dir, "best.json");
      const run = edgerecBoth(["tune", "--interactions", file, "--split", "random", "--min-rating", "4", "--trials", "40", "--max-epochs", "5000", "--eval-every", "1", "--patience", "1000", "--time-budget", "3", "--out", out]);
      expect(run.stdout).toContain("skipped:\n");
      // Successive halving starts many hybrids cheaply; the last one of a kind alone would run 5,000 epochs, validated after each:
      // the budget leaves some draws untried, or cuts them short at a rung or mid-fit.
      expect(run.stdout).toMatch(/hybrid: (\d+ of 40 configurations not tried|\d+ trials? stopped at a successive-halving rung) \(time budget\)|hybrid .*: stopped at epoch \d+ of 5000 by the time budget/);
      const saved = JSON.parse(readFileSync(out, "utf8"));
      expect(saved.tune.complete).toBe(true);
      expect(saved.tune.skipped.length).toBeGreaterThan(0);
      expect(saved.tune.seconds).toBeLessThan(3 + 3);
    });
  });
});
