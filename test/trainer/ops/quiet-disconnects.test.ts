/**
 * `npm start`'s filter over wrangler dev's output: workerd's report of a client that hung up
 * (red ERROR + native stack, ~5 lines) becomes one dim line; other output passes unchanged.
 * The report below is workerd's own text as wrangler 4.86.0 prints it (install path shortened).
 */
import { describe, expect, it } from "vitest";
import { QUIET_DISCONNECT_LINE, QuietDisconnects } from "../../../trainer/ops/quiet-disconnects.ts";

const STACK = "  stack: node_modules/@cloudflare/workerd-linux-64/bin/workerd@51faac1 node_modules/@cloudflare/workerd-linux-64/bin/workerd@51fb771";
const report = (cause: string) =>
  `\x1b[31m✘ \x1b[41;31m[\x1b[41;97mERROR\x1b[41;31m]\x1b[0m \x1b[1mkj::getCaughtExceptionAsKj() = kj/async-io-unix.c++:186: disconnected: ::write(fd, buffer.begin(), buffer.size()): ${cause}\x1b[0m\n\n${STACK}\n\n\n`;

async function filter(chunks: string[]): Promise<string> {
  const f = new QuietDisconnects();
  let out = "";
  f.on("data", (d: Buffer) => (out += d.toString()));
  const ended = new Promise((r) => f.on("end", r));
  for (const c of chunks) f.write(c);
  f.end();
  await ended;
  return out;
}

describe("QuietDisconnects", () => {
  it("turns each aborted-request report into one quiet line and keeps everything else", async () => {
    const raw = `ready on http://127.0.0.1:8787\n${report("Broken pipe")}${report("Connection reset by peer")}[wrangler] a real warning\n  stack: of a real error stays\n`;
    const out = await filter([raw]);
    expect(out).toBe(`ready on http://127.0.0.1:8787\n${QUIET_DISCONNECT_LINE}\n${QUIET_DISCONNECT_LINE}\n[wrangler] a real warning\n  stack: of a real error stays\n`);
  });

  it("works when wrangler's output arrives split at any byte", async () => {
    const raw = `${report("Broken pipe")}Listening\n`;
    for (const cut of [1, 7, 40, 130, raw.length - 3]) {
      expect(await filter([raw.slice(0, cut), raw.slice(cut)])).toBe(`${QUIET_DISCONNECT_LINE}\nListening\n`);
    }
  });
});
