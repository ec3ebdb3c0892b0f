/**
 * A sharded version: only the small manifest (shard table + id-shard routing, tens of KiB
 * whatever the catalogue size) is loaded up front. A lookup reads manifest → id shard (the
 * bucket of the id, see id-hash.ts) → data shard; every shard is fetched on first use, verified
 * against the manifest's checksum with the digest computed while it streamed in (no second
 * hash), and kept in one LRU bounded by SHARD_CACHE_MB.
 *
 * Requests share decoded shards only, never a load in flight (workerd ties a promise to the
 * request that created it, see in-flight.ts): a request that finds a shard being loaded by
 * another one polls for it with its own timers, and loads it itself when that load has not
 * finished within SHARD_WAIT_MS (the other request may have been cancelled).
 *
 * Id shards share the data shards' LRU rather than a pinned budget: they are ~1 MiB each and
 * every lookup touches one, so the hot ones stay resident on their own, while a 1M catalogue's
 * ~64 id shards (~48 MiB) could never all be pinned inside the isolate budget. One bound for
 * everything keeps the memory arithmetic (README, configuration) a single sum.
 *
 * Data shards store every row once (shard-parts.ts), so a query assembles a small Artifact from
 * the parts it touches (shard-view.ts): the item's part for its neighbour rows, then the parts
 * holding those neighbours (the build puts neighbours next to each other, so mostly the same
 * part), plus the pinned popular shard. Assembled views are decoded data too: they are kept in
 * a small LRU of their own (an eighth of the budget) and shared by later requests.
 */
import {
  ArtifactError,
  type ArtifactHeader,
  type ArtifactManifest,
  assembleView,
  decodeIdShard,
  decodeShardPart,
  type IdShard,
  idShardOfItem,
  idShardOfUser,
  type ItemAt,
  type ItemPart,
  itemPartIndex,
  locateId,
  partRows,
  planView,
  shardCount,
  shardKindOf,
  type ShardPart,
  shardSha256,
  stringAt,
  stringCountOf,
  userItems,
  type UserPart,
  VIEW_POPULAR_HEAD,
  type ViewQuery,
} from "../artifact/index.ts";
import type { Catalog } from "./catalog.ts";
import { InFlight, pollFor } from "./in-flight.ts";
import { type Located, ServedArtifact } from "./served.ts";
import type { ArtifactSource } from "./source.ts";
import { shardUnavailable, StoreError } from "./store-error.ts";

/**
 * Default byte budget of resident shards and assembled views (7/8 and 1/8 of it). Isolate
 * arithmetic (Workers allow 128 MB; we aim at <= ~80 MiB so a request's own allocations and a
 * version swap have room): manifest (<= ~0.1 MiB) + pinned popular shard (<= 3 MiB) + this cache
 * + one in-flight shard (<= 3 MiB) + the runtime's baseline heap (~6-8 MiB) ≈ 0.1 + 3 + 56 + 3
 * + 8 ≈ 70 MiB. Views are charged ~300 bytes an item plus their fragment cache (viewBytes).
 */
export const DEFAULT_SHARD_CACHE_MB = 56;

/** The shard cache budget from the environment (`SHARD_CACHE_MB`), in bytes. */
export function shardCacheBytesOf(env: object): number {
  const raw = (env as Record<string, unknown>).SHARD_CACHE_MB;
  const mb = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : typeof raw === "number" ? raw : DEFAULT_SHARD_CACHE_MB;
  return (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_SHARD_CACHE_MB) * 1024 * 1024;
}

/**
 * What a resident shard costs: its bytes (decoded parts and id shards are views of them; a part
 * builds no tables of its own, the views assembled from it are budgeted apart).
 */
function residentCost(shardBytes: number): number {
  return shardBytes;
}

/** How one shard was loaded: storage read (incl. the streamed digest) and verify + decode. */
export interface ShardLoad {
  shard: number;
  kind: string;
  fetchMs: number;
  decodeMs: number;
  bytes: number;
}
const FIRST_LOADS_KEPT = 8;

