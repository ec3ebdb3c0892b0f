/**
 * The retrain-and-deploy chain, one step per npm script (`npm run ci:<step>`), used by
 * .github/workflows/deploy.yml and runnable locally (EDGEREC_TARGET=local, the default):
 *
 *   fetch → train → evaluate → gate → publish → deploy → smoke        (rollback by hand)
 *
 * Each step shells out to the documented `edgerec` / `wrangler` commands, so what CI runs
 * is what a person would type. Configuration: trainer/ops/ci-config.ts (environment).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readArtifactHeader } from "./artifact-header.ts";
import { artifactPathFor } from "../pipeline/write-artifact.ts";
import { sampleManifestFor } from "../pipeline/trained-on.ts";
import { readCiConfig, type CiConfig } from "./ci-config.ts";
import { generatedConfigPath, readDeployState } from "../wrangler/generated-config.ts";
import { REPO_ROOT, runEdgerec, runWrangler } from "../wrangler/edgerec-cli.ts";
import { fetchData, trainingFiles } from "./fetch-data.ts";
import { formatMetricsTable } from "./metrics-table.ts";
import { smokeTest } from "./smoke.ts";

export type CiStep = "fetch" | "train" | "evaluate" | "gate" | "publish" | "deploy" | "smoke" | "rollback" | "local";

function storageFlags(config: CiConfig): string[] {
  const where = config.target === "remote" ? ["--remote", "--env", config.deployEnv] : ["--local", ...(config.persistDir ? ["--persist-to", config.persistDir] : [])];
  return [...where, "--backend", config.backend];
}

/**
 * Remote gate/publish/rollback use the config `edgerec deploy` generates (the account's bucket and
 * namespace ids); on a fresh CI runner it is made first, finding (or creating) those resources.
 */
async function ensureRemoteConfig(config: CiConfig): Promise<void> {
  if (config.target !== "remote" || existsSync(generatedConfigPath(config.deployEnv))) return;
  await runEdgerec(["deploy", "--env", config.deployEnv, "--config-only"]);
}

export async function runCiStep(step: CiStep, config: CiConfig = readCiConfig(), log: (line: string) => void = console.log): Promise<void> {
  mkdirSync(config.workDir, { recursive: true });
  switch (step) {
    case "fetch":
      await fetchData(config, log);
      return;
    case "train": {
      refuseSampleForRemote(config);
      const files = trainingFiles(config);
      // The shoppers forgotten where this artifact will be served never reach it.
      await ensureRemoteConfig(config);
      const forgetFrom = config.target === "remote" ? `remote:${config.deployEnv}` : config.persistDir ? `local:${config.persistDir}` : "local";
      await runEdgerec([
        "train",
        "--forget-from",
        forgetFrom,
        "--interactions",
        ...files.interactions,
        ...(files.items ? ["--items", files.items] : []),
        "--out",
        config.artifact,
        "--report",
        config.report,
        ...(config.dataSource ? ["--data-source", config.dataSource] : []),
        ...config.trainArgs,
      ]);
      return;
    }
    case "evaluate": {
      // Training evaluated the model on held-out data and stored the metrics in the
      // artifact's header; this step shows them and keeps them for the run's records.
      const header = await readArtifactHeader(artifactPathFor(config.artifact));
      log(`artifact ${header.version}: ${header.model.type}, ${header.counts.items} items, ${header.counts.users} users`);
      log(formatMetricsTable(header.metrics, header.headlineMetric));
      writeFileSync(config.metricsFile, JSON.stringify({ version: header.version, headlineMetric: header.headlineMetric, metrics: header.metrics }, null, 2) + "\n");
      return;
    }
    case "gate": {
      await ensureRemoteConfig(config);
      const tolerance = config.gateTolerance === undefined ? [] : ["--tolerance", String(config.gateTolerance)];
      await runEdgerec(["gate", artifactPathFor(config.artifact), ...storageFlags(config), ...tolerance]);
      return;
    }
    case "publish":
      await ensureRemoteConfig(config);
      await runEdgerec(["publish", artifactPathFor(config.artifact), ...storageFlags(config), "--keep", String(config.keepVersions)]);
      return;
    case "deploy":
      await deployWorker(config, log);
      return;
    case "smoke": {
      // Right after a publish the worker must switch to the new version (within its recheck
      // period); with no artifact here (the rollback job) any served version will do.
      const built = artifactPathFor(config.artifact);
      const expectVersion = existsSync(built) ? (await readArtifactHeader(built)).version : undefined;
      // Remote without EDGEREC_WORKER_URL: the URL `edgerec deploy` recorded for this environment.
      const url = config.target === "remote" && !process.env.EDGEREC_WORKER_URL ? readDeployState(config.deployEnv)?.url : config.workerUrl;
      if (!url) throw new Error(`smoke: no URL for the ${config.deployEnv} worker; set EDGEREC_WORKER_URL or run \`npx edgerec deploy --env ${config.deployEnv}\` first`);
      await smokeTest(url, { expectVersion, log });
      return;
    }
    case "rollback":
      await ensureRemoteConfig(config);
      await runEdgerec(["rollback", ...(config.rollbackVersion ? [config.rollbackVersion] : []), ...storageFlags(config)]);
      return;
    case "local":
      // The same chain as CI, against wrangler's local storage (no account needed).
      for (const s of ["fetch", "train", "evaluate", "gate", "publish"] as const) await runCiStep(s, { ...config, target: "local" }, log);
      return;
  }
}

