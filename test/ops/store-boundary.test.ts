import { readdirSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * src/store is storage, not HTTP: it imports nothing from the response side (src/http, src/routes)
 * and its files import each other without a circle (type imports included: a circle of types is
 * still a knot a reader has to untie).
 */
const STORE = "src/store";
const files = readdirSync(STORE).filter((f) => f.endsWith(".ts"));
const importsOf = (file: string): string[] =>
  [...readFileSync(join(STORE, file), "utf8").matchAll(/(?:import|export)\s[^'"]*?from\s*["'](\.[^'"]+)["']/g)].map((m) => normalize(join(STORE, m[1])));

describe("src/store", () => {
  it("imports nothing from src/http or src/routes, and never builds a problem", () => {
    for (const file of files) {
      const outward = importsOf(file).filter((p) => p.startsWith("src/http/") || p.startsWith("src/routes/"));
      expect(outward, file).toEqual([]);
      expect(readFileSync(join(STORE, file), "utf8"), file).not.toMatch(/ProblemError|JsonWriter/);
    }
  });

  it("has no import circle", () => {
    const graph = new Map(files.map((f) => [join(STORE, f), importsOf(f).filter((p) => p.startsWith(`${STORE}/`))]));
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (file: string): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") throw new Error(`import circle: ${[...path.slice(path.indexOf(file)), file].join(" → ")}`);
      state.set(file, "open");
      path.push(file);
      for (const next of graph.get(file) ?? []) visit(next);
      path.pop();
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file);
    expect(state.size).toBe(files.length);
  });
});
