/** Writes stored-event objects in the R2 layout to a temp directory, as the queue consumer would. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { batchObjectKey, type StoredEvent } from "../../../src/artifact/index.ts";

export function eventDir(batches: { at: number; id: string; lines: (StoredEvent | string)[] }[]): string {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-events-"));
  for (const b of batches) {
    const file = join(dir, batchObjectKey(b.at, b.id));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, gzipSync(b.lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n"));
  }
  return dir;
}

export const stored = (id: string, over: Partial<StoredEvent>): StoredEvent => ({ id, type: "click", user: "u1", item: "A", ts: 0, receivedAt: 0, ...over });
