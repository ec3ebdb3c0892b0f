/**
 * A decoded artifact plus the lookups the routes need. Built once per version per isolate;
 * immutable afterwards, so a request holding one reference always sees one consistent version.
 * It hands out data (ids, titles, display metadata); writing it as JSON is the response
 * layer's work (src/http/item-json.ts, which caches encoded items per ServedArtifact).
 * It is a Catalog (catalog.ts) by shape: every lookup answers synchronously.
 */
import { IdIndex } from "./id-index.ts";
import { type Artifact, type ArtifactHeader, NONE, safeImage, safeLink, stringAt, stringCountOf } from "../artifact/index.ts";

/**
 * Default budget of the response layer's encoded-item cache for one single-object version.
 * Bounded so an old and a new version (during a swap, or A/B) of a 100k-item catalogue stay
 * well inside an isolate's 128 MB next to their artifact bytes.
 */
export const ITEM_CACHE_BYTES = 24 * 1024 * 1024;

/** An item or user located in the artifact (or shard) that holds it. */
export interface Located {
  served: ServedArtifact;
  index: number;
}

export class ServedArtifact {
  readonly layout = "single" as const;
  fetchMs = 0;
  readonly header: ArtifactHeader;
  readonly version: string;
  readonly itemCount: number;
  readonly userCount: number;
  private readonly categoryByName = new Map<string, number>();
  private readonly categoryNames: string[] = [];
  private readonly titleCache = new Map<number, string>();
  private itemIds: IdIndex | undefined;
  private userIds: IdIndex | undefined;

  constructor(
    readonly artifact: Artifact,
    readonly loadedAt: number,
    readonly decodeMs: number,
    readonly byteLength: number,
    /**
     * How many bytes of encoded items the response layer may cache for this artifact (a shard
     * gets a share of its own size; tests shrink it to exercise a full cache).
     */
    readonly itemCacheBytes = ITEM_CACHE_BYTES,
  ) {
    this.header = artifact.header;
    this.version = artifact.header.version;
    this.itemCount = artifact.header.counts.items;
    this.userCount = artifact.header.counts.users;
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

  /** Item i's price rounded to cents, or null when it has none. */
  price(i: number): number | null {
    const price = this.artifact.items.prices[i];
    return Number.isFinite(price) ? roundPrice(price) : null;
  }

  /** Display metadata of item i as a plain object. */
  itemView(i: number): ItemView {
    const items = this.artifact.items;
    return {
      id: this.itemId(i),
      title: stringAt(items.titles, i),
      brand: stringAt(items.brands, i),
      price: this.price(i),
      category: stringAt(items.categoryPaths, i),
      topCategory: this.categoryName(items.topCategory[i]) ?? null,
      image: safeImage(stringAt(items.imageUrls, i)),
      url: safeLink(stringAt(items.urls, i)),
      interactions: this.artifact.itemInteractions[i] ?? 0,
    };
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
