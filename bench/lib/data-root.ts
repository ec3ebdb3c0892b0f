import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (bench/lib/ is two levels down). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The dataset root: EDGEREC_SHARED_DATA, by default `shared/data` beside the repository's folder.
 * The evaluation datasets are read there in place and never copied into the repository.
 */
export const sharedDataRoot = process.env.EDGEREC_SHARED_DATA ? resolve(process.env.EDGEREC_SHARED_DATA) : resolve(repoRoot, "..", "shared", "data");

/** Path of a dataset file under the dataset root. */
export function dataFile(...parts: string[]): string {
  return join(sharedDataRoot, ...parts);
}

/**
 * Which of the given files are missing. Benches call this first and, when data is absent,
 * say so and exit 0 (the data is not part of the repository).
 */
export function missingFiles(files: string[]): string[] {
  return files.filter((f) => !existsSync(f));
}
