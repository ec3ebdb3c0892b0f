import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `src/` is code for two runtimes: the worker (workerd) and the browser (the widget and the demo,
 * bundled by tools/widget). That nothing there needs Node is a house rule on the import graph
 * (test/ops/house.test.ts). Here: the browser folders stay a room of their own. Their code pulls in
 * no worker code (a type import is erased from the bundle, so the demo may name the worker's
 * response types), and no worker file imports them (the worker serves their bundles from
 * src/site/generated/). The graph the compiler gives does not say which imports are type-only, so
 * this reads the import lines itself.
 */
const BROWSER_ROOMS = ["widget", "demo", "browser-shared"];

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** Static imports and re-exports at the start of a line, side-effect imports, and dynamic import("…"). */
function importsOf(source: string): Import[] {
  const found: Import[] = [];
  for (const m of source.matchAll(/^\s*(import|export)(\s+type)?\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/gm)) {
    found.push({ specifier: m[3], typeOnly: m[2] !== undefined });
  }
  for (const m of source.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) found.push({ specifier: m[1], typeOnly: false });
  for (const m of source.matchAll(/\bimport\(\s*["']([^"']+)["']/g)) found.push({ specifier: m[1], typeOnly: false });
  return found;
}

/** Every .ts file under src/, except the generated bundles (a JavaScript string each; test/tools/widget/bundle.test.ts checks them). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const files = sourceFiles("src").map((path) => ({ path, text: readFileSync(path, "utf8") }));
/** The first folder under src/ a path lies in ("" for src/ itself, undefined outside src/). */
const folderOf = (path: string): string | undefined => {
  const rel = relative("src", path);
  if (rel.startsWith("..")) return undefined;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0] : "";
};
const edges = files.flatMap(({ path, text }) =>
  importsOf(text)
    .filter((i) => i.specifier.startsWith("."))
    .map((i) => ({ from: path, to: resolve(dirname(path), i.specifier), typeOnly: i.typeOnly })),
);
const isBrowser = (folder: string | undefined) => folder !== undefined && BROWSER_ROOMS.includes(folder);

describe("src/ holds worker and browser code only", () => {
  it("the scanner sees every import and whether it is type-only", () => {
    const sample = 'import { build } from "esbuild";\nimport type { Stats } from "../site/x.ts";\nconst fs = await import("./y.ts");\nexport { x } from "./x.ts";';
    expect(importsOf(sample)).toEqual([
      { specifier: "esbuild", typeOnly: false },
      { specifier: "../site/x.ts", typeOnly: true },
      { specifier: "./x.ts", typeOnly: false },
      { specifier: "./y.ts", typeOnly: false },
    ]);
    expect(importsOf('import {\n  a,\n  type B,\n} from "../site/model-card.ts";')).toEqual([{ specifier: "../site/model-card.ts", typeOnly: false }]);
  });

  it("scans the whole tree, the browser rooms included", () => {
    expect(files.length).toBeGreaterThan(100);
    for (const room of BROWSER_ROOMS) expect(files.some((f) => folderOf(f.path) === room), `src/${room}`).toBe(true);
  });

  it("browser code imports worker code for its types only, and worker code never imports browser code", () => {
    const crossing = edges.filter((e) => {
      const from = folderOf(e.from);
      const to = folderOf(e.to);
      if (to === undefined) return false;
      return isBrowser(from) ? !isBrowser(to) && !e.typeOnly : isBrowser(to);
    });
    expect(crossing.map((e) => `${e.from} → ${relative(".", e.to)}${e.typeOnly ? " (type)" : ""}`)).toEqual([]);
  });
});
