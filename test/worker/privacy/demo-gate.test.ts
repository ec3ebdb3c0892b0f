/**
 * Private by default: with the deploy config (wrangler.toml's vars, DEMO = "off") nothing lists
 * shoppers or shows a history without the admin token; DEMO = "on" (npm start) opens the demo.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { baseEnv, client, download, problemOf, publishR2, unpublishAll } from "../support/helpers.ts";

const { v1 } = inject("artifacts");
const bytes = await download(v1.url);
const ADMIN = "admin-secret-7";
const DEMO_PATHS = ["/v1/users?limit=200", "/v1/users/u3/history", "/", "/demo", "/demo.js"];

describe("demo routes and shopper data", () => {
  beforeAll(async () => {
    await unpublishAll();
    await publishR2(v1.version, bytes);
  });

  it("the committed deploy config has the demo off", () => {
    expect(baseEnv.DEMO).toBe("off");
  });

  it("with the deploy config, /v1/users, a history, / and /demo answer 404 problems naming no shopper", async () => {
    const api = client({ ADMIN_TOKEN: ADMIN });
    const known = await api.json("/v1/users?limit=200", { headers: { authorization: `Bearer ${ADMIN}` } });
    const ids: string[] = known.body.users.map((u: { id: string }) => u.id).filter((id: string) => id !== "u3");
    expect(ids.length).toBeGreaterThan(20);
    for (const path of DEMO_PATHS) {
      const res = await api.fetch(path);
      const text = await res.clone().text();
      const body = await problemOf(res, 404);
      expect(Object.keys(body).sort(), path).toEqual(["detail", "instance", "status", "title", "type"]);
      for (const id of ids) expect(text.includes(`/${id}/`) || text.includes(`"${id}"`), `${path} names ${id}`).toBe(false);
    }
  });

  it("a wrong bearer token gets 401; the admin token gets the listing and the history", async () => {
    const api = client({ ADMIN_TOKEN: ADMIN });
    for (const path of DEMO_PATHS) await problemOf(await api.fetch(path, { headers: { authorization: "Bearer guess" } }), 401);
    const listing = await api.json("/v1/users?limit=5", { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(listing.status).toBe(200);
    expect(listing.body.users.length).toBeGreaterThan(0);
    const id = listing.body.users[0].id;
    const history = await api.json(`/v1/users/${id}/history`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(history.status).toBe(200);
    expect(history.body.items.length).toBeGreaterThan(0);
    expect((await api.fetch("/demo", { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
  });

  it("with no ADMIN_TOKEN configured the demo routes stay closed whatever is sent", async () => {
    const api = client({ ADMIN_TOKEN: "" });
    await problemOf(await api.fetch("/v1/users", { headers: { authorization: "Bearer anything" } }), 401);
    await problemOf(await api.fetch("/v1/users"), 404);
  });

  it('DEMO = "on" serves the demo page, the listing and histories to anyone', async () => {
    const api = client({ DEMO: "on" });
    for (const path of ["/", "/demo", "/demo.js"]) expect((await api.fetch(path)).status, path).toBe(200);
    const listing = await api.json("/v1/users?limit=5");
    expect(listing.status).toBe(200);
    const history = await api.json(`/v1/users/${listing.body.users[0].id}/history`);
    expect(history.status).toBe(200);
  });

  it("the public recommendation routes work with the demo off", async () => {
    const api = client();
    expect((await api.fetch("/v1/popular?k=3")).status).toBe(200);
    expect((await api.fetch("/v1/users/u3/recommendations?k=3")).status).toBe(200);
    expect((await api.fetch("/widget.js")).status).toBe(200);
  });
});
