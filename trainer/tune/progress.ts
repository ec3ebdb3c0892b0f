import cliProgress from "cli-progress";
import type { TuneProgress } from "./search.ts";

export interface TuneReporter {
  onProgress(progress: TuneProgress): void;
  stop(): void;
}

/** "42 s", "3 m 05 s", "1 h 02 m". */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} m`;
}

/** One line for a finished trial or a note: step, elapsed, ETA and what happened. */
export function progressLine(p: TuneProgress, primary: string): string {
  const head = `tune [${p.done}/${p.total}] ${formatSeconds(p.elapsedSeconds)} elapsed, ETA ${formatSeconds(p.etaSeconds)}`;
  if (p.note && !p.trial) return `${head} · ${p.note}`;
  if (!p.trial) return head;
  const t = p.trial;
  const score = Number.isFinite(t.score) ? t.score.toFixed(4) : "failed";
  return `${head} · ${t.description}: ${primary} ${score} (${t.seconds.toFixed(1)} s${p.note ? `, ${p.note}` : ""})`;
}

/**
 * Tune's progress on stderr: a cli-progress bar with the search's own ETA (it knows the time
 * budget and each family's trial times) on a terminal, else one line per trial and per blend
 * step — also under --json, whose stdout stays one JSON object.
 */
export function tuneReporter(primary: string, o: { enabled: boolean; tty: boolean; write?: (line: string) => void }): TuneReporter {
  const write = o.write ?? ((line: string) => void process.stderr.write(line + "\n"));
  if (!o.enabled) return { onProgress() {}, stop() {} };
  if (!o.tty) {
    return {
      onProgress: (p) => write(progressLine(p, primary)),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: "tune [{bar}] {value}/{total} | {elapsed} elapsed | ETA {tuneEta} | {last}", hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(p) {
      const t = p.trial;
      const last = p.note && !t ? p.note : t ? `${t.description.slice(0, 60)}: ${Number.isFinite(t.score) ? t.score.toFixed(4) : "failed"}` : "";
      const payload = { elapsed: formatSeconds(p.elapsedSeconds), tuneEta: formatSeconds(p.etaSeconds), last };
      if (!started) {
        bar.start(p.total, p.done, payload);
        started = true;
      } else {
        if (p.total !== bar.getTotal()) bar.setTotal(p.total);
        bar.update(p.done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
