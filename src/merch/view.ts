/**
 * The overlay and the rules compiled against one served artifact (or shard): every per-item
 * fact becomes a typed array over its item indexes, so applying them while serving is array
 * reads, never string work or allocation per candidate.
 *
 * Items known only from the overlay (new products) have no artifact index; inside a list they
 * are numbered n + e, e being their overlay entry (see `isNewIndex`).
 */
import type { Artifact, ListKind, Match, OverlayDocument, OverlayEntry, Rule, RulesDocument, Where } from "../artifact/index.ts";
import type { ItemFilter } from "../recommend/types.ts";
import type { ServedArtifact } from "../store/served.ts";
import { type Facets, facetsOf, intern, pathHasLevels, pathPrefix } from "./facets.ts";
import type { RuleSetKey } from "./rule-set.ts";

const DAY_MS = 86_400_000;

/**
 * A rule compiled against one view. A class with every field set, so the loops that visit
 * rules of every kind see one object shape.
 */
export class CompiledRule {
  /** 1 where the rule's match holds, over artifact items. */
  bits: Uint8Array | undefined = undefined;
  /** … and over overlay entries (new products). */
  entryBits: Uint8Array | undefined = undefined;
  /** Pins: the artifact index, or n + entry for a new product, -1 when unknown here. */
  target = -1;
  /** Caps: the group id of every list index (artifact items 0..n, then new products n + entry). */
  group: Int32Array | undefined = undefined;
  groups = 0;
  /** Caps: per-group counters of the list being built (reset after each list). */
  counts: Int32Array | undefined = undefined;
  /** What it does per listed item (OP_*), so the per-item loop switches on a small integer. */
  op = 0;
  /** The rule's numbers, copied here so the serving loops never read the (many-shaped) rule objects. */
  readonly max: number;
  readonly lambda: number;
  readonly position: number;
  readonly slots: number;
  readonly days: number;
  readonly pin: boolean;

  constructor(
    readonly rule: Rule,
    /** Whether `where` restricts it (else it may be folded into the blocked mask). */
    readonly scoped: boolean,
  ) {
    this.max = rule.kind === "cap" ? rule.max : 0;
    this.lambda = rule.kind === "diversity" ? rule.lambda : -1;
    this.position = rule.kind === "pin" || rule.kind === "newArrivals" ? rule.position : 0;
    this.slots = rule.kind === "newArrivals" ? rule.slots : 0;
    this.days = rule.kind === "notRecentlyBought" ? rule.days : 0;
    this.pin = rule.kind === "pin";
  }
}

/** What a set of active per-item rules does to each list index, built once per view (merch/effects.ts). */
export interface ItemEffects {
  /** effects.ts DROP / BOOSTED bits, over artifact items then new products (n + entry). */
  flags: Uint8Array;
  /** Product of the boost and bury factors that hit, when any such rule is in the set. */
  weight: Float64Array | undefined;
}

/** Per-item operations of a compiled rule (merch/apply.ts); 0 = nothing per item. */
export const OP_HIDE = 1;
export const OP_FILTER = 2;
export const OP_BOOST = 3;
export const OP_BURY = 4;
export const OP_NOT_BOUGHT = 5;

/** A rule compiled against an artifact without any overlay (see MerchView.baseOf). */
interface BaseRule {
  bits?: Uint8Array;
  itemsBits?: Uint8Array;
  itemIds?: Set<string>;
  brands?: Set<string>;
  categoryKeys?: string[];
  groupOf?: Int32Array;
  groupIds?: Map<string, number>;
  groupNames?: string[];
}

/** MerchView.entrySets bits. */
const SETS_BRAND = 1;
const SETS_CATEGORIES = 2;
const SETS_PRICE = 4;

/**
 * What a view reads from one overlay + rules version (MerchState, merch/state.ts). Named here
 * rather than imported, so the state (which builds views) and the view do not import each other.
 */
export interface MerchSource {
  readonly overlay: OverlayDocument;
  readonly rules: RulesDocument;
  readonly ids: string[];
  readonly entries: OverlayEntry[];
  /** Overlay entry of an id without building the id index, or -1. */
  scanEntryOf(id: string): number;
}

