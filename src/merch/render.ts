/**
 * Writes a listed item whose display fields the overlay changed (or a new product) as JSON
 * object members, in the same shape as ItemJson.writeFields (http/item-json.ts).
 */
import { NONE } from "../artifact/index.ts";
import { JsonWriter } from "../http/json-writer.ts";
import type { ItemView } from "../store/served.ts";
import type { MerchView } from "./view.ts";

function price(p: number | null | undefined): string {
  return typeof p === "number" && Number.isFinite(p) ? String(Math.round(p * 100) / 100) : "null";
}

const scratch = new JsonWriter();

/** Writes the item's members, encoded once per view and then copied (like ItemJson's fragment arena). */
export function writeOverlayItem(w: JsonWriter, view: MerchView, index: number): void {
  let fragment = view.fragments.get(index);
  if (!fragment) {
    const f = scratch.reset();
    writeOverlayFields(f, view, index);
    fragment = f.view().slice();
    view.fragments.set(index, fragment);
  }
  w.bytes(fragment);
}

function writeOverlayFields(w: JsonWriter, view: MerchView, index: number): void {
  const v = overlayItemView(view, index);
  w.ascii('"id":').string(v.id);
  w.ascii(',"title":').string(v.title);
  w.ascii(',"brand":').string(v.brand);
  w.ascii(',"price":').ascii(price(v.price));
  w.ascii(',"category":').string(v.category);
  w.ascii(',"topCategory":');
  if (v.topCategory === null) w.ascii("null");
  else w.string(v.topCategory);
  w.ascii(',"image":').string(v.image);
  w.ascii(',"url":').string(v.url);
  w.ascii(',"interactions":').number(v.interactions);
}

/** The item as the artifact has it with the overlay's fields on top (a new product: the overlay alone). */
export function overlayItemView(view: MerchView, index: number): ItemView {
  const e = view.entryFor(index);
  if (index >= view.n) {
    const entry = e!;
    return {
      id: view.state.ids[index - view.n],
      title: entry.title ?? "",
      brand: entry.brand ?? "",
      price: typeof entry.price === "number" ? Math.round(entry.price * 100) / 100 : null,
      category: entry.categories?.join(" > ") ?? "",
      topCategory: entry.categories?.[0] ?? null,
      image: entry.image ?? "",
      url: entry.url ?? "",
      interactions: 0,
    };
  }
  const base = view.served.itemView(index);
  if (!e) return base;
  const top = view.artifact.items.topCategory[index];
  return {
    ...base,
    title: e.title ?? base.title,
    brand: e.brand ?? base.brand,
    price: e.price === undefined ? base.price : e.price === null ? null : Math.round(e.price * 100) / 100,
    category: e.categories ? e.categories.join(" > ") : base.category,
    topCategory: e.categories ? (e.categories[0] ?? null) : top === NONE ? null : base.topCategory,
    image: e.image ?? base.image,
    url: e.url ?? base.url,
  };
}
