/**
 * `npm start` shows wrangler dev's output through this filter: when a browser or curl closes its
 * connection before the answer is written (a tab closed, a widget request aborted), workerd prints
 * an ERROR with a native stack trace, ~5 lines, in red. That is harmless, so it becomes one dim line;
 * everything else passes through unchanged.
 */
import { Transform, type TransformCallback } from "node:stream";

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const DISCONNECT = /disconnected: .*\b(Broken pipe|Connection reset by peer)\b/;
export const QUIET_DISCONNECT_LINE = "\x1b[2m  · a client closed its connection before the answer was sent (harmless)\x1b[0m";

export class QuietDisconnects extends Transform {
  private partial = "";
  /** Inside a disconnect report: its stack line and blank lines are dropped. */
  private swallowing = false;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    const text = this.partial + chunk.toString();
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    const out: string[] = [];
    for (const line of lines) this.filterLine(line, out);
    if (out.length) this.push(out.map((l) => `${l}\n`).join(""));
    done();
  }

  override _flush(done: TransformCallback): void {
    const out: string[] = [];
    if (this.partial) this.filterLine(this.partial, out);
    if (out.length) this.push(out.join("\n") + "\n");
    done();
  }

  private filterLine(line: string, out: string[]): void {
    const plain = line.replace(ANSI, "");
    if (DISCONNECT.test(plain)) {
      out.push(QUIET_DISCONNECT_LINE);
      this.swallowing = true;
      return;
    }
    if (this.swallowing && (plain.trim() === "" || /^\s*stack:/.test(plain))) return;
    this.swallowing = false;
    out.push(line);
  }
}
