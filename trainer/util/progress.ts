import cliProgress from "cli-progress";

/**
 * The one progress display of long trainer work (reading a file, fitting, tuning), on stderr:
 * a cli-progress bar on a terminal, else one line per step, so logs and CI show progress too.
 * Disabled (under --json or when not asked for) it prints nothing.
 */
export interface Progress {
  /**
   * `done` of the total is finished. `total` replaces it (work that learns its size as it
   * goes), `etaSeconds` and `elapsedSeconds` replace the bar's own estimates (the caller knows
   * better), and `note` says what just finished (printed even when `done` did not move).
   */
  update(done: number, step?: { total?: number; etaSeconds?: number; elapsedSeconds?: number; note?: string }): void;
  stop(): void;
}

export interface ProgressOptions {
  enabled: boolean;
  /** Draw a bar; default: whether stderr is a terminal. */
  tty?: boolean;
  /** Where lines go without a terminal; default stderr. */
  write?: (line: string) => void;
  /** How amounts print: plain counts, or bytes as MiB. */
  unit?: "count" | "bytes";
  /** Without a terminal, at most this many evenly spaced lines instead of one per step (for byte counts). */
  lines?: number;
}

/** "42 s", "3 m 05 s", "1 h 02 m". */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} m`;
}

const none: Progress = { update() {}, stop() {} };

export function progress(label: string, total: number, options: ProgressOptions): Progress {
  if (!options.enabled) return none;
  const amount = options.unit === "bytes" ? (n: number) => `${(n / 1048576).toFixed(1)}` : (n: number) => String(n);
  const suffix = options.unit === "bytes" ? " MiB" : "";
  const started = performance.now();
  let size = total;
  const estimate = (done: number, step: { etaSeconds?: number; elapsedSeconds?: number }) => {
    const elapsed = step.elapsedSeconds ?? (performance.now() - started) / 1000;
    const eta = step.etaSeconds ?? (done > 0 ? (elapsed / done) * Math.max(0, size - done) : undefined);
    return { elapsed: formatSeconds(elapsed), eta: formatSeconds(eta) };
  };

  if (!(options.tty ?? process.stderr.isTTY === true)) {
    const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
    const every = options.lines ? Math.max(1, size / options.lines) : 1;
    let printedAt = 0;
    return {
      update(done, step = {}) {
        if (step.total !== undefined) size = step.total;
        const crossed = done >= size ? done > printedAt : done - printedAt >= every;
        if (!crossed && !step.note) return;
        printedAt = done;
        const { elapsed, eta } = estimate(done, step);
        write(`${label} [${amount(done)}/${amount(size)}${suffix}] ${elapsed} elapsed, ETA ${eta}${step.note ? ` · ${step.note}` : ""}`);
      },
      stop() {},
    };
  }

  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {doneText}/{totalText}${suffix} | {elapsedText} elapsed | ETA {etaText}{noteText}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (done: number, step: { etaSeconds?: number; elapsedSeconds?: number; note?: string }) => {
    const { elapsed, eta } = estimate(done, step);
    return { doneText: amount(done), totalText: amount(size), elapsedText: elapsed, etaText: eta, noteText: step.note ? ` | ${step.note.slice(0, 60)}` : "" };
  };
  bar.start(size, 0, payload(0, {}));
  let drawnAt = 0;
  return {
    update(done, step = {}) {
      if (step.total !== undefined && step.total !== size) {
        size = step.total;
        bar.setTotal(size);
      }
      // Redraw at most ten times a second (a byte reader calls this per chunk), and always at the end.
      const now = performance.now();
      if (done < size && now - drawnAt < 100 && !step.note) return;
      drawnAt = now;
      bar.update(done, payload(done, step));
    },
    stop() {
      bar.stop();
    },
  };
}
