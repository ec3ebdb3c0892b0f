/** `train --events local|remote|<dir> [--since 90d] [--event-weights …] [--event-half-life 30]`. */
import type { Command } from "commander";
import { dataSpecFromOptions, type DataCliOptions } from "../data/cli-options.ts";
import { parseEventWeights } from "../data/events.ts";
import { eventsDataset } from "./dataset.ts";
import type { Dataset } from "../data/spec.ts";
import { InputError } from "../data/types.ts";
import { parseSince } from "./since.ts";
import { openEventSource } from "./source.ts";

export interface EventTrainCliOptions {
  events?: string;
  since?: string;
  eventWeights?: string;
  eventHalfLife?: string;
  eventsPersistTo?: string;
  eventsApi?: string;
}

export function addEventTrainOptions(cmd: Command): Command {
  return cmd
    .option("--events <where>", "train on stored shopper events: local (wrangler dev's storage), remote (the worker's admin API), or a directory")
    .option("--since <when>", "with --events: only events from this far back (90d, 12h, or a date)", "90d")
    .option("--event-weights <list>", "with --events: implicit weight per type, e.g. purchase=5,add_to_cart=3,click=2,view=1")
    .option("--event-half-life <days>", "with --events: weights halve every this many days (0 = no decay)", "30")
    .option("--events-persist-to <dir>", "with --events local: the local storage directory (as wrangler's --persist-to)")
    .option("--events-api <url>", "with --events remote: the worker's base URL (token in EDGEREC_ADMIN_TOKEN)");
}

/** The training dataset: events (merged with files when given), or the files alone. */
export async function loadTrainingData(
  opts: EventTrainCliOptions & DataCliOptions,
  progress: boolean,
  filesOnly: () => Promise<Dataset>,
  keepUser?: (userId: string) => boolean,
): Promise<Dataset> {
  if (!opts.events) return filesOnly();
  const halfLife = Number(opts.eventHalfLife ?? 30);
  if (!Number.isFinite(halfLife) || halfLife < 0) throw new InputError(`--event-half-life must be a number of days >= 0, got ${JSON.stringify(opts.eventHalfLife)}`);
  const hasFiles = Boolean(opts.interactions?.length || opts.train?.length);
  const source = await openEventSource(opts.events, { persistTo: opts.eventsPersistTo, api: opts.eventsApi });
  try {
    const { dataset } = await eventsDataset(source, {
      since: parseSince(opts.since),
      weights: parseEventWeights(opts.eventWeights),
      halfLifeDays: halfLife,
      keepUser,
      spec: hasFiles ? dataSpecFromOptions(opts) : undefined,
      items: hasFiles ? undefined : opts.items,
      progress,
    });
    return dataset;
  } finally {
    await source.dispose();
  }
}
