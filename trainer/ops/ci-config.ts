import { isAbsolute, join, resolve } from "node:path";

/**
 * Configuration of the retrain-and-deploy chain (`npm run ci:*`, .github/workflows/deploy.yml),
 * all from environment variables so the workflow can set them from repository variables
 * and secrets. README.md ("Configuration") has the same table for users.
 */
export interface CiConfig {
  /** EDGEREC_WORK_DIR (default .edgerec): data, artifact, report and metrics go here. */
  workDir: string;
  /** EDGEREC_DATA_DIR (default <workDir>/data): where the fetch step puts the store's export. */
  dataDir: string;
  /** EDGEREC_FETCH_COMMAND: shell command that writes the export into the data dir. */
  fetchCommand?: string;
  /** EDGEREC_DATA_URL: space-separated URLs downloaded into the data dir (Bearer EDGEREC_DATA_TOKEN if set). */
  dataUrls: string[];
  dataToken?: string;
  /** EDGEREC_INTERACTIONS: interaction files (relative to the data dir or absolute); default: the sample store. */
  interactions: string[];
  /** EDGEREC_ITEMS: catalogue file. */
  items?: string;
  /** EDGEREC_DATA_SOURCE: what the data is (recorded in the artifact; default: the files' names). */
  dataSource?: string;
  /** EDGEREC_TRAIN_ARGS: extra `edgerec train` options, split on spaces (the model defaults to --model auto). */
  trainArgs: string[];
  /** EDGEREC_ARTIFACT (default <workDir>/artifact.bin). */
  artifact: string;
  /** EDGEREC_REPORT (default <workDir>/report.html). */
  report: string;
  /** <workDir>/metrics.json, written by the evaluate step. */
  metricsFile: string;
  /** EDGEREC_TARGET: "local" (wrangler's local storage, default) or "remote" (Cloudflare, needs CLOUDFLARE_API_TOKEN). */
  target: "local" | "remote";
  /** EDGEREC_BACKEND: where versions are published, "r2" (default), "kv" or "both" (match the worker's ARTIFACT_SOURCE). */
  backend: "r2" | "kv" | "both";
  /** EDGEREC_PERSIST_DIR: wrangler local state directory (default .wrangler/state, which `wrangler dev` reads). */
  persistDir?: string;
  /** EDGEREC_KEEP_VERSIONS: versions kept after publishing (older ones deleted), default 5. */
  keepVersions: number;
  /** EDGEREC_GATE_TOLERANCE: allowed relative drop of the headline metric, default 0.02. */
  gateTolerance?: number;
  /** EDGEREC_WORKER_URL: the worker to smoke-test (default http://127.0.0.1:8787). */
  workerUrl: string;
  /** EDGEREC_ROLLBACK_VERSION: version to roll back to (default: the previous one). */
  rollbackVersion?: string;
  /** EDGEREC_KV_NAMESPACE_ID: the real KV namespace id for `wrangler deploy` (wrangler.toml holds a local placeholder). */
  kvNamespaceId?: string;
  /** EDGEREC_DEPLOY_DRY_RUN=1: bundle and check the worker (`wrangler deploy --dry-run`) without an account. */
  deployDryRun: boolean;
  /** EDGEREC_ENV: the `edgerec deploy` environment remote steps use, "production" (default) or "staging". */
  deployEnv: "staging" | "production";
}

function words(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter(Boolean);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() ? value.trim() : undefined;
}

export function readCiConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CiConfig {
  const workDir = resolve(cwd, env.EDGEREC_WORK_DIR || ".edgerec");
  const dataDir = resolve(cwd, env.EDGEREC_DATA_DIR || join(workDir, "data"));
  const inData = (f: string) => (isAbsolute(f) ? f : join(dataDir, f));
  const target = (env.EDGEREC_TARGET || "local").trim();
  if (target !== "local" && target !== "remote") throw new Error(`EDGEREC_TARGET must be "local" or "remote", got ${JSON.stringify(target)}`);
  const backend = (env.EDGEREC_BACKEND || "r2").trim();
  if (backend !== "r2" && backend !== "kv" && backend !== "both") throw new Error(`EDGEREC_BACKEND must be "r2", "kv" or "both", got ${JSON.stringify(backend)}`);
  const keep = Number(env.EDGEREC_KEEP_VERSIONS || 5);
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`EDGEREC_KEEP_VERSIONS must be a positive integer, got ${JSON.stringify(env.EDGEREC_KEEP_VERSIONS)}`);
  const tolerance = nonEmpty(env.EDGEREC_GATE_TOLERANCE);
  if (tolerance !== undefined && !(Number(tolerance) >= 0)) {
    throw new Error(`EDGEREC_GATE_TOLERANCE must be a non-negative number such as 0.02, got ${JSON.stringify(tolerance)}`);
  }
  const deployEnv = (env.EDGEREC_ENV || "production").trim();
  if (deployEnv !== "staging" && deployEnv !== "production") throw new Error(`EDGEREC_ENV must be "staging" or "production", got ${JSON.stringify(deployEnv)}`);
  return {
    deployEnv,
    workDir,
    dataDir,
    fetchCommand: nonEmpty(env.EDGEREC_FETCH_COMMAND),
    dataUrls: words(env.EDGEREC_DATA_URL),
    dataToken: nonEmpty(env.EDGEREC_DATA_TOKEN),
    interactions: words(env.EDGEREC_INTERACTIONS).map(inData),
    items: nonEmpty(env.EDGEREC_ITEMS) ? inData(env.EDGEREC_ITEMS!.trim()) : undefined,
    dataSource: nonEmpty(env.EDGEREC_DATA_SOURCE),
    trainArgs: words(env.EDGEREC_TRAIN_ARGS),
    artifact: resolve(cwd, env.EDGEREC_ARTIFACT || join(workDir, "artifact.bin")),
    report: resolve(cwd, env.EDGEREC_REPORT || join(workDir, "report.html")),
    metricsFile: join(workDir, "metrics.json"),
    target,
    backend,
    persistDir: nonEmpty(env.EDGEREC_PERSIST_DIR) ? resolve(cwd, env.EDGEREC_PERSIST_DIR!) : undefined,
    keepVersions: keep,
    gateTolerance: tolerance === undefined ? undefined : Number(tolerance),
    workerUrl: nonEmpty(env.EDGEREC_WORKER_URL) ?? "http://127.0.0.1:8787",
    rollbackVersion: nonEmpty(env.EDGEREC_ROLLBACK_VERSION),
    kvNamespaceId: nonEmpty(env.EDGEREC_KV_NAMESPACE_ID),
    deployDryRun: /^(1|true|yes)$/i.test(env.EDGEREC_DEPLOY_DRY_RUN ?? ""),
  };
}
