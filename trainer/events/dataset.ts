/**
 * A Dataset from stored events, alone or merged with review/rating files: what `edgerec train
 * --events` reads. Events become interactions (data/events.ts); with files, both share one id
 * space and a pair in both keeps its stronger signal; with only a catalogue (--items), its
 * items without events join as cold-start items.
 */
import type { StoredEvent } from "../../src/artifact/index.ts";
import { readEvents } from "./read.ts";
import type { EventObjectSource } from "./source.ts";
import { eventsToInteractions, mergeInteractions, type EventInteractionOptions, type Exposures } from "../data/events.ts";
import { loadDataset } from "../data/load.ts";
import { readItemsFile } from "../data/readers/items.ts";
import { ReportBuilder } from "../data/report.ts";
import type { DataSpec, Dataset } from "../data/spec.ts";
import { InputError, type ItemMeta } from "../data/types.ts";

export interface EventsDatasetOptions extends EventInteractionOptions {
  since?: number;
  /** Review/rating files (and catalogue) to merge with; undefined = events only. */
  spec?: DataSpec;
  /** Catalogue file when there are no interaction files. */
  items?: string;
  progress?: boolean;
}

export interface EventsDataset {
  dataset: Dataset;
  events: StoredEvent[];
  exposures: Exposures;
}

export async function eventsDataset(source: EventObjectSource, opts: EventsDatasetOptions = {}): Promise<EventsDataset> {
  const read = await readEvents(source, { since: opts.since });
  if (read.events.length === 0) {
    throw new InputError(`no events found in ${source.where}${opts.since !== undefined ? ` since ${new Date(opts.since).toISOString()}` : ""}`, undefined, undefined, "check --events and --since (`edgerec events count` shows what is stored)");
  }
  const ev = eventsToInteractions(read.events, { ...opts, source: source.where });
  ev.report.rowsRead += read.malformed + read.duplicates;
  ev.report.rejected = read.malformed;
  ev.report.duplicatesMerged = read.duplicates;
  ev.report.problems = read.problems;
  if (opts.spec) {
    const base = await loadDataset(opts.spec, { progress: opts.progress });
    if (base.splits) throw new InputError("--events merges with --interactions files, not with given --train/--dev/--test splits");
    const interactions = mergeInteractions(base.interactions, ev.interactions);
    const meta = new Map(base.items.map((m) => [m.id, m]));
    const dataset: Dataset = { ...base, interactions, items: interactions.itemIds.map((id) => meta.get(id) ?? { id }), reports: [...base.reports, ev.report] };
    if (dataset.extra?.catalogueOnlyItems) {
      // New event items now follow the catalogue-only block, so it no longer sits at the end.
      dataset.extra = { ...dataset.extra, catalogueOnlyItems: undefined };
    }
    return { dataset, events: read.events, exposures: ev.exposures };
  }
  const reports = [ev.report];
  const interactions = ev.interactions;
  let items: ItemMeta[] = interactions.itemIds.map((id) => ({ id }));
  if (opts.items) {
    const report = new ReportBuilder(opts.items);
    const catalogue = await readItemsFile(opts.items, {}, report, opts.progress);
    const known = new Set(interactions.itemIds);
    for (const id of catalogue.keys()) if (!known.has(id)) interactions.itemIds.push(id);
    items = interactions.itemIds.map((id) => catalogue.get(id) ?? { id });
    reports.push(report.toReport());
  }
  return { dataset: { interactions, items, reports }, events: read.events, exposures: ev.exposures };
}
