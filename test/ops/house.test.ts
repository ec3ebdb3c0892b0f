/**
 * The house rules about where code may import from, checked on the import graph the compiler
 * sees (test/support/import-graph.ts). Each rule is its own test, so a failure names exactly the
 * rule broken and the files that break it.
 */
import { builtinModules } from "node:module";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { folderGraph, importCircles, type ImportGraph, readImportGraph, tsFilesUnder } from "../support/import-graph.ts";

const ROOT = resolve(import.meta.dirname, "../..");
/** The projects `npm run typecheck` checks: the worker side and the Node side. */
const PROJECTS = ["tsconfig.json", "trainer/tsconfig.json"];

let graph: ImportGraph;
beforeAll(() => {
  graph = readImportGraph(ROOT, PROJECTS);
}, 120_000);

const under = (dir: string) => [...graph.edges.keys()].filter((f) => f.startsWith(`${dir}/`));
const importsInto = (fromDir: string, intoDirs: string[]) =>
  under(fromDir).flatMap((file) => [...graph.edges.get(file)!].filter((t) => intoDirs.some((d) => t.startsWith(`${d}/`))).map((t) => `${file} -> ${t}`));
const NODE_BUILTINS = new Set(builtinModules);
const isNodeOnly = (spec: string) => spec.startsWith("node:") || NODE_BUILTINS.has(spec.split("/")[0]) || spec === "esbuild" || spec.startsWith("esbuild/");

describe("house rules on the import graph", () => {
  it("every .ts file under src/, trainer/, bench/ and tools/ is type-checked, so the rules below see it", () => {
    const missing = ["src", "trainer", "bench", "tools"].flatMap((dir) => tsFilesUnder(ROOT, dir)).filter((f) => !graph.edges.has(f));
    expect(missing, `not in any of ${PROJECTS.join(", ")}: add them to a tsconfig's include`).toEqual([]);
  });

  it("src/ has no import circles", () => {
    expect(importCircles(graph.edges, under("src"))).toEqual([]);
  });

  it("trainer/ has no import circles", () => {
    expect(importCircles(graph.edges, under("trainer"))).toEqual([]);
  });

  it("trainer/'s folders import each other one way only (no circle between folders either)", () => {
    const folders = folderGraph(graph.edges, "trainer");
    const edges = new Map([...folders].map(([from, to]) => [from, new Set(to.keys())]));
    const circles = importCircles(edges, new Set([...edges.keys(), ...[...edges.values()].flatMap((t) => [...t])]));
    // Each circle with the file imports that close it, so the failure says what to move.
    const explained = circles.map((circle) => ({
      circle,
      imports: circle.flatMap((from) => circle.flatMap((to) => folders.get(from)?.get(to) ?? [])),
    }));
    expect(explained).toEqual([]);
  });

  it("bench/ and tools/ have no import circles", () => {
    expect(importCircles(graph.edges, [...under("bench"), ...under("tools")])).toEqual([]);
  });

  it("bench/ imports nothing from test/", () => {
    expect(importsInto("bench", ["test"])).toEqual([]);
  });

  it("tools/ imports nothing from bench/ or test/", () => {
    expect(importsInto("tools", ["bench", "test"])).toEqual([]);
  });

  it("src/ never imports trainer/, bench/, tools/ or test/", () => {
    expect(importsInto("src", ["trainer", "bench", "tools", "test"])).toEqual([]);
  });

  it("src/ holds no Node-only import (node:*, Node built-ins, esbuild), nor an import() the graph cannot read", () => {
    const nodeOnly = under("src").flatMap((file) => graph.specifiers.get(file)!.filter(isNodeOnly).map((spec) => `${file} imports ${spec}`));
    // A computed specifier (`import(name)`, `import("node:fs" as string)`) hides what it loads from this check.
    const computed = under("src").flatMap((file) =>
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .flatMap((line, i) => (/\bimport\((?!\s*(["'])[^"'`]*\1\s*\))/.test(line) ? [`${file}:${i + 1} computed import(): ${line.trim()}`] : [])),
    );
    // Declaring Node's `process` by hand is how build tooling once type-checked under src/.
    const declared = under("src").filter((file) => /\bdeclare\s+(const|var|let)\s+process\b/.test(readFileSync(join(ROOT, file), "utf8"))).map((file) => `${file} declares process (Node's global)`);
    expect([...nodeOnly, ...computed, ...declared]).toEqual([]);
  });

  it("src/store is storage: it imports nothing from src/http or src/routes and never builds a problem or JSON", () => {
    expect(importsInto("src/store", ["src/http", "src/routes"])).toEqual([]);
    const http = under("src/store").filter((file) => /ProblemError|JsonWriter/.test(readFileSync(join(ROOT, file), "utf8")));
    expect(http).toEqual([]);
  });
});

describe("the import-graph reader", () => {
  it("follows import type, export … from, import() and extensionless specifiers, and finds the circle they make", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgerec-import-graph-"));
    try {
      const compilerOptions = { target: "ES2022", module: "ESNext", moduleResolution: "Bundler", allowImportingTsExtensions: true, noEmit: true, strict: true };
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["*.ts"] }));
      writeFileSync(join(dir, "a.ts"), 'import type { B } from "./b.ts";\nexport type A = B;\n');
      writeFileSync(join(dir, "b.ts"), 'export * from "./c.ts";\nexport type B = number;\n');
      writeFileSync(join(dir, "c.ts"), 'export async function load() {\n  return import("./a.ts");\n}\n');
      writeFileSync(join(dir, "lone.ts"), 'import { load } from "./c";\nimport { readFileSync } from "node:fs";\nexport const run = () => [load, readFileSync];\n');
      const read = readImportGraph(dir, ["tsconfig.json"]);
      expect([...read.edges.get("lone.ts")!]).toEqual(["c.ts"]);
      expect(read.specifiers.get("lone.ts")).toEqual(["./c", "node:fs"]);
      expect(importCircles(read.edges, read.edges.keys())).toEqual([["a.ts", "b.ts", "c.ts"]]);
      // Without the dynamic import there is no circle left.
      writeFileSync(join(dir, "c.ts"), "export async function load() {\n  return 1;\n}\n");
      expect(importCircles(readImportGraph(dir, ["tsconfig.json"]).edges, ["a.ts", "b.ts", "c.ts", "lone.ts"])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("groups file imports into folder imports, where two folders importing each other make a circle", () => {
    const edges = new Map([
      ["t/data/read.ts", new Set(["t/events/source.ts", "t/data/types.ts"])],
      ["t/events/source.ts", new Set(["t/data/types.ts"])],
      ["t/data/types.ts", new Set<string>()],
      ["t/main.ts", new Set(["t/data/read.ts"])],
    ]);
    const folders = folderGraph(edges, "t");
    expect([...folders.get("t/data/")!.keys()]).toEqual(["t/events/"]);
    expect(folders.get("t/main.ts")!.get("t/data/")).toEqual(["t/main.ts -> t/data/read.ts"]);
    const asSets = new Map([...folders].map(([from, to]) => [from, new Set(to.keys())]));
    expect(importCircles(asSets, ["t/data/", "t/events/", "t/main.ts"])).toEqual([["t/data/", "t/events/"]]);
  });

  it("reports a file importing itself as a circle", () => {
    const edges = new Map([
      ["x.ts", new Set(["x.ts"])],
      ["y.ts", new Set<string>()],
    ]);
    expect(importCircles(edges, edges.keys())).toEqual([["x.ts"]]);
  });
});
