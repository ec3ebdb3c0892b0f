/**
 * `edgerec deploy [--env staging|production]`: from a Cloudflare login (or API token) to a
 * serving worker, every step idempotent so a failed run is resumed by running it again:
 *
 *   1 login      `wrangler whoami --json` (wrangler login, or CLOUDFLARE_API_TOKEN [+ CLOUDFLARE_ACCOUNT_ID])
 *   2 artifact   decodes, and is not the generated sample store
 *   3 CORS       the store's origins; "*" only with --allow-any-origin
 *   4 bucket     `wrangler r2 bucket list`, `r2 bucket create edgerec-<env>-artifacts` if missing
 *   5 KV         `wrangler kv namespace list`, `kv namespace create edgerec-<env>` if missing
 *   6 queues     `wrangler queues list [--page n]`, `queues create edgerec-<env>-events` and
 *                `edgerec-<env>-events-dlq` if missing (every queue wrangler.toml names, renamed per env)
 *   7 config     .edgerec/deploy/<env>.wrangler.toml (untracked): the committed wrangler.toml with
 *                this environment's worker name, bucket, namespace id, queue names, CORS_ORIGINS and DEMO = "off"
 *   8 gate       `edgerec gate <artifact> --remote --env <env>` (skip with --skip-gate)
 *   9 deploy     `wrangler deploy --config <generated> --secrets-file <tmp>`: ADMIN_TOKEN and
 *                USER_TOKEN_SECRET go up with the code (an ADMIN_TOKEN is generated on the first deploy)
 *  10 publish    `edgerec publish <artifact> --remote --env <env>`
 *  11 smoke      /healthz serves the new version, popular/similar/basket answer
 *
 * Staging and production differ in everything account-side: worker, bucket, namespace, queues, secrets.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { readArtifactHeader } from "../artifact-header.ts";
import { REPO_ROOT, runEdgerec } from "../../wrangler/edgerec-cli.ts";
import { smokeTest } from "../smoke.ts";
import { wrangler, wranglerOk } from "../../wrangler/wrangler-path.ts";
import { type DeployEnv, type DeployState, deployDir, readDeployState, writeGenerated } from "../../wrangler/generated-config.ts";
import { committedQueueNames, envQueueName, findQueues } from "../../wrangler/queues.ts";
import { isSampleStoreArtifact } from "./sample-check.ts";

export interface DeployOptions {
  env: DeployEnv;
  artifact: string;
  /** Comma-separated store origins (or EDGEREC_CORS_ORIGINS, or what the last deploy used). */
  origins?: string;
  allowAnyOrigin?: boolean;
  skipGate?: boolean;
  keep?: number;
  /** The worker's public URL when it is not on workers.dev (a custom domain or route). */
  url?: string;
  /** Only find or create the bucket, namespace and queues and write the generated config (for --remote commands on a fresh machine). */
  configOnly?: boolean;
  root?: string;
  log?: (line: string) => void;
  environment?: NodeJS.ProcessEnv;
}

export interface DeployResult {
  url: string;
  version: string;
  config: string;
  created: string[];
}

export const STEPS = ["login", "artifact", "CORS", "bucket", "KV", "queues", "config", "gate", "deploy", "publish", "smoke"] as const;

const CONFIG_STEPS: readonly string[] = ["login", "CORS", "bucket", "KV", "queues", "config"];

export function workerName(env: DeployEnv): string {
  return env === "production" ? "edgerec" : `edgerec-${env}`;
}
export function bucketName(env: DeployEnv): string {
  return `edgerec-${env}-artifacts`;
}
export function namespaceTitle(env: DeployEnv): string {
  return `edgerec-${env}`;
}

class StepError extends Error {}