/**
 * How long a request waits for a shard another request is loading before it loads it itself.
 * A 3 MiB shard loads in tens of ms; two seconds covers a busy isolate, and a waiter that gives
 * up still answers well within a client's patience.
 */
export const SHARD_WAIT_MS = 2000;

type Resident = { part: ShardPart; ids?: undefined; cost: number } | { ids: IdShard; part?: undefined; cost: number };

/** Fragment cache of an assembled view (a few dozen items). */
const VIEW_FRAGMENT_BYTES = 16 * 1024;

/** A basket located in one view: its known items' indexes there (basket order) and the unknown ids. */
export interface LocatedBasket {
  served: ServedArtifact;
  indexes: number[];
  ignored: string[];
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `a` once `b` is done too: synchronous when neither waits, else both awaited side by side. */
function both<A>(a: A | Promise<A>, b: unknown): A | Promise<A> {
  if (!(a instanceof Promise) && !(b instanceof Promise)) return a;
  return Promise.all([a, b]).then(([x]) => x);
}

/** Applies `f` now when `x` is ready, else when it resolves (keeps warm lookups synchronous). */
function then<T, R>(x: T | Promise<T>, f: (value: T) => R | Promise<R>): R | Promise<R> {
  return x instanceof Promise ? x.then(f) : f(x);
}

export class ShardedCatalog implements Catalog {
  readonly layout = "sharded" as const;
  fetchMs = 0;
  readonly version: string;
  readonly header: ArtifactHeader;
  /** Resident shards, least recently used first (a Map keeps insertion order). */
  private readonly ready = new Map<number, Resident>();
  /** Shards some request is loading now (a mark, never its promise: see in-flight.ts). */
  private readonly loading = new InFlight<number>();
  /** Cost (see residentCost) of the resident shards. */
  residentBytes = 0;
  /** The largest cost of any shard loaded so far (tests bound residentBytes with it). */
  largestCost = 0;
  /** Shards dropped to stay under the budget (for /healthz, tests and benches). */
  evictions = 0;
  /** The first shard loads of this version, in completion order (the cold-start split on /healthz). */
  readonly firstLoads: ShardLoad[] = [];
  /**
   * A first load's acceptance checks (every shard object exists, the popular shard decodes) while
   * they run. Lookups do not wait for them: every answer is built from shards verified against
   * the manifest on their own, so the checks stay off the first request's critical path
   * (manifest → id shard → data shard); a version that fails them is un-served by the store.
   */
  private checks: Promise<void> | null = null;
  /** Why the acceptance checks failed (this version must not be served), if they did. */
  rejection: unknown;
  /** Shard objects this version has read and decoded (re-reads after eviction included). */
  shardDecodes = 0;
  /** Assembled views by query ("i<item>", "u<user>", "p"), least recently used first, and their cost. */
  private readonly views = new Map<string, { located: Located; cost: number }>();
  viewBytes = 0;
  /** Views assembled (cache misses), for tests and benches. */
  viewAssemblies = 0;
  /** Item part of each shard (-1: not an item part), from the manifest's part table. */
  private readonly itemPartOfShard: Int32Array;
  private categoryNames: string[] | undefined;

  constructor(
    readonly manifest: ArtifactManifest,
    private readonly source: ArtifactSource,
    private readonly shardKeys: readonly string[],
    readonly loadedAt: number,
    readonly decodeMs: number,
    readonly byteLength: number,
    private readonly onDecode: () => void,
    /** Budget of resident shards (the popular shard and the shard just loaded always stay). */
    readonly cacheBytes: number = DEFAULT_SHARD_CACHE_MB * 1024 * 1024,
    /** How long a request waits for another request's load of a shard before loading it itself. */
    private readonly waitMs: number = SHARD_WAIT_MS,
  ) {
    this.header = manifest.header;
    this.version = manifest.header.version;
    this.itemPartOfShard = new Int32Array(shardCount(manifest)).fill(-1);
    manifest.parts.itemShards.forEach((s, q) => (this.itemPartOfShard[s] = q));
  }

