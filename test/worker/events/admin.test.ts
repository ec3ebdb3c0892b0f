/** The admin-only event routes: the published outcome report, and listing/fetching stored event objects. */
import { describe, expect, it } from "vitest";
import { REPORT_HTML_KEY } from "../../../src/artifact/index.ts";
import { baseEnv, client, problemOf } from "../support/helpers.ts";
import { clearEvents } from "./stored.ts";

const admin = client({ ADMIN_TOKEN: "s3cret" });
const auth = { authorization: "Bearer s3cret" };

describe("admin event routes", () => {
  it("GET /v1/admin/report shows the published report to the bearer of ADMIN_TOKEN only", async () => {
    await baseEnv.ARTIFACTS.delete(REPORT_HTML_KEY);
    await problemOf(await admin.fetch("/v1/admin/report", { headers: auth }), 404);
    await baseEnv.ARTIFACTS.put(REPORT_HTML_KEY, "<!doctype html><h1>What recommendations earned</h1>");
    await problemOf(await admin.fetch("/v1/admin/report"), 401);
    await problemOf(await admin.fetch("/v1/admin/report", { headers: { authorization: "Bearer wrong" } }), 401);
    await problemOf(await client().fetch("/v1/admin/report", { headers: auth }), 401);
    const res = await admin.fetch("/v1/admin/report", { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await res.text()).toContain("What recommendations earned");
  });

  it("lists and fetches event objects, refusing keys outside events/", async () => {
    await clearEvents();
    await baseEnv.ARTIFACTS.put("events/dt=2026-12-01/hr=00/x.ndjson.gz", new Uint8Array([1, 2, 3]));
    const list = await admin.json("/v1/admin/events", { headers: auth });
    expect(list.body.objects).toEqual([expect.objectContaining({ key: "events/dt=2026-12-01/hr=00/x.ndjson.gz", size: 3 })]);
    const obj = await admin.fetch("/v1/admin/events/object?key=events/dt=2026-12-01/hr=00/x.ndjson.gz", { headers: auth });
    expect(new Uint8Array(await obj.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    await problemOf(await admin.fetch("/v1/admin/events/object?key=artifacts/current.json", { headers: auth }), 400);
    await problemOf(await admin.fetch("/v1/admin/events?prefix=artifacts/", { headers: auth }), 400);
    await problemOf(await admin.fetch("/v1/admin/events"), 401);
  });
});
