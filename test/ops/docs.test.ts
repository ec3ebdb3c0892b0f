import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The README stays a short front door, and every fact it points to lives in one file under docs/:
 * links resolve, CI runs exactly the README's commands, and nothing refers to files outside the repository.
 */
const readme = readFileSync("README.md", "utf8");
const docs = readdirSync("docs")
  .filter((f) => f.endsWith(".md"))
  .map((f) => ({ path: join("docs", f), text: readFileSync(join("docs", f), "utf8") }));
const pages = [{ path: "README.md", text: readme }, ...docs];

/** Relative link targets of a markdown page, without their #fragment. */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((href) => !/^[a-z]+:/i.test(href) && !href.startsWith("#")).map((href) => href.split("#")[0]);
}

describe("README and docs/", () => {
  it("README is at most 12,000 bytes", () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12_000);
  });

  it("every relative link in README.md and docs/ names a file in the repository", () => {
    const broken = pages.flatMap(({ path, text }) => relativeLinks(text).filter((href) => !existsSync(resolve(dirname(path), href))).map((href) => `${path} → ${href}`));
    expect(broken).toEqual([]);
    expect(relativeLinks(readme).length).toBeGreaterThan(8);
  });

  it("the link check sees a broken link (so a pass means something)", () => {
    expect(relativeLinks("see [x](docs/nope.md#a) and [y](https://example.com)")).toEqual(["docs/nope.md"]);
  });

  it("links every page under docs/ from the README", () => {
    const linked = new Set(relativeLinks(readme));
    expect(docs.map((d) => d.path).filter((p) => !linked.has(p))).toEqual([]);
  });

  it(".ci/run runs exactly the README's install and test commands", () => {
    const quickStart = /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("## Quick start")))?.[1] ?? "";
    const commands = quickStart.split("\n").flatMap((line) => line.replace(/#.*$/, "").split("&&")).map((c) => c.trim()).filter(Boolean);
    expect(commands).toEqual(["npm ci", "npm start", "npm test"]);
    const ciCommands = readFileSync(".ci/run", "utf8").split("\n").map((l) => l.trim()).filter((l) => /^npm /.test(l));
    expect(ciCommands).toEqual(["npm ci", "npm test"]);
  });

  it("refers to nothing outside the repository", () => {
    const outside = /ANCHORS\.md|\.\.\/shared|\/work\/|\bissue \d+/i;
    expect(pages.filter(({ text }) => outside.test(text)).map(({ path, text }) => `${path}: ${outside.exec(text)![0]}`)).toEqual([]);
  });
});
