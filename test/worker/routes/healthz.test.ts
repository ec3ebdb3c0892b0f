import { describe, expect, inject, it } from "vitest";
import { download, publishR2, unpublishAll, worker } from "../support/helpers.ts";

describe("GET /healthz on the worker's default export", () => {
  it("answers inside workerd: 503 unavailable before a publish, ok with the version after", async () => {
    await unpublishAll();
    const before = await worker.fetch("http://edgerec.test/healthz");
    expect([200, 503]).toContain(before.status); // 200 if this isolate already loaded one in another test
    const { v1 } = inject("artifacts");
    await publishR2(v1.version, await download(v1.url));
    // After a failed first load the worker answers from that failure for up to 2 s (no storage hammering).
    let res = await worker.fetch("http://edgerec.test/healthz");
    for (let i = 0; i < 40 && res.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await worker.fetch("http://edgerec.test/healthz");
    }
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: expect.stringMatching(/ok|degraded/) });
  });
});
