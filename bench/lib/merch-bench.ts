/**
 * bench:serve's merchandising phase: the same 100k-item artifact served with and without a
 * 10,000-item catalogue overlay and 20 active rules (interleaved rounds, one process), the time
 * to parse and apply such an overlay (with the rules) to a loaded artifact, and what the
 * isolate holds with all three loaded.
 */
import {
  decodeArtifact,
  emptyOverlay,
  type ItemWrite,
  MERCH_HEAD_KEY,
  mergeChanges,
  OVERLAY_KEY,
  type OverlayDocument,
  RULES_FORMAT,
  RULES_KEY,
  type RulesDocument,
  RulesInput,
} from "../../src/artifact/index.ts";
import { collectGarbage } from "../../trainer/util/collect-garbage.ts";

interface BenchApp {
  request(path: string, init: RequestInit | undefined, env: Record<string, unknown>): Promise<Response>;
}

/** Modules typed against workers-types are loaded by a computed path (see bench/serve.ts). */
const STATE_MODULE = "../../src/merch/state.ts";
const SERVED_MODULE = "../../src/store/served.ts";

export const OVERLAY_ITEMS = 10_000;
export const ACTIVE_RULES = 20;

const BRANDS = ["Oatly", "Alpro", "Barilla", "Lavazza", "Kind", "Pukka", "Quaker", "Kallo"];

/** 10,000 changed items: prices, stock, titles, categories, hidden, and 500 new products. */
export function benchOverlay(items: number, itemId: (i: number) => string): OverlayDocument {
  const writes: ItemWrite[] = [];
  const step = Math.max(1, Math.floor(items / OVERLAY_ITEMS));
  for (let w = 0; w < OVERLAY_ITEMS - 500; w++) {
    const id = itemId((w * step + 7) % items);
    const kind = w % 10;
    if (kind < 4) writes.push({ id, op: "patch", change: { price: 1 + (w % 1900) / 100 } });
    else if (kind < 5) writes.push({ id, op: "patch", change: { inStock: false } });
    else if (kind < 7) writes.push({ id, op: "patch", change: { title: `Relabelled product ${w}`, price: 2.5 } });
    else if (kind < 8) writes.push({ id, op: "patch", change: { categories: ["Pantry", "Seasonal"] } });
    else if (kind < 9) writes.push({ id, op: "patch", change: { hidden: w % 20 === 8 } });
    else writes.push({ id, op: "patch", change: { inStock: true, image: `https://img.example.com/v2/${w}.jpg` } });
  }
  for (let j = 0; j < 500; j++) {
    writes.push({ id: `NEW-${j}`, op: "put", change: { title: `${BRANDS[j % BRANDS.length]} Oat Drink ${j}`, brand: BRANDS[j % BRANDS.length], categories: ["Beverages", "Plant Milk"], price: 2 + (j % 5) } });
  }
  return mergeChanges(emptyOverlay(), writes, new Date().toISOString());
}

/** Twenty rules, every one applying to similar-items lists. */
export function benchRules(itemId: (i: number) => string): RulesDocument {
  const input = RulesInput.parse({
    rules: [
      { kind: "pin", item: itemId(11), position: 3 },
      { kind: "pin", item: itemId(12), position: 7 },
      { kind: "pin", item: "NEW-3", position: 9 },
      { kind: "boost", match: { brands: ["Oatly", "Kind"] }, factor: 1.5 },
      { kind: "boost", match: { categories: ["Coffee"] }, factor: 1.3 },
      { kind: "boost", match: { minPrice: 5, maxPrice: 10 }, factor: 1.2 },
      { kind: "boost", match: { new: true }, factor: 2 },
      { kind: "bury", match: { brands: ["Ecover"] }, factor: 2 },
      { kind: "bury", match: { categories: ["Household > Paper"] }, factor: 1.5 },
      { kind: "bury", match: { maxPrice: 1 }, factor: 1.5 },
      { kind: "hide", match: { brands: ["Rude Health"] }, where: { lists: ["similar"] } },
      { kind: "hide", match: { categories: ["Laundry"] }, where: { lists: ["similar", "basket"] } },
      { kind: "filter", match: { minPrice: 0 }, where: { lists: ["similar"] } },
      { kind: "hide", match: { items: Array.from({ length: 200 }, (_, i) => itemId(i * 37)) } },
      { kind: "cap", by: "brand", max: 4 },
      { kind: "cap", by: "category", level: 2, max: 5 },
      { kind: "diversity", lambda: 0.7 },
      { kind: "notRecentlyBought", days: 30, repurchasable: ["Beverages"] },
      { kind: "newArrivals", slots: 1, position: 5 },
      { kind: "boost", match: { items: Array.from({ length: 50 }, (_, i) => itemId(i * 101)) }, factor: 3 },
    ],
  });
  return { format: RULES_FORMAT, version: 1, updatedAt: new Date().toISOString(), ...input };
}