const baseRules = new WeakMap<Rule, WeakMap<Artifact, BaseRule>>();

export class MerchView {
  readonly n: number;
  readonly artifact: Artifact;
  /** Overlay entry of item i, or -1. */
  readonly entryOf: Int32Array | undefined;
  /** Artifact index of overlay entry e, or -1 for a new product. */
  readonly indexOfEntry: Int32Array;
  /**
   * Bit i (of byte i >> 3) set = item i is never listed here: out of stock (when inStockOnly),
   * hidden, removed, or hidden/filtered out by an unscoped rule (the ItemFilter.blocked layout).
   */
  readonly blocked: Uint8Array | undefined;
  readonly entryBlocked: Uint8Array;
  /** Prices with the overlay applied (undefined when the overlay changes none). */
  readonly prices: Float32Array | undefined;
  /** Entry's lower-cased category path (when it sets categories, or is new), for filters. */
  readonly entryPath: (string | undefined)[];
  readonly entryPathBytes: (Uint8Array | undefined)[];
  /** Some entry changes an artifact item's categories (filters must then look at the overlay's path). */
  hasPathOverrides = false;
  /** Some rule's `where` names a category (only then does a list need its page item's path). */
  readonly categoryScoped: boolean;
  /** The filter and accept function of requests without filters of their own (routes/context.ts listMerch). */
  plainFilter: { f: ItemFilter | undefined } | undefined;
  plainAccept: ((index: number) => boolean) | undefined;
  /** Per-item effects of each set of active per-item rules met so far (merch/effects.ts). */
  readonly effects = new Map<RuleSetKey, ItemEffects>();
  /** Encoded display fragments of items written from the overlay (each rendered once per view). */
  readonly fragments = new Map<number, Uint8Array>();
  /** Entry changes what a list shows about the item (price, title, brand, image, url, categories). */
  readonly displayChanged: Uint8Array;
  /** Bit i set = artifact item i is written from the overlay (its entry changes what a list shows). */
  private readonly renderBits: Uint8Array;
  /** New products (overlay-only entries) that may be listed, newest first. */
  readonly newEntries: Int32Array;
  readonly isNew: Uint8Array;
  readonly entryIsNew: Uint8Array;
  readonly rules: CompiledRule[];
  /** Milliseconds the compile took (bench: overlayApplyMs includes it). */
  readonly compileMs: number;
  private readonly facets: Facets;
  private brandOfCache: Int32Array | undefined;
  private readonly entryBrand: Int32Array;
  /** SETS_* bits: which matched-on fields each entry sets (read once here, not per rule: entries have many shapes). */
  private readonly entrySets: Uint8Array;
  private readonly brandNames: string[];
  private readonly brandIds: Map<string, number>;