/**
 * A remote target never trains on the generated sample store: without a shop's data the first
 * remote run would publish made-up products to a real account (and pass the gate, having
 * nothing to compare with).
 */
export function refuseSampleForRemote(config: CiConfig): void {
  if (config.target !== "remote") return;
  const fix =
    "set EDGEREC_INTERACTIONS (and EDGEREC_ITEMS) to the store's export in EDGEREC_DATA_DIR, filled by EDGEREC_FETCH_COMMAND or EDGEREC_DATA_URL " +
    "(repository variables in GitHub Actions; see docs/training.md), or run with EDGEREC_TARGET=local to try the sample store";
  if (config.interactions.length === 0) {
    throw new Error(`ci:train refuses to train on the generated sample store for EDGEREC_TARGET=remote (no EDGEREC_INTERACTIONS given): ${fix}`);
  }
  const sample = config.interactions.find((f) => sampleManifestFor(f) !== undefined);
  if (sample) throw new Error(`ci:train refuses ${sample}: it is the generated sample store, and EDGEREC_TARGET=remote would publish it to a real account; ${fix}`);
}

/**
 * Remote: `edgerec deploy` (the same command a person runs; it finds the bucket, namespace and queues,
 * uploads secrets, deploys, publishes and smoke-tests). The workflow's gate step has already run,
 * so the deploy skips its own. Dry run: bundle with the real KV namespace id, never the placeholder.
 */
async function deployWorker(config: CiConfig, log: (line: string) => void): Promise<void> {
  if (config.target !== "remote" && !config.deployDryRun) {
    log("deploy: EDGEREC_TARGET is local; nothing to deploy (`npm start` serves the worker locally; EDGEREC_DEPLOY_DRY_RUN=1 checks the bundle)");
    return;
  }
  if (!config.deployDryRun) {
    const url = process.env.EDGEREC_WORKER_URL ? ["--url", config.workerUrl] : [];
    await runEdgerec(["deploy", "--env", config.deployEnv, "--artifact", artifactPathFor(config.artifact), "--skip-gate", "--keep", String(config.keepVersions), ...url], { quietErrors: true });
    return;
  }
  if (!config.kvNamespaceId) {
    throw new Error("deploy: a dry run needs EDGEREC_KV_NAMESPACE_ID (the id `wrangler kv namespace list` shows), so the bundle is checked with the real binding, not the local placeholder");
  }
  const configPath = writeDeployConfig(join(REPO_ROOT, "wrangler.toml"), config.kvNamespaceId);
  await runWrangler(["deploy", "--config", configPath, "--dry-run", "--outdir", join(config.workDir, "worker-bundle")]);
  log(`deploy: worker bundled (dry run) into ${join(config.workDir, "worker-bundle")} with ${relative(REPO_ROOT, configPath)}`);
}

/**
 * A copy of wrangler.toml with the real KV namespace id, under .wrangler/ (git-ignored);
 * `main` becomes absolute because wrangler resolves it against the config's folder.
 */
export function writeDeployConfig(source: string, kvNamespaceId: string): string {
  if (!/^[0-9a-f]{32}$/i.test(kvNamespaceId)) {
    throw new Error(`EDGEREC_KV_NAMESPACE_ID should be the 32-hex-digit id printed by \`wrangler kv namespace create\`, got ${JSON.stringify(kvNamespaceId)}`);
  }
  const toml = readFileSync(source, "utf8")
    .replace(/^(\s*id\s*=\s*)"edgerec-local"/m, `$1"${kvNamespaceId}"`)
    .replace(/^(\s*main\s*=\s*)"([^"]+)"/m, (_m, lead: string, main: string) => `${lead}${JSON.stringify(resolve(dirname(source), main))}`);
  const target = join(dirname(source), ".wrangler", "deploy.toml");
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, toml);
  return target;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const step = process.argv[2] as CiStep | undefined;
  const steps: CiStep[] = ["fetch", "train", "evaluate", "gate", "publish", "deploy", "smoke", "rollback", "local"];
  if (!step || !steps.includes(step)) {
    process.stderr.write(`usage: tsx trainer/ops/ci.ts <${steps.join("|")}>\n`);
    process.exit(2);
  }
  try {
    await runCiStep(step);
  } catch (err) {
    process.stderr.write(`ci:${step}: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
