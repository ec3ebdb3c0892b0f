/** `--local | --remote | --dir <dir>` (+ --persist-to, --api): where the events CLI commands read from. */
import type { Command } from "commander";
import { InputError } from "../data/types.ts";
import { openEventSource, type EventObjectSource } from "./source.ts";

export interface EventSourceCliOptions {
  local?: boolean;
  remote?: boolean;
  dir?: string;
  persistTo?: string;
  api?: string;
}

export function addEventSourceOptions(cmd: Command): Command {
  return cmd
    .option("--local", "wrangler's local storage, as `wrangler dev --local` writes it (default .wrangler/state)")
    .option("--remote", "the deployed worker's admin API (--api <url> or EDGEREC_API, token in EDGEREC_ADMIN_TOKEN)")
    .option("--dir <dir>", "a directory holding events/dt=…/hr=…/*.ndjson.gz")
    .option("--persist-to <dir>", "local storage directory (as wrangler's --persist-to)")
    .option("--api <url>", "worker base URL for --remote");
}

/** The `where` word of `--events local|remote|<dir>`, from the flag form. */
export function eventWhere(opts: EventSourceCliOptions): string {
  const chosen = [opts.local && "local", opts.remote && "remote", opts.dir].filter(Boolean) as string[];
  if (chosen.length !== 1) throw new InputError("say where the events are: exactly one of --local, --remote or --dir <dir>");
  return chosen[0];
}

export function openFromCli(where: string, opts: EventSourceCliOptions): Promise<EventObjectSource> {
  return openEventSource(where, { persistTo: opts.persistTo, api: opts.api });
}
