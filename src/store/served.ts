/**
 * A decoded artifact plus the lookups and caches the routes need. Built once per version
 * per isolate; immutable afterwards, so a request holding one reference always sees one
 * consistent version.
 */
import { JsonWriter } from "../http/json-writer.ts";
import type { Catalog, Located } from "./catalog.ts";
import { IdIndex } from "./id-index.ts";
import type { UpgradedFromShards } from "./single-upgrade.ts";
import { type Artifact, type ArtifactHeader, NONE, safeImage, safeLink, stringAt, stringCountOf } from "../artifact/index.ts";

export class ServedArtifact implements Catalog {
  readonly layout = "single" as const;
  fetchMs = 0;
  /** Set when this version was first served from shards and swapped to this object (progressive loading). */
  upgradedFromShards: UpgradedFromShards | undefined;
  readonly header: ArtifactHeader;
  readonly version: string;
  readonly itemCount: number;
  readonly userCount: number;
  private readonly categoryByName = new Map<string, number>();
  private readonly categoryNames: string[] = [];
  private readonly titleCache = new Map<number, string>();
  private readonly fragments: FragmentArena;
  private itemIds: IdIndex | undefined;
  private userIds: IdIndex | undefined;
  private readonly fragmentWriter = new JsonWriter();

  constructor(
    readonly artifact: Artifact,
    readonly loadedAt: number,
    readonly decodeMs: number,
    readonly byteLength: number,
    /** Cap of the encoded-fragment cache (tests shrink it to exercise the full path). */
    fragmentArenaBytes = FragmentArena.MAX_ARENA_BYTES,
  ) {
    this.header = artifact.header;
    this.version = artifact.header.version;
    this.itemCount = artifact.header.counts.items;
    this.userCount = artifact.header.counts.users;
    this.fragments = new FragmentArena(this.itemCount, fragmentArenaBytes);
    const names = artifact.categories.names;
    for (let c = 0; c < stringCountOf(names); c++) {
      const name = stringAt(names, c);
      this.categoryNames.push(name);
      this.categoryByName.set(name.toLowerCase(), c);
    }
  }

  item(id: string): Located | null {
    const index = this.itemIndex(id);
    return index < 0 ? null : { served: this, index };
  }

  user(id: string): Located | null {
    const index = this.userIndex(id);
    return index < 0 ? null : { served: this, index };
  }

  popular(): ServedArtifact {
    return this;
  }

  /** Dense index of an item id, or -1. */
  itemIndex(id: string): number {
    if (id.length === 0 || id.length > 512) return -1;
    return (this.itemIds ??= new IdIndex(this.artifact.items.ids)).get(id);
  }

  userIndex(id: string): number {
    if (this.userCount === 0 || id.length === 0 || id.length > 512) return -1;
    return (this.userIds ??= new IdIndex(this.artifact.users.ids)).get(id);
  }

  /** Top-level category index by name (case-insensitive), or -1. */
  categoryIndex(name: string): number {
    return this.categoryByName.get(name.toLowerCase()) ?? -1;
  }

  categoryName(c: number): string | undefined {
    return c === NONE ? undefined : this.categoryNames[c];
  }

  categories(): readonly string[] {
    return this.categoryNames;
  }

  itemId(i: number): string {
    return stringAt(this.artifact.items.ids, i);
  }

  title(i: number): string {
    let t = this.titleCache.get(i);
    if (t === undefined) {
      t = stringAt(this.artifact.items.titles, i) || this.itemId(i);
      if (this.titleCache.size < 100_000) this.titleCache.set(i, t);
    }
    return t;
  }

  /** Appends `title(i)` as a JSON string, copied from the artifact's bytes (the id when the title is empty). */
  writeTitle(w: JsonWriter, i: number): void {
    const { titles, ids } = this.artifact.items;
    if (titles.offsets[i + 1] > titles.offsets[i]) w.tableString(titles, i);
    else w.tableString(ids, i);
  }

  /** Display metadata of item i as a plain object. */
  itemView(i: number): ItemView {
    const items = this.artifact.items;
    const price = items.prices[i];
    return {
      id: this.itemId(i),
      title: stringAt(items.titles, i),
      brand: stringAt(items.brands, i),
      price: Number.isFinite(price) ? roundPrice(price) : null,
      category: stringAt(items.categoryPaths, i),
      topCategory: this.categoryName(items.topCategory[i]) ?? null,
      image: safeImage(stringAt(items.imageUrls, i)),
      url: safeLink(stringAt(items.urls, i)),
      interactions: this.artifact.itemInteractions[i] ?? 0,
    };
  }

