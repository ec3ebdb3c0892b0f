import { type Progress, progress } from "../util/progress.ts";
import type { TuneProgress } from "./search.ts";

export interface TuneReporter {
  onProgress(progress: TuneProgress): void;
  stop(): void;
}

/** What a progress event says beyond the counts: the finished trial and its score, or a note. */
export function progressNote(p: TuneProgress, primary: string): string | undefined {
  if (!p.trial) return p.note;
  const t = p.trial;
  const score = Number.isFinite(t.score) ? t.score.toFixed(4) : "failed";
  return `${t.description}: ${primary} ${score} (${t.seconds.toFixed(1)} s${p.note ? `, ${p.note}` : ""})`;
}

/**
 * Tune's progress on stderr (trainer/util/progress.ts) with the search's own ETA, which knows
 * the time budget and each family's trial times: a bar on a terminal, else one line per trial
 * and per note — also under --json, whose stdout stays one JSON object.
 */
export function tuneReporter(primary: string, o: { enabled: boolean; tty: boolean; write?: (line: string) => void }): TuneReporter {
  let bar: Progress | undefined;
  return {
    onProgress(p) {
      bar ??= progress("tune", p.total, { enabled: o.enabled, tty: o.tty, write: o.write });
      bar.update(p.done, { total: p.total, etaSeconds: p.etaSeconds, elapsedSeconds: p.elapsedSeconds, note: progressNote(p, primary) });
    },
    stop() {
      bar?.stop();
    },
  };
}
