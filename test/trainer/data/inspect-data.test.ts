import { execFileSync, spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureDir } from "./fixtures.ts";

const repo = resolve(import.meta.dirname, "..", "..", "..");
const fx = fixtureDir();
afterAll(() => fx.cleanup());

const edgerec = (args: string[]) => execFileSync(process.execPath, ["--import", "tsx", join(repo, "trainer/cli/main.ts"), ...args], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("edgerec inspect-data", () => {
  it("prints which columns it mapped to user, item, rating and time", () => {
    const file = fx.write("mapped.csv", "timestamp,item_id,user,rating\n1500000000,i1,u1,4\n1500000001,i1,u2,5\n");
    // The read report (with its notes) goes to stderr, the summary to stdout.
    const run = spawnSync(process.execPath, ["--import", "tsx", join(repo, "trainer/cli/main.ts"), "inspect-data", "--interactions", file], { cwd: repo, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stderr + run.stdout).toContain('columns: user ← "user" (#2), item ← "item_id" (#1), rating ← "rating" (#3), time ← "timestamp" (#0)');
    const noHeader = fx.write("mapped.tsv", "7\t9\t881250949\n8\t9\t881250950\n");
    const json = JSON.parse(edgerec(["inspect-data", "--interactions", noHeader, "--json"]));
    expect(json.reports[0].notes).toContain("columns: user ← #0, item ← #1, rating ← none, time ← #2");
  });
});
