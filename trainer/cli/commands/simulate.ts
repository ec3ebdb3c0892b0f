import type { Command } from "commander";
import { outcomesText } from "../../outcomes/render.ts";
import { formatP } from "../../outcomes/outcomes.ts";
import { runSimulation } from "../../simulate/loop.ts";
import { numberValue } from "../../util/option-parsers.ts";

interface SimulateCliOptions {
  items: string;
  users: string;
  seed: string;
  concurrency: string;
  model: string;
  json?: boolean;
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
        items: numberValue("items", opts.items, { min: 20, max: 1_000_000, integer: true }),
        users: numberValue("users", opts.users, { min: 20, max: 1_000_000, integer: true }),
        seed: numberValue("seed", opts.seed, { min: 0, max: 2 ** 31, integer: true }),
        concurrency: numberValue("concurrency", opts.concurrency, { min: 1, max: 512, integer: true }),
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
