import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { parseDeployEnv, requireGeneratedConfig } from "../wrangler/generated-config.ts";
import { miniflareStores } from "./local-http-store.ts";
import { type Backend, type ObjectStore, wranglerStore } from "./object-store.ts";

export interface StoreCliOptions {
  local?: boolean;
  remote?: boolean;
  persistTo?: string;
  backend: Backend;
  via: "miniflare" | "wrangler";
  env?: string;
}

/** --local | --remote, --persist-to, --backend, --via: shared by publish, versions and rollback. */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option("--local", "local storage that `wrangler dev --local` reads (default .wrangler/state)")
    .option("--remote", "the Cloudflare account's R2/KV (needs wrangler login or CLOUDFLARE_API_TOKEN)")
    .option("--persist-to <dir>", "local storage directory (as wrangler's --persist-to)")
    .option("--env <name>", "with --remote: the deployment (staging or production) set up by `edgerec deploy`", "production")
    .addOption(new Option("--backend <where>", "R2 bucket, KV namespace or both").choices(["r2", "kv", "both"]).default("r2"))
    .addOption(
      new Option("--via <tool>", "local only: write through Miniflare in-process (fast) or one wrangler process per object").choices(["miniflare", "wrangler"]).default("miniflare"),
    );
}

export async function openStore(opts: StoreCliOptions): Promise<{ store: ObjectStore; where: string; dispose(): Promise<void> }> {
  if (opts.local === opts.remote) throw new Error("say where: --local (wrangler's local storage) or --remote (your Cloudflare account)");
  if (opts.remote) {
    if (opts.persistTo) throw new Error("--persist-to applies to --local only");
    // The bucket and namespace `edgerec deploy` created and recorded for this environment.
    const { config, state } = requireGeneratedConfig(parseDeployEnv(opts.env ?? "production"));
    const store = wranglerStore(opts.backend, { mode: "remote", config, bucket: state.bucket });
    return { store, where: `remote ${opts.backend} (${state.env}: ${state.bucket}, KV ${state.kvNamespaceId})`, dispose: async () => {} };
  }
  const persistTo = resolve(opts.persistTo ?? ".wrangler/state");
  if (opts.via === "wrangler") {
    return { store: wranglerStore(opts.backend, { mode: "local", persistTo }), where: `local ${opts.backend} in ${persistTo}`, dispose: async () => {} };
  }
  const { store, dispose } = await miniflareStores({ persistTo, backend: opts.backend });
  return { store, where: `local ${opts.backend} in ${persistTo}`, dispose };
}
