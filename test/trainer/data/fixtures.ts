import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** A temp directory for fixtures written by a test file; removed by `cleanup`. */
export function fixtureDir(): { dir: string; write(name: string, content: string | Buffer, opts?: { gzip?: boolean }): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-data-"));
  return {
    dir,
    write(name, content, opts = {}) {
      const p = join(dir, name);
      const buf = typeof content === "string" ? Buffer.from(content, "utf8") : content;
      writeFileSync(p, opts.gzip ? gzipSync(buf) : buf);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
