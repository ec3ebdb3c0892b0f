/**
 * Signed shopper identity: with USER_TOKEN_SECRET set, user-specific routes need a token the
 * store's backend made (HMAC-SHA256 of user id and expiry); anonymous routes need none.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { checkUserToken, signUserToken } from "../../../src/privacy/user-token.ts";
import { signUser } from "../../../trainer/privacy/user-token.ts";
import { client, download, problemOf, publishR2, unpublishAll } from "../support/helpers.ts";

const { v1 } = inject("artifacts");
const bytes = await download(v1.url);
const SECRET = "store-backend-secret-0123456789";
const now = () => Math.floor(Date.now() / 1000);

/** What `edgerec sign-user` and the store's backend (docs/privacy.md, Node snippet) do: node:crypto, not the worker's code. */
const nodeToken = signUser;

describe("user tokens", () => {
  beforeAll(async () => {
    await unpublishAll();
    await publishR2(v1.version, bytes);
  });

  it("the worker's signature equals the documented Node one, and checks catch every kind of bad token", async () => {
    const exp = now() + 600;
    expect(await signUserToken(SECRET, "u3", exp)).toBe(nodeToken(SECRET, "u3", exp));
    expect(await checkUserToken(SECRET, "u3", nodeToken(SECRET, "u3", exp))).toBe("ok");
    expect(await checkUserToken(SECRET, "u4", nodeToken(SECRET, "u3", exp))).toBe("invalid");
    expect(await checkUserToken("other", "u3", nodeToken(SECRET, "u3", exp))).toBe("invalid");
    expect(await checkUserToken(SECRET, "u3", nodeToken(SECRET, "u3", now() - 1))).toBe("expired");
    expect(await checkUserToken(SECRET, "u3", undefined)).toBe("missing");
    expect(await checkUserToken(SECRET, "u3", "abc")).toBe("malformed");
    // Moving the expiry breaks the signature.
    const [, sig] = nodeToken(SECRET, "u3", exp).split(".");
    expect(await checkUserToken(SECRET, "u3", `${exp + 99999}.${sig}`)).toBe("invalid");
  });

  it("user recommendations need a valid token (query or header), else 401 problems that say why", async () => {
    const api = client({ USER_TOKEN_SECRET: SECRET });
    const none = await problemOf(await api.fetch("/v1/users/u3/recommendations?k=3"), 401);
    expect(none.detail).toMatch(/token/);
    const expired = await problemOf(await api.fetch(`/v1/users/u3/recommendations?k=3&token=${nodeToken(SECRET, "u3", now() - 5)}`), 401);
    expect(expired.detail).toMatch(/expired/);
    const stolen = await problemOf(await api.fetch(`/v1/users/u4/recommendations?k=3&token=${nodeToken(SECRET, "u3", now() + 60)}`), 401);
    expect(stolen.detail).toMatch(/does not match/);
    const ok = await api.json(`/v1/users/u3/recommendations?k=3&token=${nodeToken(SECRET, "u3", now() + 60)}`);
    expect(ok.status).toBe(200);
    expect(ok.body.strategy).not.toBe("popular");
    const viaHeader = await api.json("/v1/users/u3/recommendations?k=3", { headers: { "x-user-token": nodeToken(SECRET, "u3", now() + 60) } });
    expect(viaHeader.status).toBe(200);
  });

  it("score and history need it too; the admin token passes; basket, similar and popular need none", async () => {
    const api = client({ USER_TOKEN_SECRET: SECRET, ADMIN_TOKEN: "adm", DEMO: "on" });
    const pairs = JSON.stringify({ pairs: [{ user: "u3", item: "x" }] });
    const post = (headers: Record<string, string> = {}, path = "/v1/score") =>
      api.fetch(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: pairs });
    await problemOf(await post(), 401);
    expect((await post({ "x-user-token": nodeToken(SECRET, "u3", now() + 60) })).status).toBe(200);
    expect((await post({ authorization: "Bearer adm" })).status).toBe(200);
    await problemOf(await api.fetch("/v1/users/u3/history"), 401);
    expect((await api.fetch(`/v1/users/u3/history?token=${nodeToken(SECRET, "u3", now() + 60)}`)).status).toBe(200);

    const popular = await api.json("/v1/popular?k=3");
    expect(popular.status).toBe(200);
    const seed = popular.body.items[0].id;
    expect((await api.fetch(`/v1/items/${seed}/similar?k=3`)).status).toBe(200);
    const basket = await api.fetch("/v1/recommendations", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items: [seed], k: 3 }) });
    expect(basket.status).toBe(200);
  });

  it("without USER_TOKEN_SECRET no token is asked for", async () => {
    expect((await client().fetch("/v1/users/u3/recommendations?k=3")).status).toBe(200);
  });
});
