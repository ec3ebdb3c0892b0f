/**
 * A served artifact's items as JSON, written straight from its UTF-8 string tables (see
 * JsonWriter). Each item's display fields are encoded once per artifact and kept in a bounded
 * arena (FragmentArena, sized by the artifact's itemCacheBytes), so a popular item costs one copy
 * instead of ~15 scattered reads. The cache belongs to the artifact it was built from and goes
 * with it: a new version, or an evicted shard, starts afresh.
 */
import { NONE, safeImage, safeLink, stringAt } from "../artifact/index.ts";
import type { ServedArtifact } from "../store/served.ts";
import { FragmentArena } from "./fragment-arena.ts";
import { JsonWriter } from "./json-writer.ts";

/** Encodes fragments before they are copied into an arena (requests build bodies one at a time). */
const scratch = new JsonWriter();

export class ItemJson {
  private static readonly byArtifact = new WeakMap<ServedArtifact, ItemJson>();

  /** The encoder (and its cache) of `served`'s items; look it up once per list, not per item. */
  static of(served: ServedArtifact): ItemJson {
    let out = ItemJson.byArtifact.get(served);
    if (!out) {
      out = new ItemJson(served);
      ItemJson.byArtifact.set(served, out);
    }
    return out;
  }

  private readonly fragments: FragmentArena;
  private readonly categoryCount: number;

  private constructor(readonly served: ServedArtifact) {
    this.fragments = new FragmentArena(served.itemCount, served.itemCacheBytes);
    this.categoryCount = served.categories().length;
  }

  /** Appends item i's display metadata as JSON object members (no braces), from the cache when it can. */
  write(w: JsonWriter, i: number): void {
    const arena = this.fragments;
    let start = arena.start[i];
    if (start < 0) {
      if (arena.full) {
        this.writeFields(w, i);
        return;
      }
      const fragment = scratch.reset();
      this.writeFields(fragment, i);
      start = arena.add(i, fragment.view());
      if (start < 0) {
        w.bytes(fragment.view());
        return;
      }
    }
    w.slice(arena.bytes, start, arena.length[i]);
  }

  /** Writes item i's display metadata as JSON object members straight from the artifact's tables (the shape of ServedArtifact.itemView). */
  writeFields(w: JsonWriter, i: number): void {
    const served = this.served;
    const items = served.artifact.items;
    const price = served.price(i);
    const top = items.topCategory[i];
    w.ascii('"id":').tableString(items.ids, i);
    w.ascii(',"title":').tableString(items.titles, i);
    w.ascii(',"brand":').tableString(items.brands, i);
    w.ascii(',"price":').ascii(price === null ? "null" : String(price));
    w.ascii(',"category":').tableString(items.categoryPaths, i);
    w.ascii(',"topCategory":');
    if (top === NONE || top >= this.categoryCount) w.ascii("null");
    else w.tableString(served.artifact.categories.names, top);
    // Checked again here (safe-url.ts); the fragment is cached, so once per item.
    w.ascii(',"image":').string(safeImage(stringAt(items.imageUrls, i)));
    w.ascii(',"url":').string(safeLink(stringAt(items.urls, i)));
    w.ascii(',"interactions":').number(served.artifact.itemInteractions[i] ?? 0);
  }
}

/** Appends item i's title as a JSON string, copied from the artifact's bytes (the id when the title is empty). */
export function writeTitle(w: JsonWriter, served: ServedArtifact, i: number): void {
  const { titles, ids } = served.artifact.items;
  if (titles.offsets[i + 1] > titles.offsets[i]) w.tableString(titles, i);
  else w.tableString(ids, i);
}
