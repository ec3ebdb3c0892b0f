/**
 * The isolate's copy of the overlay and the rules. Every request captures one MerchState
 * (immutable), so one response sees one version of both. The head key is re-read at most every
 * MERCH_RECHECK_SECONDS (default 30) in the background, and a document is downloaded again only
 * when its version in the head moved: with KV's own propagation (up to 60 s) every isolate
 * applies a change within about a minute. The isolate that handled a write swaps to the new
 * state before it answers, so its next request already sees the change.
 */
import type { Env } from "../config.ts";
import {
  type ItemWrite,
  MERCH_HEAD_KEY,
  type MerchHead,
  mergeChanges,
  OVERLAY_KEY,
  readOverlay,
  readRules,
  RULES_FORMAT,
  RULES_KEY,
  type RulesDocument,
  type RulesInput,
} from "../artifact/index.ts";
import { MerchState } from "./state.ts";

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

const DEFAULT_RECHECK_MS = 30_000;
/** After a failed read, requests serve what is loaded and try again this much later. */
const RETRY_AFTER_FAILURE_MS = 2_000;

function recheckMs(env: Partial<Env>): number {
  const raw = env.MERCH_RECHECK_SECONDS;
  if (raw === undefined || raw.trim() === "") return DEFAULT_RECHECK_MS;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 3600) * 1000 : DEFAULT_RECHECK_MS;
}

export class MerchStore {
  private state = MerchState.EMPTY;
  private loaded = false;
  private inflight: Promise<MerchState> | null = null;
  private lastCheck = -Infinity;
  private lastError: string | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** The state to serve this request from; a promise only until the first read finishes. */
  current(env: Partial<Env>, ctx?: () => WaitUntil | undefined): MerchState | Promise<MerchState> {
    if (!env.KV) return this.state;
    const due = this.now() - this.lastCheck >= (this.lastError ? RETRY_AFTER_FAILURE_MS : recheckMs(env));
    if (this.loaded) {
      if (due && !this.inflight) ctx?.()?.waitUntil(this.refresh(env));
      return this.state;
    }
    if (!due) return this.state;
    return this.inflight ?? this.refresh(env);
  }

  /** Re-reads the head and whichever document moved. A failure keeps the state in force (and is reported). */
  refresh(env: Partial<Env>): Promise<MerchState> {
    if (this.inflight) return this.inflight;
    this.lastCheck = this.now();
    this.inflight = this.read(env)
      .then(
        (state) => {
          this.lastError = null;
          this.loaded = true;
          return this.adopt(state);
        },
        (err) => {
          this.lastError = `reading the overlay/rules from KV failed: ${err instanceof Error ? err.message : String(err)}`;
          console.warn(`edgerec: ${this.lastError}; serving the previous overlay and rules`);
          return this.state;
        },
      )
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  private async read(env: Partial<Env>): Promise<MerchState> {
    const kv = env.KV!;
    const head = (await kv.get(MERCH_HEAD_KEY, "json")) as MerchHead | null;
    const current = this.state;
    if (!head) return current;
    const [overlay, rules] = await Promise.all([
      head.overlay > current.overlay.version ? kv.get(OVERLAY_KEY, "text").then(readOverlay) : current.overlay,
      head.rules > current.rules.version ? kv.get(RULES_KEY, "text").then(readRules) : current.rules,
    ]);
    return overlay === current.overlay && rules === current.rules ? current : new MerchState(overlay, rules);
  }

  /** Never goes back to an older version (a lagging KV read after this isolate's own write). */
  private adopt(next: MerchState): MerchState {
    const cur = this.state;
    const overlay = next.overlay.version >= cur.overlay.version ? next.overlay : cur.overlay;
    const rules = next.rules.version >= cur.rules.version ? next.rules : cur.rules;
    if (overlay !== cur.overlay || rules !== cur.rules) this.state = overlay === next.overlay && rules === next.rules ? next : new MerchState(overlay, rules);
    return this.state;
  }

  /** Applies item writes to the stored overlay, then to this isolate at once. */
  async writeItems(env: Partial<Env>, writes: readonly ItemWrite[]): Promise<MerchState> {
    const kv = requireKv(env);
    const stored = readOverlay(await kv.get(OVERLAY_KEY, "text"));
    const base = stored.version >= this.state.overlay.version ? stored : this.state.overlay;
    const next = mergeChanges(base, writes, new Date(this.now()).toISOString());
    await kv.put(OVERLAY_KEY, JSON.stringify(next));
    await this.writeHead(kv, { overlay: next.version, rules: Math.max(this.state.rules.version, 0) });
    this.loaded = true;
    return this.adopt(new MerchState(next, this.state.rules));
  }

  /** Stores an already validated rules document, then uses it here at once. */
  async writeRules(env: Partial<Env>, input: RulesInput): Promise<MerchState> {
    const kv = requireKv(env);
    const stored = readRules(await kv.get(RULES_KEY, "text"));
    const version = Math.max(stored.version, this.state.rules.version) + 1;
    const doc: RulesDocument = { format: RULES_FORMAT, version, updatedAt: new Date(this.now()).toISOString(), ...input };
    await kv.put(RULES_KEY, JSON.stringify(doc));
    await this.writeHead(kv, { overlay: this.state.overlay.version, rules: version });
    this.loaded = true;
    return this.adopt(new MerchState(this.state.overlay, doc));
  }

  private async writeHead(kv: KVNamespace, mine: MerchHead): Promise<void> {
    const head = ((await kv.get(MERCH_HEAD_KEY, "json")) as MerchHead | null) ?? { overlay: 0, rules: 0 };
    await kv.put(MERCH_HEAD_KEY, JSON.stringify({ overlay: Math.max(head.overlay, mine.overlay), rules: Math.max(head.rules, mine.rules) }));
  }
}

function requireKv(env: Partial<Env>): KVNamespace {
  if (!env.KV) throw new Error("the KV binding is missing: the overlay and rules are stored in KV (see wrangler.toml)");
  return env.KV;
}
