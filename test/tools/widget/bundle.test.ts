/** The committed bundles the worker serves must match their TypeScript source, and the widget its size budget. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bundleBrowserCode, WIDGET_GZIP_BUDGET_BYTES } from "../../../tools/widget/bundle.ts";

describe("browser bundles", async () => {
  const { widget, demo } = await bundleBrowserCode();

  for (const output of [widget, demo]) {
    it(`${output.path.split("/").pop()} is up to date with its source (run \`npm run build:widget\` if not)`, () => {
      expect(readFileSync(output.path, "utf8") === output.source, `stale ${output.path}: run npm run build:widget`).toBe(true);
    });
  }

  it(`widget.js is at most ${WIDGET_GZIP_BUDGET_BYTES} bytes gzipped`, () => {
    console.log(`widget.js: ${widget.rawBytes} B minified, ${widget.gzipBytes} B gzipped`);
    expect(widget.gzipBytes).toBeLessThanOrEqual(WIDGET_GZIP_BUDGET_BYTES);
  });

  it("widget.js is dependency-free: one self-contained module without imports", () => {
    expect(widget.source).not.toMatch(/\bimport\s*[{(*"']/);
  });
});
