import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";

/**
 * `edgerec` — one command per file under ./commands, each exporting
 * `register(program)`, so commands can be added without touching this file.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command("edgerec")
    .description("Train, evaluate, package and publish recommendations for the edge")
    .showHelpAfterError()
    .exitOverride();
  const dir = join(dirname(fileURLToPath(import.meta.url)), "commands");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
  }
  return program;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
const viaBin = process.argv[1]?.endsWith("edgerec.mjs") || process.argv[1]?.endsWith("/edgerec");
if (isMain || viaBin) {
  const program = await buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`edgerec: ${message}\n`);
    process.exit(1);
  }
}