  constructor(
    readonly state: MerchSource,
    readonly served: ServedArtifact,
  ) {
    const started = performance.now();
    const artifact = served.artifact;
    this.artifact = artifact;
    const n = (this.n = served.itemCount);
    const { ids, entries, rules } = state;
    const facets = (this.facets = facetsOf(artifact));
    const E = entries.length;
    this.indexOfEntry = new Int32Array(E);
    this.entryBlocked = new Uint8Array(E);
    this.entryPath = new Array(E);
    this.entryPathBytes = new Array(E);
    this.displayChanged = new Uint8Array(E);
    this.entryBrand = new Int32Array(E).fill(-1);
    this.entryIsNew = new Uint8Array(E);
    this.entrySets = new Uint8Array(E);
    this.isNew = new Uint8Array(E > 0 ? n : 0);
    this.brandNames = facets.brands.slice();
    this.brandIds = new Map(facets.brandIds);
    let entryOf: Int32Array | undefined;
    let blocked: Uint8Array | undefined;
    let prices: Float32Array | undefined;
    const newest: number[] = [];
    const now = Date.now();
    const newSince = (now - rules.newDays * DAY_MS) / 1000;
    const encoder = new TextEncoder();
    for (let e = 0; e < E; e++) {
      const entry = entries[e];
      const i = served.itemIndex(ids[e]);
      this.indexOfEntry[e] = i;
      const unavailable = entry.removed === true || entry.hidden === true || (rules.inStockOnly && entry.inStock === false);
      if (entry.categories) {
        this.entryPath[e] = entry.categories.join(" > ").toLowerCase();
        this.entryPathBytes[e] = encoder.encode(this.entryPath[e]);
        if (i >= 0) this.hasPathOverrides = true;
      }
      const { brand, price } = entry;
      if (brand !== undefined) this.entryBrand[e] = intern(brand.trim().toLowerCase(), this.brandIds, this.brandNames);
      this.entrySets[e] = (brand !== undefined ? SETS_BRAND : 0) | (entry.categories !== undefined ? SETS_CATEGORIES : 0) | (price !== undefined ? SETS_PRICE : 0);
      if (price !== undefined || entry.title !== undefined || brand !== undefined || entry.image !== undefined || entry.url !== undefined || entry.categories) {
        this.displayChanged[e] = 1;
      }
      const fresh = entry.added >= newSince;
      if (i >= 0) {
        entryOf ??= new Int32Array(n).fill(-1);
        entryOf[i] = e;
        if (unavailable) setBit((blocked ??= bitsFor(n)), i);
        if (entry.price !== undefined) (prices ??= artifact.items.prices.slice())[i] = entry.price === null ? NaN : entry.price;
        if (fresh && (artifact.itemInteractions[i] ?? 0) === 0) this.isNew[i] = this.entryIsNew[e] = 1;
      } else {
        if (unavailable || entry.title === undefined) this.entryBlocked[e] = 1;
        else newest.push(e);
        if (fresh) this.entryIsNew[e] = 1;
        this.displayChanged[e] = 1;
      }
    }
    newest.sort((a, b) => entries[b].added - entries[a].added || a - b);
    this.newEntries = Int32Array.from(newest);
    this.entryOf = entryOf;
    this.prices = prices;
    this.renderBits = bitsFor(entryOf ? n : 0);
    for (let e = 0; e < E; e++) if (this.indexOfEntry[e] >= 0 && this.displayChanged[e] === 1) setBit(this.renderBits, this.indexOfEntry[e]);
    this.rules = rules.rules.map((rule) => this.compileRule(rule));
    this.categoryScoped = rules.rules.some((r) => r.where?.category !== undefined);
    for (const c of this.rules) {
      const kind = c.rule.kind;
      // Unscoped hide/filter rules live in the blocked mask (below): nothing left to do per item.
      c.op =
        kind === "hide" ? (c.scoped ? OP_HIDE : 0)
        : kind === "filter" ? (c.scoped ? OP_FILTER : 0)
        : kind === "boost" ? OP_BOOST
        : kind === "bury" ? OP_BURY
        : kind === "notRecentlyBought" ? OP_NOT_BOUGHT
        : 0;
    }
    // Unscoped hide and filter rules are part of the blocked mask: one byte per candidate however many there are.
    for (const c of this.rules) {
      if (c.scoped || (c.rule.kind !== "hide" && c.rule.kind !== "filter")) continue;
      const hide = c.rule.kind === "hide";
      blocked ??= bitsFor(n);
      const bits = c.bits!;
      for (let i = 0; i < n; i++) if ((bits[i] === 1) === hide) setBit(blocked, i);
      for (let e = 0; e < E; e++) if ((c.entryBits![e] === 1) === hide) this.entryBlocked[e] = 1;
    }
    this.blocked = blocked;
    this.compileMs = performance.now() - started;
  }

  /** True for a list index that names a new product (overlay entry index - n). */
  isNewIndex(index: number): boolean {
    return index >= this.n;
  }

  /** Brand id of each item with the overlay's brand changes applied. */
  brandOf(): Int32Array {
    if (!this.brandOfCache) {
      let copy: Int32Array | undefined;
      if (this.entryOf) {
        for (let e = 0; e < this.entryBrand.length; e++) {
          const i = this.indexOfEntry[e];
          if (i >= 0 && this.entryBrand[e] >= 0) (copy ??= Int32Array.from(this.facets.brandOf))[i] = this.entryBrand[e];
        }
      }
      this.brandOfCache = copy ?? this.facets.brandOf;
    }
    return this.brandOfCache;
  }