  /** Budget of assembled views: an eighth of the cache (the shards get the rest). */
  private get viewBudget(): number {
    return this.cacheBytes / 8;
  }

  private get shardBudget(): number {
    return this.cacheBytes - this.viewBudget;
  }

  /** Runs beside lookups (see `checks`); a failure is kept in `rejection`. */
  watchChecks(check: Promise<void>): void {
    const watched = check.then(
      () => {
        if (this.checks === watched) this.checks = null;
      },
      (err) => {
        this.rejection = err;
        if (this.checks === watched) this.checks = null;
      },
    );
    this.checks = watched;
  }

  /** The acceptance checks still running, if any (the request that started them must keep them alive). */
  pendingChecks(): Promise<void> | null {
    return this.checks;
  }

  /** How many shard loads are in flight now (progressive loading lets the first requests' ones finish before its big read). */
  loadsInFlight(): number {
    return this.loading.size;
  }

  /** Shards resident now, data and id shards alike (for /healthz and tests). */
  loadedShards(): number[] {
    return [...this.ready.keys()].sort((a, b) => a - b);
  }

  /** Shard `s` when resident (moved to the LRU's recent end), else undefined. */
  private touch(s: number): Resident | undefined {
    const ready = this.ready.get(s);
    if (ready) {
      // Most recently used moves to the end.
      this.ready.delete(s);
      this.ready.set(s, ready);
    }
    return ready;
  }

  private resident(s: number): Resident | Promise<Resident> {
    const ready = this.touch(s);
    if (ready) return ready;
    if (this.loading.busy(s, this.waitMs)) return this.awaitOtherLoad(s);
    return this.loadOwn(s);
  }

  /** Another request is loading `s`: poll for the decoded shard, and load it ourselves if it does not come. */
  private async awaitOtherLoad(s: number): Promise<Resident> {
    const ready = await pollFor(
      () => this.touch(s),
      () => this.loading.busy(s, this.waitMs),
      this.waitMs,
    );
    return ready ?? this.loadOwn(s);
  }

  /** Loads `s` inside the calling request, marking it so others wait for the decoded shard instead of reading it again. */
  private async loadOwn(s: number): Promise<Resident> {
    const token = this.loading.begin(s);
    try {
      return await this.load(s);
    } finally {
      this.loading.end(s, token);
    }
  }

  /** Data shard `s` (item part, user part or the popular shard). */
  shard(s: number): ShardPart | Promise<ShardPart> {
    return then(this.resident(s), (r) => r.part ?? this.wrongKind(s));
  }

  /** Id shard `s`. */
  idShard(s: number): IdShard | Promise<IdShard> {
    return then(this.resident(s), (r) => r.ids ?? this.wrongKind(s));
  }

  private wrongKind(s: number): never {
    throw shardUnavailable(s, new ArtifactError(`shard ${s} is a ${shardKindOf(this.manifest, s)} shard where the manifest routes elsewhere`, "rebuild and publish the version again"));
  }

