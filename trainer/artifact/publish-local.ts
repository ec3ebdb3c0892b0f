/**
 * Publishes a built artifact (artifact.bin, or a sharded build's manifest.bin with its shards
 * beside it) into the local R2 under `persistTo` that `wrangler dev --local --persist-to` reads:
 * the same publish() as `edgerec publish --local`, through Miniflare in-process.
 */
import { miniflareStores } from "./local-http-store.ts";
import { planPublish, publish, type PublishResult } from "./publish.ts";

export async function publishLocal(persistTo: string, file: string, options: Parameters<typeof publish>[2] = {}): Promise<PublishResult> {
  const plan = await planPublish(file);
  const { store, dispose } = await miniflareStores({ persistTo, backend: "r2" });
  try {
    return await publish(store, plan, options);
  } finally {
    await dispose();
  }
}
