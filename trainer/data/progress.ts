import cliProgress from "cli-progress";
import { basename } from "node:path";

/**
 * A bytes-read bar with ETA on stderr. Only when asked and stderr is a terminal:
 * piped output and --json runs must stay clean.
 */
export function startByteProgress(file: string, totalBytes: number, enabled: boolean): { add(n: number): void; stop(): void } | undefined {
  if (!enabled || !process.stderr.isTTY || totalBytes < 1 << 20) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `reading ${basename(file)} [{bar}] {percentage}% | {done}/{size} MiB | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const mib = (n: number) => (n / 1048576).toFixed(1);
  let done = 0;
  bar.start(totalBytes, 0, { done: mib(0), size: mib(totalBytes) });
  return {
    add(n: number) {
      done += n;
      bar.update(done, { done: mib(done), size: mib(totalBytes) });
    },
    stop() {
      bar.stop();
    },
  };
}