  private async load(s: number): Promise<Resident> {
    const key = this.shardKeys[s];
    try {
      if (s >= shardCount(this.manifest)) throw new ArtifactError(`shard ${s} is not in the manifest`, "rebuild and publish the version again");
      const fetchStarted = performance.now();
      const read = await this.source.verifiedBytes(key);
      if (!read) throw new ArtifactError(`shard ${s} (${key}) of version ${this.version} is missing`, "publish the version again");
      const started = performance.now();
      this.onDecode();
      this.shardDecodes++;
      // The streamed digest is checked twice for free: against the manifest (this shard belongs
      // to this build) and, inside decode, against the shard's own header (its bytes are whole).
      if (!sameBytes(read.digest, shardSha256(this.manifest, s))) {
        throw new ArtifactError(`shard ${s} (${key}) does not match the manifest's checksum: it was changed, cut or comes from another build`, "publish the version again");
      }
      const bytes = read.bytes;
      const kind = shardKindOf(this.manifest, s);
      let resident: Resident;
      if (kind === "item-ids" || kind === "user-ids") {
        const ids = await decodeIdShard(bytes, { digest: read.digest, shards: shardCount(this.manifest) });
        if (ids.version !== this.version || ids.kind !== kind) {
          throw new ArtifactError(`id shard ${s} holds ${ids.kind} of version ${ids.version}, not ${kind} of ${this.version}`, "publish the version again");
        }
        resident = { ids, cost: bytes.byteLength };
      } else {
        const part = await decodeShardPart(bytes, { digest: read.digest, items: this.header.counts.items });
        if (part.version !== this.version) throw new ArtifactError(`shard ${s} holds version ${part.version}, not ${this.version}`, "publish the version again");
        this.checkRange(s, part);
        resident = { part, cost: residentCost(bytes.byteLength) };
      }
      if (this.firstLoads.length < FIRST_LOADS_KEPT) {
        const round = (x: number) => Math.round(x * 10) / 10;
        this.firstLoads.push({ shard: s, kind, fetchMs: round(started - fetchStarted), decodeMs: round(performance.now() - started), bytes: bytes.byteLength });
      }
      this.ready.set(s, resident);
      this.residentBytes += resident.cost;
      this.largestCost = Math.max(this.largestCost, resident.cost);
      this.evict(s);
      return resident;
    } catch (err) {
      throw err instanceof StoreError ? err : shardUnavailable(s, err);
    }
  }

  /**
   * Drops least recently used shards until the resident cost fits the budget. Requests that
   * already hold a dropped shard finish with it; the garbage collector frees it afterwards.
   */
  private evict(keep: number): void {
    if (this.residentBytes <= this.shardBudget) return;
    for (const [s, resident] of this.ready) {
      if (this.residentBytes <= this.shardBudget) break;
      if (s === keep || s === this.manifest.popularShard) continue;
      this.ready.delete(s);
      this.residentBytes -= resident.cost;
      this.evictions++;
    }
  }

  /**
   * Drops every resident shard (after the version moved to its single object): requests still
   * holding this catalogue reload what they need, the rest is garbage. Returns how many were dropped.
   */
  dropShards(): number {
    const dropped = this.ready.size;
    this.ready.clear();
    this.residentBytes = 0;
    this.views.clear();
    this.viewBytes = 0;
    return dropped;
  }

  /** A data shard must hold the range of rows the manifest's part table gives it. */
  private checkRange(s: number, part: ShardPart): void {
    const p = this.manifest.parts;
    const [shards, starts] = part.kind === "items" ? [p.itemShards, p.itemStarts] : [p.userShards, p.userStarts];
    const q = shards.indexOf(s);
    if (q < 0 || starts[q] !== part.start || starts[q + 1] - starts[q] !== partRows(part)) {
      throw new ArtifactError(`shard ${s} holds ${part.kind} ${part.start}..${part.start + partRows(part)}, not the range the manifest gives it`, "rebuild and publish the version again");
    }
  }

  /** id → its id shard → (data shard, row), or null for an unknown id. */
  private locate(idShard: number, id: string): { shard: number; local: number } | null | Promise<{ shard: number; local: number } | null> {
    if (idShard < 0 || id.length === 0 || id.length > 512) return null;
    return then(this.idShard(idShard), (ids) => locateId(ids, id));
  }

  /** Global index of the item an id shard entry names, or -1 when the entry is not an item part's row. */
  private itemGlobal(where: { shard: number; local: number } | null): number {
    if (!where || where.shard >= this.itemPartOfShard.length) return -1;
    const q = this.itemPartOfShard[where.shard];
    if (q < 0) return -1;
    const starts = this.manifest.parts.itemStarts;
    return where.local < starts[q + 1] - starts[q] ? starts[q] + where.local : -1;
  }

