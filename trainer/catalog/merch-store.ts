/** The overlay and rules documents in KV, read and written by the CLI (the same keys the worker reads). */
import {
  type ItemWrite,
  MERCH_HEAD_KEY,
  type MerchHead,
  mergeChanges,
  OVERLAY_KEY,
  type OverlayDocument,
  readOverlay,
  readRules,
  RULES_FORMAT,
  RULES_KEY,
  type RulesDocument,
  type RulesInput,
} from "../../src/artifact/index.ts";
import type { ObjectStore } from "../artifact/object-store.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

async function text(store: ObjectStore, key: string): Promise<string | null> {
  const bytes = await store.get(key);
  return bytes ? decoder.decode(bytes) : null;
}

export async function loadOverlay(store: ObjectStore): Promise<OverlayDocument> {
  return readOverlay(await text(store, OVERLAY_KEY));
}

export async function loadRules(store: ObjectStore): Promise<RulesDocument> {
  return readRules(await text(store, RULES_KEY));
}

async function bumpHead(store: ObjectStore, mine: Partial<MerchHead>): Promise<void> {
  const raw = await text(store, MERCH_HEAD_KEY);
  const head: MerchHead = raw ? (JSON.parse(raw) as MerchHead) : { overlay: 0, rules: 0 };
  const next = { overlay: Math.max(head.overlay, mine.overlay ?? 0), rules: Math.max(head.rules, mine.rules ?? 0) };
  await store.put(MERCH_HEAD_KEY, encoder.encode(JSON.stringify(next)));
}

/** Merges `writes` into the stored overlay (one new version) and moves the head so isolates pick it up. */
export async function pushChanges(store: ObjectStore, writes: readonly ItemWrite[], now = new Date()): Promise<OverlayDocument> {
  const next = mergeChanges(await loadOverlay(store), writes, now.toISOString());
  await store.put(OVERLAY_KEY, encoder.encode(JSON.stringify(next)));
  await bumpHead(store, { overlay: next.version });
  return next;
}

export async function storeRules(store: ObjectStore, rules: RulesInput, now = new Date()): Promise<RulesDocument> {
  const previous = await loadRules(store);
  const doc: RulesDocument = { format: RULES_FORMAT, version: previous.version + 1, updatedAt: now.toISOString(), ...rules };
  await store.put(RULES_KEY, encoder.encode(JSON.stringify(doc)));
  await bumpHead(store, { rules: doc.version });
  return doc;
}
