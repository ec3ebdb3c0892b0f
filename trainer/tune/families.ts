import type { ModelConfig } from "./config.ts";

/**
 * One kind of model the search tries: its configurations in the order they are tried. The
 * search runs every family's first configuration before any family's second, so a tight time
 * budget still sees one of each.
 */
export interface TuneFamily {
  /** Shown in progress lines and skip notes, and the key that keeps one best model per family for blends. */
  name: string;
  configs: ModelConfig[];
  /**
   * Fitted epoch by epoch (the model calls `onEpoch`): the search validates every few epochs,
   * stops early, and the chosen epoch count becomes the config's `epochs`.
   */
  iterative: boolean;
  /** Whether its best model may join blends (default true). */
  blendable?: boolean;
  /**
   * Seconds a fit of one configuration is expected to take before any has run (one-shot fits
   * that cannot stop midway, like EASE's n³ inverse): a first trial that would overrun the
   * budget is skipped. Later trials go by the family's measured times.
   */
  estimateSeconds?: (config: ModelConfig) => number;
  /** Iterative families: validation checks at least this sparse and patient (e.g. a noisy Adam climb). */
  checks?: { evalEvery: number; patience: number };
}

/** What a family provider may look at to decide whether, and with what, it takes part. */
export interface FamilyContext {
  task: "ranking" | "rating-class";
  nUsers: number;
  nItems: number;
  /** Interactions in the tuning train matrix. */
  nnz: number;
  /** The interactions carry times: each user's items have an order for order-aware models to learn. */
  ordered: boolean;
  timeBudgetSeconds?: number;
}

export type FamilyProvider = (ctx: FamilyContext) => TuneFamily | undefined;

const providers: FamilyProvider[] = [];

/**
 * Adds a family to every search (e.g. an order-aware model once it is registered with
 * registerModel): the provider returns its configurations for this data, or undefined to sit
 * the search out. Registered families run after the built-in ones in each round.
 */
export function registerTuneFamily(provider: FamilyProvider): () => void {
  providers.push(provider);
  return () => {
    const at = providers.indexOf(provider);
    if (at >= 0) providers.splice(at, 1);
  };
}

export function registeredTuneFamilies(ctx: FamilyContext): TuneFamily[] {
  return providers.map((p) => p(ctx)).filter((f): f is TuneFamily => f !== undefined && f.configs.length > 0);
}

/**
 * Interleaves the families' configurations: round r holds every family's r-th one (families
 * in the given order), so each family's first trial comes before any family's second.
 */
export function roundRobin(families: TuneFamily[]): Array<{ family: TuneFamily; config: ModelConfig; round: number }> {
  const order: Array<{ family: TuneFamily; config: ModelConfig; round: number }> = [];
  const rounds = Math.max(0, ...families.map((f) => f.configs.length));
  for (let r = 0; r < rounds; r++) {
    for (const family of families) if (r < family.configs.length) order.push({ family, config: family.configs[r], round: r });
  }
  return order;
}
