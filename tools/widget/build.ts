/** `npm run build:widget`: regenerates src/site/generated/*.ts and enforces the widget's size budget. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { bundleBrowserCode, WIDGET_GZIP_BUDGET_BYTES } from "./bundle.ts";

const { widget, demo } = await bundleBrowserCode();
for (const output of [widget, demo]) {
  mkdirSync(dirname(output.path), { recursive: true });
  writeFileSync(output.path, output.source);
}
const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
console.log(`widget.js  ${kb(widget.rawBytes)} minified, ${kb(widget.gzipBytes)} gzipped (budget ${kb(WIDGET_GZIP_BUDGET_BYTES)})`);
console.log(`demo.js    ${kb(demo.rawBytes)} minified, ${kb(demo.gzipBytes)} gzipped`);
if (widget.gzipBytes > WIDGET_GZIP_BUDGET_BYTES) {
  console.error(`widget.js is over its size budget by ${widget.gzipBytes - WIDGET_GZIP_BUDGET_BYTES} bytes gzipped: trim src/widget/ before committing`);
  process.exit(1);
}