  /**
   * Appends item i's display metadata as JSON object members (no braces). The fragment is
   * encoded once from the artifact's UTF-8 tables and kept in an append-only arena, so a
   * popular item costs one copy instead of ~15 scattered reads (see FragmentArena).
   */
  writeItem(w: JsonWriter, i: number): void {
    const arena = this.fragments;
    let start = arena.start[i];
    if (start < 0) {
      if (arena.full) {
        this.writeItemFields(w, i);
        return;
      }
      const fragment = this.fragmentWriter.reset();
      this.writeItemFields(fragment, i);
      start = arena.add(i, fragment.view());
      if (start < 0) {
        w.bytes(fragment.view());
        return;
      }
    }
    w.slice(arena.bytes, start, arena.length[i]);
  }

  /** Writes item i's display metadata as JSON object members straight from the artifact's tables. */
  writeItemFields(w: JsonWriter, i: number): void {
    const items = this.artifact.items;
    const price = items.prices[i];
    const top = items.topCategory[i];
    w.ascii('"id":').tableString(items.ids, i);
    w.ascii(',"title":').tableString(items.titles, i);
    w.ascii(',"brand":').tableString(items.brands, i);
    w.ascii(',"price":').ascii(Number.isFinite(price) ? String(roundPrice(price)) : "null");
    w.ascii(',"category":').tableString(items.categoryPaths, i);
    w.ascii(',"topCategory":');
    if (top === NONE || top >= this.categoryNames.length) w.ascii("null");
    else w.tableString(this.artifact.categories.names, top);
    // Checked again here (safe-url.ts); the fragment is cached, so once per item.
    w.ascii(',"image":').string(safeImage(stringAt(items.imageUrls, i)));
    w.ascii(',"url":').string(safeLink(stringAt(items.urls, i)));
    w.ascii(',"interactions":').number(this.artifact.itemInteractions[i] ?? 0);
  }
}

export interface ItemView {
  id: string;
  title: string;
  brand: string;
  price: number | null;
  category: string;
  topCategory: string | null;
  image: string;
  url: string;
  interactions: number;
}

/** Prices are float32 in the artifact; show them as cents so 3.99 does not print 3.990000009536743. */
function roundPrice(p: number): number {
  return Math.round(p * 100) / 100;
}

/**
 * Encoded item fragments in one growable byte arena with per-item offsets: two reads per
 * cached item. Bounded (MAX_ARENA_BYTES): once full it keeps what it has and further items
 * are written straight from the tables (no churn; the set it holds is whatever was asked for
 * first, i.e. mostly the popular items, and a new version starts a new arena).
 */
class FragmentArena {
  // Bounded so an old and a new version (during a swap, or A/B) of a 100k-item catalogue
  // stay well inside an isolate's 128 MB next to their artifact bytes.
  static readonly MAX_ARENA_BYTES = 24 * 1024 * 1024;
  bytes: Uint8Array;
  used = 0;
  full = false;
  readonly start: Int32Array;
  readonly length: Int32Array;

  constructor(
    items: number,
    private readonly maxBytes: number,
  ) {
    this.bytes = new Uint8Array(Math.min(256 * 1024, maxBytes));
    this.start = new Int32Array(items).fill(-1);
    this.length = new Int32Array(items);
  }

  /** Stores a fragment and returns its offset, or -1 when the arena is full. */
  add(item: number, fragment: Uint8Array): number {
    if (this.used + fragment.length > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < this.used + fragment.length) size *= 2;
      // The last step is clamped to the cap (doubling 16 → 32 MiB past a 24 MiB cap would
      // otherwise stop the arena at 16 MiB, two thirds of what it may hold).
      size = Math.min(size, this.maxBytes);
      if (size < this.used + fragment.length) {
        this.full = true;
        return -1;
      }
      const grown = new Uint8Array(size);
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    const at = this.used;
    this.bytes.set(fragment, at);
    this.used += fragment.length;
    this.start[item] = at;
    this.length[item] = fragment.length;
    return at;
  }
}
