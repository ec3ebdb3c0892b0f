/**
 * Fitted members' scores for every user, cached on disk by split, configuration and seed, so the
 * ua.base studies (fold-study, nested-study) re-score blends without refitting. The key hashes
 * the configuration, not the model code: clear the cache after changing a model.
 */
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CsrMatrix } from "../../trainer/data/matrix.ts";
import type { Recommender } from "../../trainer/model/model.ts";
import { buildFromConfig, type FeatureCache, type ModelConfig } from "../../trainer/tune/config.ts";
import { createRng } from "../../trainer/util/rng.ts";

const fingerprint = (config: ModelConfig) => createHash("sha256").update(JSON.stringify(config)).digest("hex").slice(0, 12);

/** Cache key of one fit: a configuration two studies share is fit once per split and seed. */
export const fitKey = (config: ModelConfig, seed: number) => `${fingerprint(config)}-seed${seed}`;

/** Where the scores of `config` fit with `seed` on the split named `split` (e.g. "fold0") live. */
export const scoreFile = (dir: string, split: string, config: ModelConfig, seed: number) => join(dir, `ml100k-${split}-${config.model}-${fingerprint(config)}-seed${seed}.f32`);

/** Fits `config` on `train` with `seed` and writes every user's scores to `file`; returns the seconds taken. */
export async function fitToCache(file: string, config: ModelConfig, seed: number, train: CsrMatrix, features: FeatureCache): Promise<number> {
  const t0 = performance.now();
  const { model, extraFit } = buildFromConfig(config, features);
  await model.fit({ interactions: train, rng: createRng(seed), ...extraFit });
  const scores = new Float32Array(train.nRows * train.nCols);
  for (let u = 0; u < train.nRows; u++) model.scoreUser(u, scores.subarray(u * train.nCols, (u + 1) * train.nCols));
  // Written whole, then renamed: a killed run never leaves a truncated cache entry behind.
  writeFileSync(file + ".part", scores);
  renameSync(file + ".part", file);
  return (performance.now() - t0) / 1000;
}

/** A fitted model's scores for every training user, read back from the cache. */
export class ScoreTable implements Recommender {
  private constructor(
    readonly name: string,
    private readonly scores: Float32Array,
    private readonly nItems: number,
  ) {}

  /** Reads `file`, which must hold nUsers × nItems float scores (else: delete it to refit). */
  static read(file: string, name: string, nUsers: number, nItems: number): ScoreTable {
    const bytes = readFileSync(file);
    if (bytes.byteLength !== nUsers * nItems * 4) {
      throw new Error(`${file} holds ${bytes.byteLength} bytes, not the ${nUsers}×${nItems} float scores of this data; delete it (or pass another --cache) to refit`);
    }
    return new ScoreTable(name, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), nItems);
  }

  async fit(): Promise<void> {
    throw new Error(`${this.name}: cached scores are already fitted`);
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    if (history) throw new Error(`${this.name}: cached scores cover training users only, not explicit histories`);
    out.set(this.scores.subarray(user * this.nItems, (user + 1) * this.nItems));
  }

  params(): Record<string, unknown> {
    return {};
  }
}

/** A fit a study needs: written to `file` when missing. */
export interface FitJob {
  file: string;
  describe: string;
  run(): Promise<number>;
}

/**
 * Runs the jobs whose cache file is missing, over `processes` processes. Extra processes re-run
 * `script` with the same arguments plus `--fit-shard i/n`; such a child passes that `shard` here,
 * fits its share, and gets false back (it must exit: the parent scores). The parent gets true
 * once every file exists.
 */
export async function fitMissing(jobs: FitJob[], opts: { study: string; processes: number; shard?: string; script: string; log(line: string): void }): Promise<boolean> {
  const fit = async (job: FitJob) => opts.log(`  ${job.describe}: ${(await job.run()).toFixed(1)} s`);
  if (opts.shard !== undefined) {
    const [index, count] = opts.shard.split("/").map(Number);
    for (const [j, job] of jobs.entries()) if (j % count === index && !existsSync(job.file)) await fit(job);
    return false;
  }
  const missing = jobs.filter((job) => !existsSync(job.file));
  opts.log(`${opts.study}: ${jobs.length - missing.length} of ${jobs.length} fits cached; fitting ${missing.length} on ${opts.processes} process(es)…`);
  if (opts.processes > 1 && missing.length > 1) {
    const children = Array.from({ length: opts.processes }, (_, i) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [...process.execArgv, opts.script, ...process.argv.slice(2), "--fit-shard", `${i}/${opts.processes}`], { stdio: ["ignore", "inherit", "inherit"] });
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${opts.study}: fit process ${i} exited with ${code}`))));
      }),
    );
    await Promise.all(children);
  }
  for (const job of jobs) if (!existsSync(job.file)) await fit(job);
  return true;
}