  private itemPartIndex(g: number): number {
    return itemPartIndex(this.manifest.parts.itemStarts, g);
  }

  /**
   * Makes `into` hold the item part of every item in `globals` (references held by this request,
   * so a part evicted meanwhile still serves it); a promise only when some part must be loaded.
   */
  private itemParts(globals: ArrayLike<number>, into: Map<number, ItemPart>, failed?: Set<number>): void | Promise<void> {
    const pending: Promise<void>[] = [];
    const wanted = new Set<number>();
    for (let i = 0; i < globals.length; i++) {
      const q = this.itemPartIndex(globals[i]);
      if (into.has(q) || wanted.has(q) || failed?.has(q)) continue;
      wanted.add(q);
      const s = this.manifest.parts.itemShards[q];
      const part = this.shard(s);
      const keep = (x: ShardPart) => void into.set(q, x.kind === "items" ? x : this.wrongKind(s));
      // With `failed`, a part that cannot be loaded is noted there instead of failing the request.
      if (part instanceof Promise) pending.push(failed ? part.then(keep, () => void failed.add(q)) : part.then(keep));
      else keep(part);
    }
    if (pending.length) return Promise.all(pending).then(() => undefined);
  }

  private itemAt(parts: Map<number, ItemPart>): ItemAt {
    return (g) => {
      const q = this.itemPartIndex(g);
      return { part: parts.get(q)!, local: g - this.manifest.parts.itemStarts[q] };
    };
  }

  /**
   * The view answering `query` (cached under `key` unless it is null): the parts of its rows'
   * items, then of every item the plan names, then assembly. Two rounds of part loads at most.
   * A shard that fails in the second round (corrupt, missing) costs only the items it holds: the
   * view leaves them out and is not cached, while the query's own items must load.
   */
  private view(key: string | null, query: ViewQuery, user?: { part: UserPart; local: number }, index = 0): Located | Promise<Located> {
    const cached = key === null ? undefined : this.views.get(key);
    if (cached) {
      this.views.delete(key!);
      this.views.set(key!, cached);
      return cached.located;
    }
    const parts = new Map<number, ItemPart>();
    const at = this.itemAt(parts);
    // The head and the rows' parts in one round (a cold start reads them side by side).
    return then(both(this.popularHead(parts), this.itemParts(query.rows, parts)), (head) => {
      const failed = new Set<number>();
      const planned = planView(query, head, at);
      return then(this.itemParts(planned.order, parts, failed), () => {
        // Another request may have assembled it while this one waited for parts.
        const ready = key === null ? undefined : this.views.get(key);
        if (ready) return ready.located;
        const plan = failed.size === 0 ? planned : planView(query, head, at, (g) => failed.has(this.itemPartIndex(g)));
        const artifact = assembleView(this.header, head, plan, at, user, key === "p");
        this.viewAssemblies++;
        const bytes = viewBytes(artifact.header.counts.items);
        const located: Located = { served: new ServedArtifact(artifact, Date.now(), 0, bytes, VIEW_FRAGMENT_BYTES), index };
        if (key !== null && failed.size === 0) this.keepView(key, located, bytes);
        return located;
      });
    });
  }

  private keepView(key: string, located: Located, cost: number): void {
    this.views.set(key, { located, cost });
    this.viewBytes += cost;
    for (const [k, v] of this.views) {
      if (this.viewBytes <= this.viewBudget || k === key) break;
      this.views.delete(k);
      this.viewBytes -= v.cost;
    }
  }

  /** The popular shard's head (category names, popularity lists), its part kept in `parts`. */
  private popularHead(parts: Map<number, ItemPart>) {
    return then(this.shard(this.manifest.popularShard), (part) => {
      if (part.kind !== "items" || !part.head) return this.wrongKind(this.manifest.popularShard);
      parts.set(0, part);
      this.categoryNames ??= Array.from({ length: stringCountOf(part.head.categories.names) }, (_, c) => stringAt(part.head!.categories.names, c));
      return part.head;
    });
  }

