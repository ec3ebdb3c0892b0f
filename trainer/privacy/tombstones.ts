/**
 * Reads the forgotten-shopper tombstones (src/artifact/tombstone-keys.ts) for training and
 * purging: from wrangler's local KV (what `wrangler dev --local` and `edgerec forget --local`
 * use), from the account's KV through wrangler, or from an exported list file.
 *
 * A list file holds one shopper id per line (blank lines and `#` comments ignored), or the JSON
 * printed by `wrangler kv key list --prefix forget/` (an array of {name}), or a JSON array of ids.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FORGET_PREFIX, type Tombstone, tombstoneKey, userOfTombstoneKey } from "../../src/artifact/index.ts";
import { openLocalKv, wranglerKv } from "./kv-access.ts";

export type TombstoneSource = { kind: "file"; path: string } | { kind: "local"; persistTo?: string } | { kind: "remote"; config?: string };

export function parseTombstoneList(text: string, where: string): Set<string> {
  const trimmed = text.trim();
  const ids = new Set<string>();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new Error(`${where}: not valid JSON (${(err as Error).message}); expected one shopper id per line or a JSON array`);
    }
    (parsed as unknown[]).forEach((entry, i) => {
      const name = typeof entry === "string" ? entry : entry && typeof entry === "object" ? (entry as { name?: unknown }).name : undefined;
      if (typeof name !== "string" || name === "") throw new Error(`${where}: entry ${i} is neither an id nor a {"name": …} key`);
      // A key listing names tombstone keys; a plain array names ids.
      ids.add(typeof entry === "string" ? name : (userOfTombstoneKey(name) ?? name));
    });
    return ids;
  }
  for (const line of text.split(/\r?\n/)) {
    const id = line.trim();
    if (id && !id.startsWith("#")) ids.add(id);
  }
  return ids;
}

export async function readTombstones(source: TombstoneSource): Promise<Set<string>> {
  if (source.kind === "file") return parseTombstoneList(readFileSync(source.path, "utf8"), source.path);
  if (source.kind === "local") {
    // No local KV yet (a first `npm start`): nobody can have been forgotten there, and starting
    // Miniflare only to list an empty namespace would cost seconds.
    if (!existsSync(join(resolve(source.persistTo ?? ".wrangler/state"), "v3", "kv"))) return new Set();
    const kv = await openLocalKv(source.persistTo);
    try {
      const ids = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await kv.namespace.list({ prefix: FORGET_PREFIX, cursor });
        for (const k of page.keys) {
          const id = userOfTombstoneKey(k.name);
          if (id !== undefined) ids.add(id);
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return ids;
    } finally {
      await kv.dispose();
    }
  }
  const listed = await wranglerKv(["list", "--prefix", FORGET_PREFIX], source.config);
  return parseTombstoneList(listed, "wrangler kv key list");
}

/** Writes tombstones where the worker reads them. */
export async function writeTombstones(ids: readonly string[], target: Exclude<TombstoneSource, { kind: "file" }>, at = new Date()): Promise<void> {
  const value = JSON.stringify({ forgottenAt: at.toISOString() } satisfies Tombstone);
  if (target.kind === "local") {
    const kv = await openLocalKv(target.persistTo);
    try {
      for (const id of ids) await kv.namespace.put(tombstoneKey(id), value);
    } finally {
      await kv.dispose();
    }
    return;
  }
  for (const id of ids) await wranglerKv(["put", tombstoneKey(id), value], target.config);
}