/** A stand-in for the KV binding, holding values in memory (the phase measures the app, not storage). */
function memoryKv(values: Map<string, string>): unknown {
  return {
    async get(key: string, type?: string) {
      const v = values.get(key);
      if (v === undefined) return null;
      return type === "json" ? JSON.parse(v) : v;
    },
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

function heldMiB(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1048576;
}

export interface MerchBenchOptions {
  bytes: Uint8Array;
  items: number;
  itemId: (i: number) => string;
  createApp: () => BenchApp;
  /** env of the plain in-process phase (R2 stand-in); the merch app adds KV. */
  env: Record<string, unknown>;
  log: (line: string) => void;
}

export async function merchPhase(o: MerchBenchOptions) {
  const overlay = benchOverlay(o.items, o.itemId);
  const rules = benchRules(o.itemId);
  const overlayText = JSON.stringify(overlay);
  const rulesText = JSON.stringify(rules);
  const gc = () => {
    collectGarbage();
    collectGarbage();
  };

  // Parse + apply: the worker's path after a KV read of a new overlay version (JSON.parse, MerchState,
  // the compiled view with the 20 rules). The rules document is unchanged, as when only the catalogue
  // moves: its artifact-wide part is compiled once (the first call below) and reused.
  const { MerchState } = (await import(STATE_MODULE)) as { MerchState: new (o: OverlayDocument, r: RulesDocument) => { viewFor(s: unknown): { blocked?: Uint8Array } } };
  const { ServedArtifact } = (await import(SERVED_MODULE)) as { ServedArtifact: new (a: unknown, at: number, ms: number, bytes: number) => unknown };
  const served = new ServedArtifact(await decodeArtifact(o.bytes.slice()), Date.now(), 0, o.bytes.byteLength);
  new MerchState(overlay, rules).viewFor(served); // facets and the rules' artifact-wide bits: once per artifact and rules version
  const t0 = performance.now();
  new MerchState(emptyOverlay(), JSON.parse(rulesText) as RulesDocument).viewFor(served);
  const rulesCompileMs = performance.now() - t0;
  const applyTimes: number[] = [];
  const applyCpu: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const state = new MerchState(JSON.parse(overlayText) as OverlayDocument, rules);
    state.viewFor(served);
    applyTimes.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    applyCpu.push((used.user + used.system) / 1000);
  }

  // Memory: what one app holds with the artifact, overlay and rules loaded and warm.
  const kv = new Map([
    [MERCH_HEAD_KEY, JSON.stringify({ overlay: overlay.version, rules: rules.version })],
    [OVERLAY_KEY, overlayText],
    [RULES_KEY, rulesText],
  ]);
  const merchEnv = { ...o.env, KV: memoryKv(kv), MERCH_RECHECK_SECONDS: "3600" };
  gc();
  const before = heldMiB();
  const merchApp = o.createApp();
  const plainApp = o.createApp();
  const rng = (i: number) => (Math.imul(i + 1, 2654435761) >>> 0) % o.items;
  const once = async (app: BenchApp, env: Record<string, unknown>, i: number) => {
    const t = performance.now();
    const res = await app.request(`/v1/items/${o.itemId(rng(i))}/similar?k=10`, undefined, env);
    await res.text();
    const dt = performance.now() - t;
    if (res.status !== 200) throw new Error(`similar answered ${res.status}`);
    return dt;
  };
  await once(merchApp, merchEnv, 0);
  gc();
  const isolateMiB = heldMiB() - before;
  o.log(`merch phase: overlay ${overlayText.length} bytes, warming…`);
  for (let i = 0; i < o.items; i += 3) {
    await once(merchApp, merchEnv, i);
    await once(plainApp, o.env, i);
  }
  const plain: number[] = [];
  const withRules: number[] = [];
  for (let r = 0; r < 8; r++) {
    for (let i = 0; i < 2500; i++) plain.push(await once(plainApp, o.env, r * 2500 + i));
    for (let i = 0; i < 2500; i++) withRules.push(await once(merchApp, merchEnv, r * 2500 + i));
  }
  const similarPlainUs = median(plain) * 1000;
  const similarWithRulesMedianUs = median(withRules) * 1000;
  return {
    similarWithRulesMedianUs,
    similarSameRunMedianUs: similarPlainUs,
    rulesOverheadRatio: similarWithRulesMedianUs / similarPlainUs,
    overlayApplyMs: median(applyTimes),
    /** The same runs' CPU time and fastest wall time: the machine is shared, so wall medians include waiting. */
    overlayApplyCpuMs: median(applyCpu),
    overlayApplyMinMs: Math.min(...applyTimes),
    rulesCompileMs,
    overlayBytes: overlayText.length,
    activeRules: rules.rules.length,
    merchIsolateMiB: isolateMiB,
  };
}