  /** Brand id of a new entry (its own brand, "" when none). */
  entryBrandId(e: number): number {
    return this.entryBrand[e] >= 0 ? this.entryBrand[e] : intern("", this.brandIds, this.brandNames);
  }

  brandCount(): number {
    return this.brandNames.length;
  }

  /** Lower-cased category path bytes of item i when the overlay changed its categories, else undefined. */
  pathBytesOf(i: number): Uint8Array | undefined {
    const e = this.entryOf ? this.entryOf[i] : -1;
    return e >= 0 ? this.entryPathBytes[e] : undefined;
  }

  brandId(name: string): number {
    return this.brandIds.get(name.trim().toLowerCase()) ?? -1;
  }

  /** Lower-cased category path of item i (overlay first). */
  pathOf(i: number): string {
    const e = this.entryOf ? this.entryOf[i] : -1;
    if (e >= 0 && this.entryPath[e] !== undefined) return this.entryPath[e]!;
    return this.facets.paths[this.facets.pathOf[i]];
  }

  priceOf(i: number): number {
    return (this.prices ?? this.artifact.items.prices)[i];
  }

  /** Does `where` hold for this list? */
  applies(where: Where | undefined, ctx: ListContext): boolean {
    if (!where) return true;
    if (where.lists && !where.lists.includes(ctx.list)) return false;
    if (where.item !== undefined && where.item !== ctx.pageItemId) return false;
    if (where.category !== undefined) {
      const key = where.category.toLowerCase();
      const fromFilter = ctx.category !== undefined && (ctx.category.toLowerCase() === key || pathHasLevels(ctx.category.toLowerCase(), key));
      const fromPage = ctx.pagePath !== undefined && pathHasLevels(ctx.pagePath, key);
      if (!fromFilter && !fromPage) return false;
    }
    return true;
  }

  private compileRule(rule: Rule): CompiledRule {
    const c = new CompiledRule(rule, rule.where !== undefined);
    switch (rule.kind) {
      case "boost":
      case "bury":
      case "hide":
      case "filter":
      case "notRecentlyBought": {
        const match: Match = rule.kind === "notRecentlyBought" ? { categories: rule.repurchasable.length ? rule.repurchasable : ["\u0000"] } : rule.match;
        [c.bits, c.entryBits] = this.matchBits(rule, match);
        return c;
      }
      case "pin": {
        const i = this.served.itemIndex(rule.item);
        const e = i >= 0 ? -1 : this.state.scanEntryOf(rule.item);
        c.target = i >= 0 ? i : e >= 0 && this.indexOfEntry[e] < 0 ? this.n + e : -1;
        return c;
      }
      case "cap": {
        // One group array over every list index, so a list reads group[index] whatever the index names.
        const { n } = this;
        const E = this.state.entries.length;
        const group = (c.group = new Int32Array(n + E));
        if (rule.by === "brand") {
          group.set(this.brandOf());
          for (let e = 0; e < E; e++) group[n + e] = this.entryBrandId(e);
          c.groups = this.brandNames.length;
          return c;
        }
        const base = this.baseOf(rule, () => {
          const ids = new Map<string, number>();
          const names: string[] = [];
          const byPath = this.facets.paths.map((p) => intern(pathPrefix(p, rule.level), ids, names));
          const groupOf = new Int32Array(n);
          for (let i = 0; i < n; i++) groupOf[i] = byPath[this.facets.pathOf[i]];
          return { groupOf, groupIds: ids, groupNames: names };
        });
        group.set(base.groupOf!);
        let ids = base.groupIds!;
        let names = base.groupNames!;
        for (let e = 0; e < E; e++) {
          const i = this.indexOfEntry[e];
          // A trained item keeping its categories is in its artifact group already.
          if (i >= 0 && this.entryPath[e] === undefined) {
            group[n + e] = base.groupOf![i];
            continue;
          }
          if (names === base.groupNames) {
            ids = new Map(ids);
            names = names.slice();
          }
          group[n + e] = intern(pathPrefix(this.entryPath[e] ?? "", rule.level), ids, names);
          if (i >= 0) group[i] = group[n + e];
        }
        c.groups = names.length;
        return c;
      }
      default:
        return c;
    }
  }

