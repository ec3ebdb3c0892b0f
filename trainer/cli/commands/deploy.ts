import { resolve } from "node:path";
import type { Command } from "commander";
import { deploy } from "../../ops/deploy/deploy.ts";
import { parseDeployEnv } from "../../wrangler/generated-config.ts";
import { numberValue } from "../../util/option-parsers.ts";

interface DeployCliOptions {
  env: string;
  artifact: string;
  origins?: string;
  allowAnyOrigin?: boolean;
  skipGate?: boolean;
  keep: string;
  url?: string;
  configOnly?: boolean;
}

export function register(program: Command): void {
  program
    .command("deploy")
    .description(
      "deploy to Cloudflare: create the R2 bucket, KV namespace and event queues if missing, write their ids to an untracked config, " +
        "upload secrets, deploy the worker, publish the artifact and smoke-test it (docs/deploy.md)",
    )
    .option("--env <name>", "staging or production (separate worker, bucket, namespace, queues and secrets)", "production")
    .option("--artifact <file>", "the artifact to publish (trained on the store's data, never the sample store)", ".edgerec/artifact.bin")
    .option("--origins <list>", "comma-separated store origins allowed to call the API from browsers (or EDGEREC_CORS_ORIGINS)")
    .option("--allow-any-origin", 'accept CORS_ORIGINS = "*" (any website may call the API)')
    .option("--skip-gate", "publish even if the quality gate fails")
    .option("--keep <n>", "published versions kept for rollback", "5")
    .option("--url <url>", "the worker's public URL when it is served on a custom domain or route")
    .option("--config-only", "only find or create the bucket, namespace and queues and write the generated config (no deploy, no publish)")
    .action(async (opts: DeployCliOptions) => {
      const keep = numberValue("keep", opts.keep, { min: 1, integer: true });
      await deploy({
        env: parseDeployEnv(opts.env),
        artifact: resolve(opts.artifact),
        origins: opts.origins,
        allowAnyOrigin: opts.allowAnyOrigin,
        skipGate: opts.skipGate,
        keep,
        url: opts.url,
        configOnly: opts.configOnly,
      });
    });
}