export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const root = options.root ?? REPO_ROOT;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const environment = options.environment ?? process.env;
  const { env } = options;
  const previous = readDeployState(env, root);
  const created: string[] = [];
  const state: DeployState = {
    env,
    workerName: workerName(env),
    bucket: bucketName(env),
    kvNamespace: namespaceTitle(env),
    kvNamespaceId: previous?.kvNamespaceId ?? "",
    corsOrigins: "",
    url: options.url ?? previous?.url,
  };
  let config = "";
  let version = "";

  const steps: Record<(typeof STEPS)[number], () => Promise<void>> = {
    login: async () => {
      const who = await wrangler(["whoami", "--json"], { env: environment });
      if (who.code !== 0) {
        throw new StepError("not logged in to Cloudflare: run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) — docs/deploy.md lists the token's permissions");
      }
    },
    artifact: async () => {
      if (!existsSync(options.artifact)) throw new StepError(`no artifact at ${options.artifact}: train one on the store's data first (\`npx edgerec train … --out ${options.artifact}\`)`);
      version = (await readArtifactHeader(options.artifact)).version;
      if (await isSampleStoreArtifact(options.artifact)) {
        throw new StepError(`${options.artifact} was trained on the generated sample store; deploy an artifact trained on the store's own data (docs/training.md)`);
      }
      log(`  ${options.artifact}: version ${version}`);
    },
    CORS: async () => {
      const origins = (options.origins ?? environment.EDGEREC_CORS_ORIGINS ?? previous?.corsOrigins ?? "").split(",").map((o) => o.trim()).filter(Boolean);
      if (origins.length === 0) {
        throw new StepError('no store origins: pass --origins "https://shop.example,https://www.shop.example" (or EDGEREC_CORS_ORIGINS), the sites allowed to call the API from a browser');
      }
      if (origins.includes("*") && !options.allowAnyOrigin) {
        throw new StepError('refusing CORS_ORIGINS = "*": any website could call the API from its visitors\' browsers. Pass the store\'s origins with --origins, or --allow-any-origin if that is really meant');
      }
      for (const o of origins) if (o !== "*" && !/^https?:\/\/[^/\s]+$/.test(o)) throw new StepError(`--origins: ${JSON.stringify(o)} is not an origin like https://shop.example (scheme and host, no path)`);
      state.corsOrigins = origins.join(",");
      log(`  CORS_ORIGINS = ${state.corsOrigins}`);
    },
    bucket: async () => {
      const listed = await wranglerOk(["r2", "bucket", "list"], { env: environment });
      if (new RegExp(`^name:\\s*${state.bucket}\\s*$`, "m").test(listed)) return log(`  R2 bucket ${state.bucket} exists`);
      await wranglerOk(["r2", "bucket", "create", state.bucket], { env: environment });
      created.push(`R2 bucket ${state.bucket}`);
      log(`  created R2 bucket ${state.bucket}`);
    },
    KV: async () => {
      const find = async () => {
        const text = await wranglerOk(["kv", "namespace", "list"], { env: environment });
        let list: { id: string; title: string }[];
        try {
          list = JSON.parse(text);
        } catch {
          throw new StepError(`\`wrangler kv namespace list\` printed no JSON: ${text.slice(0, 200)}`);
        }
        return list.find((n) => n.title === state.kvNamespace)?.id;
      };
      let id = await find();
      if (!id) {
        await wranglerOk(["kv", "namespace", "create", state.kvNamespace], { env: environment });
        id = await find();
        if (!id) throw new StepError(`created KV namespace ${state.kvNamespace}, but it is not listed yet; run the deploy again in a minute`);
        created.push(`KV namespace ${state.kvNamespace}`);
        log(`  created KV namespace ${state.kvNamespace} (${id})`);
      } else log(`  KV namespace ${state.kvNamespace} exists (${id})`);
      state.kvNamespaceId = id;
    },
    queues: async () => {
      const committed = committedQueueNames(readFileSync(join(root, "wrangler.toml"), "utf8"));
      const wanted = committed.map((q) => envQueueName(q, env));
      state.queues = wanted;
      if (wanted.length === 0) return log("  wrangler.toml binds no queues");
      const existing = await findQueues(wanted, (page) => wranglerOk(page === 1 ? ["queues", "list"] : ["queues", "list", "--page", String(page)], { env: environment }));
      for (const queue of wanted) {
        if (existing.has(queue)) {
          log(`  queue ${queue} exists`);
          continue;
        }
        await wranglerOk(["queues", "create", queue], { env: environment });
        created.push(`queue ${queue}`);
        log(`  created queue ${queue}`);
      }
    },
    config: async () => {
      config = writeGenerated(state, root);
      log(`  wrote ${relative(root, config)} (untracked; publish, gate, versions, rollback and forget use it with --remote --env ${env})`);
    },
    gate: async () => {
      if (options.skipGate) return log("  skipped (--skip-gate)");
      await runEdgerec(["gate", options.artifact, "--remote", "--env", env], { env: { ...environment, PATH: environment.PATH } });
    },
    deploy: async () => {
      const secrets = secretsFor(env, root, environment, log);
      const dir = mkdtempSync(join(tmpdir(), "edgerec-secrets-"));
      const file = join(dir, "secrets.json");
      try {
        writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
        const out = await wranglerOk(["deploy", "--config", config, "--secrets-file", file], { env: environment });
        const url = options.url ?? /https:\/\/[^\s]+\.workers\.dev\b/.exec(out)?.[0] ?? previous?.url;
        if (!url) throw new StepError("deployed, but wrangler printed no workers.dev URL (a custom domain only?): pass --url https://<your route> and run again");
        state.url = url;
        writeGenerated(state, root);
        log(`  deployed ${state.workerName} (secrets: ${Object.keys(secrets).join(", ") || "unchanged"})`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    publish: async () => {
      await runEdgerec(["publish", options.artifact, "--remote", "--env", env, "--keep", String(options.keep ?? 5)], { env: environment });
    },
    smoke: async () => {
      await smokeTest(state.url!, { expectVersion: version, log: (l) => log(`  ${l}`) });
    },
  };

  for (const [i, name] of STEPS.entries()) {
    if (options.configOnly && !CONFIG_STEPS.includes(name)) continue;
    log(`[${i + 1}/${STEPS.length}] ${name}`);
    try {
      await steps[name]();
    } catch (err) {
      const message = (err as Error).message;
      throw new Error(
        `deploy stopped at step ${i + 1}/${STEPS.length} (${name}): ${message}\n` +
          `Fix that and run \`npx edgerec deploy --env ${env}\` again: the steps before it are safe to repeat (nothing is created twice).`,
      );
    }
  }
  if (options.configOnly) {
    log(`\n${env} config ready: ${config}`);
    return { url: state.url ?? "", version, config, created };
  }
  log(`\nedgerec ${env} is live at ${state.url}  (version ${version})`);
  return { url: state.url!, version, config, created };
}

/**
 * Secrets uploaded with the deployment: ADMIN_TOKEN and USER_TOKEN_SECRET from the environment
 * when set. On an environment's first deploy without ADMIN_TOKEN one is generated and kept in
 * .edgerec/deploy/<env>.admin-token (mode 600), so the admin tools work from this machine.
 */
function secretsFor(env: DeployEnv, root: string, environment: NodeJS.ProcessEnv, log: (line: string) => void): Record<string, string> {
  const secrets: Record<string, string> = {};
  const tokenFile = join(deployDir(root), `${env}.admin-token`);
  if (environment.ADMIN_TOKEN) secrets.ADMIN_TOKEN = environment.ADMIN_TOKEN;
  else if (!existsSync(tokenFile)) {
    secrets.ADMIN_TOKEN = randomBytes(24).toString("base64url");
    writeFileSync(tokenFile, `${secrets.ADMIN_TOKEN}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    log(`  generated ADMIN_TOKEN, saved in ${relative(root, tokenFile)} (keep it secret; set ADMIN_TOKEN to choose your own)`);
  }
  if (environment.USER_TOKEN_SECRET) secrets.USER_TOKEN_SECRET = environment.USER_TOKEN_SECRET;
  return secrets;
}

/** The admin token this machine generated for an environment, if any. */
export function savedAdminToken(env: DeployEnv, root = REPO_ROOT): string | undefined {
  const file = join(deployDir(root), `${env}.admin-token`);
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}