  /** What a rule compiles to over the artifact alone, computed once per (rules document, artifact) and shared by every overlay version. */
  private baseOf(rule: Rule, build: () => BaseRule): BaseRule {
    let perArtifact = baseRules.get(rule);
    if (!perArtifact) baseRules.set(rule, (perArtifact = new WeakMap()));
    let base = perArtifact.get(this.artifact);
    if (!base) perArtifact.set(this.artifact, (base = build()));
    return base;
  }

  /**
   * The match as bits over artifact items and over overlay entries. The artifact's part is
   * computed once per rules document (each brand or category condition decided per distinct
   * value, not per item) and only the items the overlay changes are decided again here, so a
   * new overlay version costs O(entries), not O(catalogue).
   */
  private matchBits(rule: Rule, m: Match): [Uint8Array, Uint8Array] {
    const { n, facets } = this;
    const base = this.baseOf(rule, () => {
      const bits = new Uint8Array(n).fill(1);
      let itemsBits: Uint8Array | undefined;
      if (m.items) {
        itemsBits = new Uint8Array(n);
        for (const id of m.items) {
          const i = this.served.itemIndex(id);
          if (i >= 0) itemsBits[i] = 1;
        }
        for (let i = 0; i < n; i++) bits[i] &= itemsBits[i];
      }
      const brands = m.brands ? new Set(m.brands.map((b) => b.trim().toLowerCase())) : undefined;
      if (brands) {
        const byBrand = facets.brands.map((b) => (brands.has(b) ? 1 : 0));
        for (let i = 0; i < n; i++) bits[i] &= byBrand[facets.brandOf[i]];
      }
      const categoryKeys = m.categories?.map((c) => c.toLowerCase());
      if (categoryKeys) {
        const byPath = facets.paths.map((path) => (categoryKeys.some((k) => pathHasLevels(path, k)) ? 1 : 0));
        for (let i = 0; i < n; i++) bits[i] &= byPath[facets.pathOf[i]];
      }
      if (m.minPrice !== undefined || m.maxPrice !== undefined) {
        const lo = m.minPrice ?? -Infinity;
        const hi = m.maxPrice ?? Infinity;
        const prices = this.artifact.items.prices;
        for (let i = 0; i < n; i++) {
          const p = prices[i];
          if (!(p >= lo && p <= hi)) bits[i] = 0;
        }
      }
      // "new" needs the overlay: no trained item is new by itself.
      if (m.new) bits.fill(0);
      return { bits, itemsBits, brands, categoryKeys, itemIds: m.items ? new Set(m.items) : undefined };
    });
    const E = this.state.entries.length;
    const entryBits = new Uint8Array(E);
    let bits = base.bits!;
    const needsPrice = m.minPrice !== undefined || m.maxPrice !== undefined;
    // The entry fields whose change can change this match's answer for a trained item.
    const looksAt = (base.brands !== undefined ? SETS_BRAND : 0) | (base.categoryKeys !== undefined ? SETS_CATEGORIES : 0) | (needsPrice ? SETS_PRICE : 0);
    const sets = this.entrySets;
    for (let e = 0; e < E; e++) {
      const i = this.indexOfEntry[e];
      if (i < 0) {
        entryBits[e] = this.entryMatches(m, base, e) ? 1 : 0;
        continue;
      }
      if ((sets[e] & looksAt) === 0 && !(m.new === true && this.entryIsNew[e] === 1)) continue;
      const hit = this.itemMatches(m, base, i) ? 1 : 0;
      if (hit !== bits[i]) {
        if (bits === base.bits) bits = bits.slice();
        bits[i] = hit;
      }
    }
    return [bits, entryBits];
  }

