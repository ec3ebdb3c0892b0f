/**
 * `edgerec sign-user` prints signUser()'s token (test/worker/privacy/user-token.test.ts proves the
 * worker accepts exactly those, for that user only, until they expire).
 */
import { describe, expect, it } from "vitest";
import { signUser } from "../../../trainer/privacy/user-token.ts";
import { runEdgerec } from "../../../trainer/wrangler/edgerec-cli.ts";

describe("edgerec sign-user", () => {
  it("prints the user's token with the asked lifetime", async () => {
    const out = await runEdgerec(["sign-user", "shopper/42", "--ttl", "120"], { capture: true, env: { ...process.env, USER_TOKEN_SECRET: "s3cret" } });
    const token = out.trim();
    expect(token).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    const expires = Number(token.split(".")[0]);
    expect(expires - Date.now() / 1000).toBeGreaterThan(100);
    expect(token).toBe(signUser("s3cret", "shopper/42", expires));
    expect(token).not.toBe(signUser("s3cret", "shopper/43", expires));
  });

  it("refuses to sign without a secret, saying where to put it", async () => {
    const env = { ...process.env };
    delete env.USER_TOKEN_SECRET;
    await expect(runEdgerec(["sign-user", "u1"], { capture: true, quietErrors: true, env })).rejects.toThrow(/USER_TOKEN_SECRET/);
  });
});
