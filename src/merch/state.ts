/**
 * One version of the overlay and the rules together, immutable. Compiles itself lazily into a
 * MerchView per served artifact (or shard): typed arrays over that artifact's item indexes.
 */
import type { ServedArtifact } from "../store/served.ts";
import { emptyOverlay, emptyRules, type OverlayDocument, type OverlayEntry, type RulesDocument } from "../artifact/index.ts";
import { MerchView } from "./view.ts";

export class MerchState {
  static readonly EMPTY = new MerchState(emptyOverlay(), emptyRules());
  /** Part of every ETag: a change to the overlay or the rules changes every cached body. */
  readonly key: string;
  readonly ids: string[];
  readonly entries: OverlayEntry[];
  /** Entry of each id, built on the first entryOf (only requests naming a product the artifact lacks need it). */
  private byId: Map<string, number> | undefined;
  private readonly views = new WeakMap<ServedArtifact, MerchView>();

  constructor(
    readonly overlay: OverlayDocument,
    readonly rules: RulesDocument,
  ) {
    this.key = `${overlay.version}.${rules.version}`;
    this.ids = Object.keys(overlay.items);
    this.entries = new Array(this.ids.length);
    for (let e = 0; e < this.ids.length; e++) this.entries[e] = overlay.items[this.ids[e]];
  }

  /** Nothing to apply: no overlay entries and default rules (the serving path skips all merch work). */
  get empty(): boolean {
    return this.ids.length === 0 && this.rules.rules.length === 0;
  }

  /** Overlay entry of `id`, or -1. */
  entryOf(id: string): number {
    if (!this.byId) {
      this.byId = new Map();
      for (let e = 0; e < this.ids.length; e++) this.byId.set(this.ids[e], e);
    }
    return this.byId.get(id) ?? -1;
  }

  /** entryOf without building the index: a linear scan, for the few lookups compiling a view makes. */
  scanEntryOf(id: string): number {
    if (this.byId) return this.byId.get(id) ?? -1;
    return Object.hasOwn(this.overlay.items, id) ? this.ids.indexOf(id) : -1;
  }

  viewFor(served: ServedArtifact): MerchView {
    let view = this.views.get(served);
    if (!view) {
      view = new MerchView(this, served);
      this.views.set(served, view);
    }
    return view;
  }
}
