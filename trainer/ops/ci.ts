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
import { REPO_ROOT, runEdgerec, runWrangler } from "./edgerec-cli.ts";
import { fetchData, trainingFiles } from "./fetch-data.ts";
import { formatMetricsTable } from "./metrics-table.ts";
import { smokeTest } from "./smoke.ts";

export type CiStep = "fetch" | "train" | "evaluate" | "gate" | "publish" | "deploy" | "smoke" | "rollback" | "local";

function storageFlags(config: CiConfig): string[] {
  const where = config.target === "remote" ? ["--remote"] : ["--local", ...(config.persistDir ? ["--persist-to", config.persistDir] : [])];
  return [...where, "--backend", config.backend];
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
      await runEdgerec([
        "train",
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
      const tolerance = config.gateTolerance === undefined ? [] : ["--tolerance", String(config.gateTolerance)];
      await runEdgerec(["gate", artifactPathFor(config.artifact), ...storageFlags(config), ...tolerance]);
      return;
    }
    case "publish":
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
      await smokeTest(config.workerUrl, { expectVersion, log });
      return;
    }
    case "rollback":
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
 * `wrangler deploy` with the real KV namespace id: wrangler.toml carries a placeholder id
 * for local development, so the deploy uses a copy with EDGEREC_KV_NAMESPACE_ID filled in.
 * (Without it the placeholder is deployed as is, which only works if ARTIFACT_SOURCE is r2
 * and the account happens to accept it; the workflow docs ask for the id.)
 */
async function deployWorker(config: CiConfig, log: (line: string) => void): Promise<void> {
  if (config.target !== "remote" && !config.deployDryRun) {
    log("deploy: EDGEREC_TARGET is local; nothing to deploy (`npm start` serves the worker locally; EDGEREC_DEPLOY_DRY_RUN=1 checks the bundle)");
    return;
  }
  if (!config.deployDryRun && (!process.env.CLOUDFLARE_API_TOKEN || !process.env.CLOUDFLARE_ACCOUNT_ID)) {
    throw new Error("deploy: CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID must be set (repository secrets in GitHub Actions)");
  }
  let configPath = join(REPO_ROOT, "wrangler.toml");
  if (config.kvNamespaceId) configPath = writeDeployConfig(configPath, config.kvNamespaceId);
  const dryRun = config.deployDryRun ? ["--dry-run", "--outdir", join(config.workDir, "worker-bundle")] : [];
  await runWrangler(["deploy", "--config", configPath, ...dryRun]);
  log(`deploy: worker ${config.deployDryRun ? "bundled (dry run) into " + join(config.workDir, "worker-bundle") : "deployed"} with ${relative(REPO_ROOT, configPath)}`);
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
