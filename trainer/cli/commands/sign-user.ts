import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { signUser } from "../../privacy/user-token.ts";
import { number } from "../../util/option-parsers.ts";

export function register(program: Command): void {
  program
    .command("sign-user")
    .description("print a user token for <id> (what the store's backend makes for the widget's user-token attribute)")
    .argument("<id>", "shopper id")
    .option("--ttl <seconds>", "lifetime of the token", number("ttl", { min: 1, max: 366 * 86400, integer: true, of: "seconds" }), 3600)
    .option("--secret-file <file>", "read the secret from this file instead of the USER_TOKEN_SECRET environment variable")
    .action((id: string, opts: { ttl: number; secretFile?: string }) => {
      const secret = (opts.secretFile ? readFileSync(opts.secretFile, "utf8") : (process.env.USER_TOKEN_SECRET ?? "")).trim();
      if (!secret) throw new Error("no secret: set USER_TOKEN_SECRET (the same value as the worker's secret) or pass --secret-file <file>");
      const expiresAt = Math.floor(Date.now() / 1000) + opts.ttl;
      process.stdout.write(`${signUser(secret, id, expiresAt)}\n`);
    });
}
