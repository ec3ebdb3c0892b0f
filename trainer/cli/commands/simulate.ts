import type { Command } from "commander";
import { InputError } from "../../data/types.ts";
import { outcomesText } from "../../outcomes/render.ts";
import { formatP } from "../../outcomes/outcomes.ts";
import { runSimulation } from "../../simulate/loop.ts";

interface SimulateCliOptions {
  items: string;
  users: string;
  seed: string;
  concurrency: string;
  model: string;
  json?: boolean;
}

function int(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** `edgerec simulate`: simulated shoppers close the loop through wrangler dev, the queue and R2. */
export function register(program: Command): void {
  program
    .command("simulate")
    .description("simulated shoppers browse the real worker (wrangler dev on loopback); their events flow through the queue to R2, a model is retrained on them and A/B-tested against popularity")
    .option("--items <n>", "catalogue size of the sample store", "600")
    .option("--users <n>", "shoppers in the sample store (those with enough liked items take part)", "800")
    .option("--seed <n>", "seed of the store and the shoppers' draws", "11")
    .option("--concurrency <n>", "requests in flight", "16")
    .option("--model <name>", "model retrained on the events", "itemknn")
    .option("--json", "print the result as one JSON object")
    .action(async (opts: SimulateCliOptions) => {
      const result = await runSimulation({
        items: int("items", opts.items, 20, 1_000_000),
        users: int("users", opts.users, 20, 1_000_000),
        seed: int("seed", opts.seed, 0, 2 ** 31),
        concurrency: int("concurrency", opts.concurrency, 1, 512),
        model: opts.model,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      if (opts.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      const m = result.metrics;
      process.stdout.write(`round 1 (popularity for everyone)\n${outcomesText(result.round1)}\n`);
      process.stdout.write(`round 2 (A/B: control = model retrained on the events, treatment = popularity)\n${outcomesText(result.round2)}\n`);
      process.stdout.write(
        [
          `CTR round 1 ${(m.ctrRound1 * 100).toFixed(2)}% → round 2 (model) ${(m.ctrRound2 * 100).toFixed(2)}%, p = ${formatP(m.pRound2VsRound1)}`,
          `CTR model ${(m.ctrModel * 100).toFixed(2)}% vs popularity ${(m.ctrPopularity * 100).toFixed(2)}%, p = ${formatP(m.pModelVsPopularity)}`,
          `events accepted ${result.traffic.accepted}, stored in R2 ${result.storedInR2}, lost ${result.lost}, server errors ${result.traffic.serverErrors}`,
        ].join("\n") + "\n",
      );
    });
}
