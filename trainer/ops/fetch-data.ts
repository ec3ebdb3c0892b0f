import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ensureSample } from "../sample/ensure.ts";
import type { CiConfig } from "./ci-config.ts";

export interface FetchedData {
  /** How the data came: the configured command, URLs, or the generated sample store. */
  source: "command" | "url" | "sample";
  interactions: string[];
  items?: string;
}

/**
 * The workflow's "fetch the store's data" step. A store plugs in its own export with
 * EDGEREC_FETCH_COMMAND (any shell command: `aws s3 cp …`, `curl …`, a SQL dump script)
 * or EDGEREC_DATA_URL; with neither, the sample store is generated so the chain still runs.
 */
export async function fetchData(config: CiConfig, log: (line: string) => void = console.log): Promise<FetchedData> {
  mkdirSync(config.dataDir, { recursive: true });
  if (config.fetchCommand) {
    log(`fetch: running EDGEREC_FETCH_COMMAND in ${config.dataDir}`);
    const run = spawnSync("sh", ["-c", config.fetchCommand], {
      cwd: config.dataDir,
      stdio: "inherit",
      env: { ...process.env, EDGEREC_DATA_DIR: config.dataDir },
    });
    if (run.status !== 0) throw new Error(`fetch: EDGEREC_FETCH_COMMAND exited with ${run.status ?? run.signal}; nothing was trained`);
    return { source: "command", interactions: config.interactions, items: config.items };
  }
  if (config.dataUrls.length > 0) {
    for (const url of config.dataUrls) {
      const file = join(config.dataDir, basename(new URL(url).pathname) || "data");
      log(`fetch: ${url} → ${file}`);
      const res = await fetch(url, { headers: config.dataToken ? { authorization: `Bearer ${config.dataToken}` } : {} });
      if (!res.ok) throw new Error(`fetch: GET ${url} answered HTTP ${res.status}; check EDGEREC_DATA_URL and EDGEREC_DATA_TOKEN`);
      writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
    }
    return { source: "url", interactions: config.interactions, items: config.items };
  }
  if (config.interactions.length > 0) {
    log(`fetch: no EDGEREC_FETCH_COMMAND / EDGEREC_DATA_URL; using the files already named by EDGEREC_INTERACTIONS`);
    return { source: "command", interactions: config.interactions, items: config.items };
  }
  const sample = ensureSample(join(config.workDir, "sample"));
  log(`fetch: no data source configured (EDGEREC_FETCH_COMMAND / EDGEREC_DATA_URL); ${sample.reused ? "reusing" : "generated"} the sample store in ${sample.dir}`);
  return { source: "sample", interactions: [sample.reviews], items: sample.meta };
}

/** The files the train step reads: configured ones, else the sample store. */
export function trainingFiles(config: CiConfig): { interactions: string[]; items?: string } {
  if (config.interactions.length > 0) return { interactions: config.interactions, items: config.items };
  const sample = ensureSample(join(config.workDir, "sample"));
  return { interactions: [sample.reviews], items: sample.meta };
}
