/**
 * A decoded artifact plus the lookups and caches the routes need. Built once per version
 * per isolate; immutable afterwards, so a request holding one reference always sees one
 * consistent version.
 */
import { type Artifact, NONE, indexOfString, stringAt, stringCountOf } from "../artifact/format.ts";

export class ServedArtifact {
  readonly version: string;
  readonly itemCount: number;
  readonly userCount: number;
  /** JSON of `"version":"…"` — pasted into every response without re-stringifying. */
  readonly versionJson: string;
  private readonly itemJsonCache: (string | undefined)[];
  private readonly categoryByName = new Map<string, number>();
  private readonly categoryNames: string[] = [];
  private readonly titleCache = new Map<number, string>();
  private readonly reasonCache = new Map<string, string>();

  constructor(
    readonly artifact: Artifact,
    readonly loadedAt: number,
    readonly decodeMs: number,
    readonly byteLength: number,
  ) {
    this.version = artifact.header.version;
    this.versionJson = JSON.stringify(this.version);
    this.itemCount = artifact.header.counts.items;
    this.userCount = artifact.header.counts.users;
    this.itemJsonCache = new Array(this.itemCount);
    const names = artifact.categories.names;
    for (let c = 0; c < stringCountOf(names); c++) {
      const name = stringAt(names, c);
      this.categoryNames.push(name);
      this.categoryByName.set(name.toLowerCase(), c);
    }
  }

  /** Dense index of an item id, or -1. */
  itemIndex(id: string): number {
    return id.length > 0 && id.length <= 512 ? indexOfString(this.artifact.items.ids, id) : -1;
  }

  userIndex(id: string): number {
    if (this.userCount === 0 || id.length === 0 || id.length > 512) return -1;
    return indexOfString(this.artifact.users.ids, id);
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

  /** Display metadata of item i as a plain object. */
  item(i: number): ItemView {
    const items = this.artifact.items;
    const price = items.prices[i];
    return {
      id: this.itemId(i),
      title: stringAt(items.titles, i),
      brand: stringAt(items.brands, i),
      price: Number.isFinite(price) ? roundPrice(price) : null,
      category: stringAt(items.categoryPaths, i),
      topCategory: this.categoryName(items.topCategory[i]) ?? null,
      image: stringAt(items.imageUrls, i),
      url: stringAt(items.urls, i),
      interactions: this.artifact.itemInteractions[i] ?? 0,
    };
  }

  /** A reason string as JSON, cached: the same few hundred reasons repeat across requests. */
  reasonJson(reason: string): string {
    let json = this.reasonCache.get(reason);
    if (json === undefined) {
      json = JSON.stringify(reason);
      if (this.reasonCache.size > 50_000) this.reasonCache.clear();
      this.reasonCache.set(reason, json);
    }
    return json;
  }

  /**
   * Item i's display metadata as a JSON object *without its closing brace*, cached, so a
   * recommendation is `itemJsonOpen(i) + ',"score":…,"reason":…}'` — no per-request
   * stringification of metadata.
   */
  itemJsonOpen(i: number): string {
    let json = this.itemJsonCache[i];
    if (json === undefined) {
      const full = JSON.stringify(this.item(i));
      json = full.slice(0, -1);
      this.itemJsonCache[i] = json;
    }
    return json;
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
