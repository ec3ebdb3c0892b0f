import cliProgress from "cli-progress";

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

const none: Progress = { update() {}, stop() {} };

/** A labelled bar with ETA on stderr, or nothing when stderr is not a terminal or output is JSON. */
export function progressBar(label: string, total: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY || total <= 0) return none;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label.padEnd(12)} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: true, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let last = 0;
  return {
    update(done, newTotal) {
      if (newTotal !== undefined && newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      const now = Date.now();
      if (done === (newTotal ?? bar.getTotal()) || now - last > 100) {
        last = now;
        bar.update(done);
      }
    },
    stop() {
      bar.stop();
    },
  };
}
