/** `npm run build:widget`: regenerates src/widget/generated/*.ts and enforces the widget's size budget. */
import { bundleBrowserCode, WIDGET_GZIP_BUDGET_BYTES } from "./bundle.ts";

// This script runs in Node but sits under src/, whose type check has Workers types and no Node
// types; the two Node APIs it needs are declared here rather than added to the worker's globals.
declare const process: { exit(code: number): never };
interface NodeFs {
  mkdirSync(path: string, options: { recursive: boolean }): void;
  writeFileSync(path: string, data: string): void;
}
const { mkdirSync, writeFileSync } = (await import("node:fs" as string)) as NodeFs;
const dirname = (path: string) => path.slice(0, path.lastIndexOf("/"));

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
