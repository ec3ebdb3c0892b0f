import { Worker } from "node:worker_threads";
import { KERNEL_FUNCTIONS, type KernelArrays } from "./hybrid-kernel.ts";

/**
 * Hogwild worker threads for HybridMF. A worker is started from source text built
 * out of the kernel functions themselves, so it needs no TypeScript loader (works
 * under tsx, vitest and plain node alike) and runs exactly the main thread's code.
 * Parameters live in SharedArrayBuffers: workers update them in place, lock-free.
 */
const WORKER_MAIN = `
const { parentPort, workerData } = require("node:worker_threads");
const a = workerData.arrays;
const r = new Float64Array(workerData.scratch);
const rng = Uint32Array.from(workerData.rng);
const cache = new Float32Array(workerData.cache);
parentPort.on("message", (m) => {
  const loss = kernelEpoch(a, r, rng, m.start, m.end, cache);
  parentPort.postMessage(loss);
});
`;

function workerSource(): string {
  // esbuild's keepNames may wrap functions in __name(...); make it a no-op.
  const prelude = "var __name = (f) => f;\n";
  return prelude + KERNEL_FUNCTIONS.map((f) => f.toString()).join("\n") + WORKER_MAIN;
}

/** Copies a typed array into shared memory (or returns it if already shared). */
export function toShared<T extends Float32Array | Int32Array | Float64Array>(arr: T): T {
  if (arr.buffer instanceof SharedArrayBuffer) return arr;
  const Ctor = arr.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(Math.max(1, arr.length) * Ctor.BYTES_PER_ELEMENT));
  (out as unknown as { set(a: ArrayLike<number>): void }).set(arr);
  return (arr.length === 0 ? out.subarray(0, 0) : out) as T;
}

export interface WorkerPool {
  /** Runs order[start..end) on worker w; resolves with its summed loss. */
  run(w: number, start: number, end: number): Promise<number>;
  size: number;
  close(): Promise<void>;
}

/** Starts `n` workers over the shared kernel arrays; each gets its own generator state. */
export async function startWorkers(n: number, arrays: KernelArrays, scratchLength: number, rngStates: Uint32Array[], cacheLength: number): Promise<WorkerPool> {
  const source = workerSource();
  const workers: Worker[] = [];
  const pending: Array<((loss: number) => void) | undefined> = [];
  const failures: Array<((e: Error) => void) | undefined> = [];
  for (let w = 0; w < n; w++) {
    const worker = new Worker(source, {
      eval: true,
      workerData: { arrays, scratch: scratchLength, rng: rngStates[w], cache: cacheLength },
    });
    worker.on("message", (loss: number) => {
      const resolve = pending[w];
      pending[w] = undefined;
      resolve?.(loss);
    });
    worker.on("error", (e) => {
      const reject = failures[w];
      failures[w] = undefined;
      reject?.(e);
    });
    workers.push(worker);
  }
  return {
    size: n,
    run(w, start, end) {
      return new Promise<number>((resolve, reject) => {
        pending[w] = resolve;
        failures[w] = reject;
        workers[w].postMessage({ start, end });
      });
    },
    async close() {
      await Promise.all(workers.map((wk) => wk.terminate()));
    },
  };
}