  /** Similar items, together and the item page: the item's rows and everything they name. */
  private itemView(g: number): Located | Promise<Located> {
    const key = `i${g}`;
    if (this.views.has(key)) return this.view(key, { rows: [g], popularOverall: 0, popularByCategory: () => 0 });
    const parts = new Map<number, ItemPart>();
    // Its part (for its category) beside the popular shard, which the view needs next.
    return then(both(this.itemParts([g], parts), this.popularHead(parts)), () => {
      const { part, local } = this.itemAt(parts)(g);
      const top = part.items.topCategory[local];
      return this.view(key, { rows: [g], popularOverall: VIEW_POPULAR_HEAD, popularByCategory: (c) => (c === top ? VIEW_POPULAR_HEAD : 0) });
    });
  }

  item(id: string): Located | null | Promise<Located | null> {
    return then(this.locate(idShardOfItem(this.manifest, id), id), (where) => {
      const g = this.itemGlobal(where);
      return g < 0 ? null : this.itemView(g);
    });
  }

  user(id: string): Located | null | Promise<Located | null> {
    return then(this.locate(idShardOfUser(this.manifest, id), id), (where) => {
      if (!where || !this.manifest.parts.userShards.includes(where.shard)) return null;
      return then(this.shard(where.shard), (part): Located | Promise<Located> | null => {
        if (part.kind !== "users" || where.local >= partRows(part)) return null;
        const x = part.start + where.local;
        const { history, top } = userItems(part, where.local);
        // The precomputed top-N needs no neighbour rows; without it the history's rows rank.
        const rows = part.users.topIds ? [] : Array.from(history);
        return this.view(`u${x}`, { rows, named: concat(history, top), popularOverall: VIEW_POPULAR_HEAD, popularByCategory: () => 0 }, { part, local: where.local });
      });
    });
  }

  /** A basket's items in one view (their rows and all they name), so it is scored as by a single artifact. */
  basket(ids: readonly string[]): LocatedBasket | Promise<LocatedBasket> {
    const lookups = ids.map((id) => this.locate(idShardOfItem(this.manifest, id), id));
    const all = lookups.some((l) => l instanceof Promise) ? Promise.all(lookups) : (lookups as ({ shard: number; local: number } | null)[]);
    return then(all, (found) => {
      const ignored: string[] = [];
      const globals: number[] = [];
      found.forEach((where, i) => {
        const g = this.itemGlobal(where);
        if (g < 0) ignored.push(ids[i]);
        else globals.push(g);
      });
      if (globals.length === 0) return then(this.popular(), (served) => ({ served, indexes: [], ignored }));
      return then(this.view(null, { rows: globals, popularOverall: VIEW_POPULAR_HEAD, popularByCategory: () => 0 }), ({ served }) => ({
        served,
        indexes: viewIndexes(globals),
        ignored,
      }));
    });
  }

  popular(): ServedArtifact | Promise<ServedArtifact> {
    return then(this.view("p", { rows: [], popularOverall: Infinity, popularByCategory: () => Infinity }), (located) => located.served);
  }

  categories(): readonly string[] {
    return this.categoryNames ?? [];
  }
}

/** What an assembled view of `items` items costs: its tables (~300 bytes an item) and fragment cache. */
function viewBytes(items: number): number {
  return 300 * items + VIEW_FRAGMENT_BYTES;
}

/** Where each of `rows` sits in a view planned from them: rows come first, each once, in first-seen order. */
function viewIndexes(rows: readonly number[]): number[] {
  const at = new Map<number, number>();
  for (const g of rows) if (!at.has(g)) at.set(g, at.size);
  return rows.map((g) => at.get(g)!);
}

function concat(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
