import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Tests mirror the source: test/<runtime>/<the code's own folders>/, so the tests of src/store/ are in
 * test/worker/store/ and those of trainer/model/ in test/trainer/model/. A test file in a folder the code
 * does not have (test/worker/fuzz/, test/trainer/hybrid/) fails here, naming the file.
 */

/** The code folders each mirroring runtime follows. */
const MIRRORS: Record<string, string[]> = {
  worker: ["src"], // inside workerd (vitest project "worker")
  browser: ["src", "trainer"], // in Chromium: the widget, the demo and the site routes (src/), and the trainer's HTML report
  trainer: ["trainer"], // Node, in-process
  bench: ["bench"], // Node, in-process: the benchmark libraries
  tools: ["tools"], // Node, in-process: build tooling
};

/** Runtimes that mirror no code folder: their tests sit directly in test/<runtime>/. */
const FLAT: Record<string, string> = {
  ops: "end to end through the CLI, npm scripts and wrangler dev processes, and checks of the repository itself (docs, workflows, import rules)",
  load: "wrangler dev under sustained load, one process per file",
};

/** Folders of a runtime that hold helpers only, never tests. */
const HELPERS = "support";

/** Why a test file (a path under test/, with forward slashes) is out of place, or undefined when it is in place. */
function misplaced(path: string, folderExists: (dir: string) => boolean): string | undefined {
  const [top, runtime, ...rest] = path.split("/");
  if (top !== "test" || rest.length === 0) return "a test sits in test/<runtime>/";
  const folders = rest.slice(0, -1);
  if (folders.includes(HELPERS)) return `${HELPERS}/ folders hold helpers, not tests`;
  if (runtime in FLAT) return folders.length === 0 ? undefined : `test/${runtime}/ is flat (${FLAT[runtime]})`;
  const roots = MIRRORS[runtime];
  if (!roots) return `test/${runtime}/ is no runtime: use one of ${[...Object.keys(MIRRORS), ...Object.keys(FLAT)].join(", ")}`;
  if (roots.some((root) => folderExists([root, ...folders].join("/")))) return undefined;
  return `no folder ${roots.map((root) => [root, ...folders].join("/") + "/").join(" or ")} for it to mirror`;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(path).isDirectory()) return testFiles(path);
    return /\.test\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

const isFolder = (dir: string) => existsSync(dir) && statSync(dir).isDirectory();

describe("test layout", () => {
  it("every test file sits in test/<runtime>/ under the folders of the code it tests", () => {
    const files = testFiles("test");
    expect(files.length).toBeGreaterThan(100);
    const wrong = files.map((f) => ({ f, why: misplaced(f, isFolder) })).filter((w) => w.why).map((w) => `${w.f}: ${w.why}`);
    expect(wrong).toEqual([]);
  });

  it("names what is out of place", () => {
    const folders = new Set(["src", "src/store", "trainer", "trainer/model", "bench", "bench/lib"]);
    const exists = (dir: string) => folders.has(dir);
    expect(misplaced("test/worker/store/sharded.test.ts", exists)).toBeUndefined();
    expect(misplaced("test/worker/app.test.ts", exists)).toBeUndefined();
    expect(misplaced("test/trainer/model/ials.test.ts", exists)).toBeUndefined();
    expect(misplaced("test/bench/lib/protocols.test.ts", exists)).toBeUndefined();
    expect(misplaced("test/ops/start.test.ts", exists)).toBeUndefined();
    expect(misplaced("test/worker/fuzz/bodies.fuzz.test.ts", exists)).toBe("no folder src/fuzz/ for it to mirror");
    expect(misplaced("test/trainer/hybrid/warp.test.ts", exists)).toBe("no folder trainer/hybrid/ for it to mirror");
    expect(misplaced("test/worker/support/helpers.test.ts", exists)).toMatch(/helpers, not tests/);
    expect(misplaced("test/ops/deploy/queues.test.ts", exists)).toMatch(/^test\/ops\/ is flat/);
    expect(misplaced("test/unit/x.test.ts", exists)).toMatch(/^test\/unit\/ is no runtime/);
    expect(misplaced("test/x.test.ts", exists)).toMatch(/test\/<runtime>/);
  });

  it("every runtime named here has tests, and every mirrored code root exists", () => {
    for (const runtime of [...Object.keys(MIRRORS), ...Object.keys(FLAT)]) expect(testFiles(join("test", runtime)).length, runtime).toBeGreaterThan(0);
    for (const root of Object.values(MIRRORS).flat()) expect(isFolder(root), root).toBe(true);
  });
});
