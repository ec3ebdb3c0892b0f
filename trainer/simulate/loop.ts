/**
 * `edgerec simulate`: the whole loop against the real worker under `wrangler dev --local`.
 *
 *   0. simulated shoppers browse (view events) → queue → R2; a popularity model is trained on those events and published
 *   1. round 1: every shopper is served (popularity), sees, clicks and buys → events
 *   2. a model (item-kNN) is retrained on all events and published; popularity stays published as the A/B treatment (AB_SHARE 0.5)
 *   3. round 2: every shopper is served by the model or popularity by A/B assignment → events
 *   4. the outcome report over the events: round 2 vs round 1, model vs popularity
 *
 * Events only ever reach the trainer the way production ones do: POST /v1/events → Queue →
 * the consumer's R2 objects, read back through the worker's admin API.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredEvent } from "../../src/artifact/index.ts";
import { buildArtifact } from "../artifact/build.ts";
import { publishLocal } from "../artifact/publish-local.ts";
import { eventsToInteractions } from "../data/events.ts";
import { interactionsToCsr } from "../data/interactions-matrix.ts";
import { readEvents } from "../events/read.ts";
import { httpSource } from "../events/source.ts";
import { createModel } from "../model/registry.ts";
import { computeOutcomes, type Outcomes } from "../outcomes/outcomes.ts";
import { compareProportions } from "../outcomes/stats.ts";
import { generateStore } from "../sample/store.ts";
import { createRng } from "../util/rng.ts";
import { type DevServer, startDevServer } from "../wrangler/dev-server.ts";
import { DEFAULT_CLICK_MODEL, simulatedShoppers, type ClickModel } from "./shoppers.ts";
import { browse, emptyCounts, visit, type TrafficCounts } from "./traffic.ts";

export interface SimulationOptions {
  items?: number;
  users?: number;
  seed?: number;
  k?: number;
  concurrency?: number;
  clicks?: ClickModel;
  /** The retrained model (default itemknn). */
  model?: string;
  log?: (line: string) => void;
}

export interface SimulationResult {
  shoppers: number;
  traffic: TrafficCounts;
  storedInR2: number;
  lost: number;
  round1: Outcomes;
  round2: Outcomes;
  metrics: {
    ctrRound1: number;
    ctrRound2: number;
    pRound2VsRound1: number;
    ctrModel: number;
    ctrPopularity: number;
    pModelVsPopularity: number;
  };
  versions: { popularity: string; model: string };
}

async function drain(api: string, token: string, expected: number, timeoutMs = 60_000): Promise<StoredEvent[]> {
  const source = httpSource(api, token);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await readEvents(source);
    if (read.events.length >= expected || Date.now() > deadline) return read.events;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Trains `modelName` on the events and publishes it. The popularity arm is an artifact that knows
 * no shopper (ids replaced by anonymous ones), so every user request falls back to the popular
 * list, counted from the same events — the API's own popularity path.
 */
async function trainAndPublish(
  persistTo: string,
  work: string,
  events: StoredEvent[],
  modelName: string,
  items: Parameters<typeof buildArtifact>[0]["items"],
  createdAt: Date,
  popularityOnly = false,
): Promise<string> {
  const { interactions: fitted } = eventsToInteractions(events, { halfLifeDays: 0 });
  const interactions = popularityOnly ? { ...fitted, userIds: fitted.userIds.map((_, u) => `anonymous-${u}`) } : fitted;
  const model = createModel(modelName);
  await model.fit({ interactions: interactionsToCsr(interactions), rng: createRng(1) });
  const bytes = await buildArtifact({ model, interactions, items, createdAt });
  const file = join(work, `${popularityOnly ? "popularity" : modelName}.bin`);
  writeFileSync(file, bytes);
  return (await publishLocal(persistTo, file)).pointer.version;
}

export async function runSimulation(o: SimulationOptions = {}): Promise<SimulationResult> {
  const log = o.log ?? (() => {});
  const k = o.k ?? 8;
  const concurrency = o.concurrency ?? 16;
  const clicks = o.clicks ?? DEFAULT_CLICK_MODEL;
  const store = generateStore({ items: o.items ?? 600, users: o.users ?? 800, seed: o.seed ?? 11 });
  const shoppers = simulatedShoppers(store);
  const prices = new Map(store.items.map((m) => [m.id, m.price ?? 10]));
  const rng = createRng(o.seed ?? 11);
  const work = mkdtempSync(join(tmpdir(), "edgerec-simulate-"));
  const persistTo = join(work, "state");
  const token = randomBytes(16).toString("hex");
  const baseVars = { ADMIN_TOKEN: token, ARTIFACT_RECHECK_SECONDS: "3600", RATE_LIMIT: "off" };
  const traffic = emptyCounts();
  let server: DevServer | undefined;
  try {
    log(`${shoppers.length} simulated shoppers over ${store.items.length} items`);
    server = await startDevServer({ persistTo, vars: baseVars });
    await browse(server.url, shoppers, concurrency, traffic);
    let events = await drain(server.url, token, traffic.accepted);
    log(`browsing: ${events.length} view events stored in R2`);
    await server.stop();
    const popularity = await trainAndPublish(persistTo, work, events, "itemknn", store.items, new Date(Date.UTC(2026, 0, 1)), true);
    log(`published popularity ${popularity}`);

    server = await startDevServer({ persistTo, vars: baseVars });
    await visit({ api: server.url, shoppers, placement: "round-1", k, clicks, prices, rng, concurrency }, traffic);
    events = await drain(server.url, token, traffic.accepted);
    log(`round 1: ${events.length} events stored`);
    await server.stop();
    const model = await trainAndPublish(persistTo, work, events, o.model ?? "itemknn", store.items, new Date(Date.UTC(2026, 0, 2)));
    log(`retrained on the events and published ${model}; popularity stays as the A/B treatment`);

    server = await startDevServer({ persistTo, vars: { ...baseVars, AB_VERSION: popularity, AB_SHARE: "0.5" } });
    await visit({ api: server.url, shoppers, placement: "round-2", k, clicks, prices, rng, concurrency }, traffic);
    events = await drain(server.url, token, traffic.accepted);
    log(`round 2: ${events.length} events stored`);

    const round1 = computeOutcomes(events.filter((e) => e.placement === "round-1"));
    const round2 = computeOutcomes(events.filter((e) => e.placement === "round-2"));
    const r1 = round1.arms.find((a) => a.variant === "control");
    const modelArm = round2.arms.find((a) => a.variant === "control");
    const popArm = round2.arms.find((a) => a.variant === "treatment");
    if (!r1 || !modelArm || !popArm) throw new Error("the simulation produced no impressions for a round or an A/B arm");
    return {
      shoppers: shoppers.length,
      traffic,
      storedInR2: events.length,
      lost: traffic.accepted - events.length,
      round1,
      round2,
      metrics: {
        ctrRound1: r1.ctr.value,
        ctrRound2: modelArm.ctr.value,
        pRound2VsRound1: compareProportions(r1.clicks, r1.impressions, modelArm.clicks, modelArm.impressions).p,
        ctrModel: modelArm.ctr.value,
        ctrPopularity: popArm.ctr.value,
        pModelVsPopularity: compareProportions(popArm.clicks, popArm.impressions, modelArm.clicks, modelArm.impressions).p,
      },
      versions: { popularity, model },
    };
  } finally {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