  /** Match of artifact item i with the overlay applied (brand, categories, price, newness). */
  private itemMatches(m: Match, base: BaseRule, i: number): boolean {
    if (base.itemsBits && !base.itemsBits[i]) return false;
    if (base.brands && !base.brands.has(this.brandNames[this.brandOf()[i]])) return false;
    if (base.categoryKeys) {
      const path = this.pathOf(i);
      if (!base.categoryKeys.some((k) => pathHasLevels(path, k))) return false;
    }
    if (m.minPrice !== undefined || m.maxPrice !== undefined) {
      const p = this.priceOf(i);
      if (m.minPrice !== undefined && !(p >= m.minPrice)) return false;
      if (m.maxPrice !== undefined && !(p <= m.maxPrice)) return false;
    }
    if (m.new && !(this.isNew.length && this.isNew[i])) return false;
    return true;
  }

  /** Match of a new product (overlay entry without an artifact item). */
  private entryMatches(m: Match, base: BaseRule, e: number): boolean {
    const entry = this.state.entries[e];
    if (base.itemIds && !base.itemIds.has(this.state.ids[e])) return false;
    if (base.brands && !base.brands.has(this.brandNames[this.entryBrandId(e)])) return false;
    if (base.categoryKeys) {
      const path = this.entryPath[e] ?? "";
      if (!base.categoryKeys.some((k) => pathHasLevels(path, k))) return false;
    }
    if (m.minPrice !== undefined || m.maxPrice !== undefined) {
      const p = entry.price;
      if (typeof p !== "number") return false;
      if (m.minPrice !== undefined && p < m.minPrice) return false;
      if (m.maxPrice !== undefined && p > m.maxPrice) return false;
    }
    if (m.new && !this.entryIsNew[e]) return false;
    return true;
  }

  /**
   * Bytes this view holds: its typed arrays (over items, entries and rules), cached fragments,
   * plus the parsed overlay, counted as three times its JSON (V8 objects and strings). What the
   * memory budget in docs/merchandising.md is checked against.
   */
  footprintBytes(): number {
    let bytes = 0;
    const add = (a: ArrayBufferView | undefined) => {
      if (a) bytes += a.byteLength;
    };
    for (const a of [this.entryOf, this.indexOfEntry, this.blocked, this.renderBits, this.entryBlocked, this.prices, this.displayChanged, this.newEntries, this.isNew, this.entryIsNew, this.entryBrand, this.entrySets]) add(a);
    for (const b of this.entryPathBytes) add(b);
    for (const c of this.rules) for (const a of [c.bits, c.entryBits, c.group, c.counts]) add(a);
    for (const f of this.fragments.values()) add(f);
    for (const x of this.effects.values()) {
      add(x.flags);
      add(x.weight);
    }
    if (this.brandOfCache !== this.facets.brandOf) add(this.brandOfCache);
    return bytes + 3 * JSON.stringify(this.state.overlay).length;
  }

  /** The entry behind a listed index (artifact item with an entry, or a new product), or undefined. */
  entryFor(index: number): OverlayEntry | undefined {
    if (index >= this.n) return this.state.entries[index - this.n];
    const e = this.entryOf ? this.entryOf[index] : -1;
    return e >= 0 ? this.state.entries[e] : undefined;
  }

  /** True when a listed index must be written from the overlay rather than the artifact's cached fragment. */
  rendersFromOverlay(index: number): boolean {
    if (index >= this.n) return true;
    return ((this.renderBits[index >> 3] >> (index & 7)) & 1) === 1;
  }
}

/** A bit mask over n items, all clear. */
function bitsFor(n: number): Uint8Array {
  return new Uint8Array((n + 7) >> 3);
}

function setBit(bits: Uint8Array, i: number): void {
  bits[i >> 3] |= 1 << (i & 7);
}

/** What a list is, for rules' `where` and for new arrivals. */
export interface ListContext {
  list: ListKind;
  /** The request's category filter (or the popular list's category). */
  category?: string;
  /** The item whose page this list is for (similar items, bought together). */
  pageItemId?: string;
  pageItem?: number;
  /** Its lower-cased category path (set only when some rule is scoped to a category). */
  pagePath?: string;
  /** Items the shopper bought, with Unix seconds, for notRecentlyBought rules. */
  bought?: { index: number; at: number }[];
}
