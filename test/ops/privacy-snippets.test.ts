/**
 * The store-side snippets in docs/privacy.md, run as written: the Node one under this Node and the
 * PHP one under `php` (skipped, with the reason, where PHP is not installed). Both must produce
 * exactly `edgerec sign-user`'s token, which the worker accepts (test/worker/privacy/user-token.test.ts).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signUser } from "../../trainer/privacy/user-token.ts";

const doc = readFileSync("docs/privacy.md", "utf8");
const block = (lang: string) => {
  const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(doc);
  if (!m) throw new Error(`docs/privacy.md has no \`\`\`${lang} block`);
  return m[1];
};
const hasPhp = spawnSync("php", ["--version"]).status === 0;
const work = mkdtempSync(join(tmpdir(), "edgerec-snippets-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const SECRET = "doc-snippet-secret";
const USER = "C1042/ü";

/** The token's expiry, so the expected one can be recomputed independently. */
const expiryOf = (token: string) => Number(token.split(".")[0]);

describe("docs/privacy.md token snippets", () => {
  it("the Node snippet makes sign-user's token", () => {
    const file = join(work, "snippet.mjs");
    writeFileSync(file, `${block("js")}\nprocess.stdout.write(edgerecUserToken(${JSON.stringify(USER)}, 600));\n`);
    const token = execFileSync(process.execPath, [file], { env: { ...process.env, USER_TOKEN_SECRET: SECRET } }).toString();
    expect(token).toBe(signUser(SECRET, USER, expiryOf(token)));
    expect(block("js").split("\n").filter((l) => l.trim()).length).toBeLessThanOrEqual(10);
  });

  it.skipIf(!hasPhp)("the PHP snippet makes sign-user's token (needs `php` on PATH)", () => {
    const file = join(work, "snippet.php");
    writeFileSync(file, `<?php\n${block("php")}\necho edgerec_user_token(${JSON.stringify(USER)}, 600);\n`);
    const token = execFileSync("php", [file], { env: { ...process.env, USER_TOKEN_SECRET: SECRET } }).toString();
    expect(token).toBe(signUser(SECRET, USER, expiryOf(token)));
    expect(block("php").split("\n").filter((l) => l.trim()).length).toBeLessThanOrEqual(10);
  });
});
