import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FitInput, ItemVectors, Recommender } from "../../trainer/model/model.ts";

/**
 * A trained factor model's vectors saved to disk, so a long benchmark (the 1M-item scale run:
 * ~20 min of training) can rebuild and re-serve artifacts without training again. The run that
 * trained them is recorded beside them, so its time and memory are reported, not re-measured.
 */
export interface TrainingRecord {
  /** What the vectors were trained on; a cache for other settings is not reused. */
  key: string;
  name: string;
  params: Record<string, unknown>;
  epochs: number;
  trainSeconds: number;
  trainPeakRssMb: number;
  trainedAt: string;
}

const FILES = ["item-vectors.f32", "item-biases.f32", "user-vectors.f32", "user-biases.f32"] as const;

export function saveVectors(dir: string, record: TrainingRecord, items: ItemVectors, users: ItemVectors): void {
  mkdirSync(dir, { recursive: true });
  const arrays = [items.vectors, items.biases ?? new Float32Array(0), users.vectors, users.biases ?? new Float32Array(0)];
  FILES.forEach((file, i) => writeFileSync(join(dir, file), new Uint8Array(arrays[i].buffer, arrays[i].byteOffset, arrays[i].byteLength)));
  writeFileSync(join(dir, "training.json"), `${JSON.stringify({ ...record, dim: items.dim }, null, 2)}\n`);
}

/** The saved model for `key`, or undefined when `dir` holds none (or one trained on something else). */
export function loadVectors(dir: string, key: string): { model: FrozenVectors; record: TrainingRecord } | undefined {
  const meta = join(dir, "training.json");
  if (!existsSync(meta)) return undefined;
  const record = JSON.parse(readFileSync(meta, "utf8")) as TrainingRecord & { dim: number };
  if (record.key !== key) return undefined;
  const [iv, ib, uv, ub] = FILES.map((file) => {
    const bytes = readFileSync(join(dir, file));
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  });
  const model = new FrozenVectors(record.name, record.params, { dim: record.dim, vectors: iv, biases: ib }, { dim: record.dim, vectors: uv, biases: ub });
  return { model, record };
}

/** A factor model restored from saved vectors: scores by dot product plus item bias, like the model it came from. */
export class FrozenVectors implements Recommender {
  constructor(
    readonly name: string,
    private readonly trainedParams: Record<string, unknown>,
    private readonly items: ItemVectors,
    private readonly users: ItemVectors,
  ) {}

  async fit(_input: FitInput): Promise<void> {
    throw new Error("FrozenVectors holds an already trained model; train the original model instead");
  }

  scoreUser(user: number, out: Float32Array): void {
    const { dim, vectors, biases } = this.items;
    const u = this.users.vectors.subarray(user * dim, user * dim + dim);
    for (let i = 0; i < out.length; i++) {
      let s = biases?.[i] ?? 0;
      for (let d = 0; d < dim; d++) s += u[d] * vectors[i * dim + d];
      out[i] = s;
    }
  }

  itemVectors(): ItemVectors {
    return this.items;
  }

  userVectors(): ItemVectors {
    return this.users;
  }

  params(): Record<string, unknown> {
    return this.trainedParams;
  }
}
