import { InputError, type ReadReport, type RowProblem } from "./types.ts";

/** How many problems a report lists; all of them are counted. */
export const MAX_LISTED_PROBLEMS = 50;
/** Default share of rejected rows above which reading fails instead of warning. */
export const DEFAULT_MAX_ERROR_RATIO = 0.01;

/** Collects what a reader saw in one file, so that nothing is dropped silently. */
export class ReportBuilder {
  rowsRead = 0;
  accepted = 0;
  duplicatesMerged = 0;
  rejected = 0;
  fieldProblems = 0;
  /** Rows kept with a value that looks wrong (see flag); they count towards the error ratio. */
  suspicious = 0;
  readonly suspiciousIssues: RowProblem[] = [];
  readonly problems: RowProblem[] = [];
  readonly fieldIssues: RowProblem[] = [];
  readonly notes: string[] = [];
  /** Rejected rows by kind of reason (quoted values and numbers blanked, so alike reasons count together). */
  readonly rejectedByReason = new Map<string, number>();
  /** Field problems by field (the first word of the reason: "title", "price"…). */
  readonly fieldProblemsByField = new Map<string, number>();

  constructor(readonly file: string) {}

  /** A row that could not be used at all. */
  reject(line: number, reason: string): void {
    this.rejected++;
    const kind = reasonKind(reason);
    this.rejectedByReason.set(kind, (this.rejectedByReason.get(kind) ?? 0) + 1);
    if (this.problems.length < MAX_LISTED_PROBLEMS) this.problems.push({ file: this.file, line, reason });
  }

  /** A row that was kept although one of its fields was unusable. */
  fieldProblem(line: number, reason: string): void {
    this.fieldProblems++;
    const field = reason.split(" ", 1)[0];
    this.fieldProblemsByField.set(field, (this.fieldProblemsByField.get(field) ?? 0) + 1);
    if (this.fieldIssues.length < MAX_LISTED_PROBLEMS) this.fieldIssues.push({ file: this.file, line, reason });
  }

  /** A row kept although a value in it looks wrong (an extra column, an implausible time). */
  flag(line: number, reason: string): void {
    this.suspicious++;
    if (this.suspiciousIssues.length < MAX_LISTED_PROBLEMS) this.suspiciousIssues.push({ file: this.file, line, reason });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  toReport(): ReadReport {
    const report: ReadReport = {
      file: this.file,
      rowsRead: this.rowsRead,
      accepted: this.accepted,
      duplicatesMerged: this.duplicatesMerged,
      rejected: this.rejected,
      problems: this.problems.slice(),
    };
    if (this.rejectedByReason.size > 0) report.rejectedByReason = Object.fromEntries(this.rejectedByReason);
    if (this.suspicious > 0) {
      report.suspicious = this.suspicious;
      report.suspiciousIssues = this.suspiciousIssues.slice();
    }
    if (this.fieldProblems > 0) {
      report.fieldProblems = this.fieldProblems;
      report.fieldIssues = this.fieldIssues.slice();
    }
    const notes = this.notes.slice();
    if (this.fieldProblemsByField.size > 0) {
      notes.push(`fields ignored (rows kept): ${[...this.fieldProblemsByField].map(([f, n]) => `${n} ${f}`).join(", ")}`);
    }
    if (notes.length > 0) report.notes = notes;
    return report;
  }

  /**
   * Fails the run when too many rows were bad: a few broken rows in a big export are
   * normal, but many mean the file was read with the wrong format or options.
   */
  checkErrorRatio(maxErrorRatio = DEFAULT_MAX_ERROR_RATIO, hint?: string): void {
    if (this.rowsRead === 0) {
      throw new InputError("no data rows found (the file is empty or has only a header)", this.file, undefined,
        "check the path, or that the right file was passed");
    }
    const ratio = (this.rejected + this.suspicious) / this.rowsRead;
    if (ratio <= maxErrorRatio) return;
    const first = [...this.problems.slice(0, 5), ...this.suspiciousIssues.slice(0, 5 - Math.min(5, this.problems.length))]
      .map((p) => `\n    line ${p.line}: ${p.reason}`)
      .join("");
    const suspicious = this.suspicious ? ` and ${this.suspicious} suspicious` : "";
    throw new InputError(
      `${this.rejected} of ${this.rowsRead} rows rejected${suspicious} (${(ratio * 100).toFixed(1)}% > allowed ${(maxErrorRatio * 100).toFixed(1)}%). First problems:${first}`,
      this.file,
      undefined,
      hint ?? "fix the rows above, check --format/--delimiter/--encoding, or raise --max-error-ratio to accept the losses",
    );
  }
}

/** One line per report plus its first problems, for people reading stderr. */
export function formatReadReport(r: ReadReport, maxProblems = 5): string {
  const parts = [`${r.file}: ${r.rowsRead} rows read, ${r.accepted} accepted, ${r.duplicatesMerged} duplicates merged, ${r.rejected} rejected`];
  if (r.suspicious) parts[0] += `, ${r.suspicious} suspicious`;
  if (r.fieldProblems) parts[0] += `, ${r.fieldProblems} fields ignored`;
  for (const p of r.problems.slice(0, maxProblems)) parts.push(`  line ${p.line}: ${p.reason}`);
  if (r.rejected > maxProblems) parts.push(`  … ${r.rejected - Math.min(maxProblems, r.problems.length)} more rejected rows`);
  for (const p of (r.suspiciousIssues ?? []).slice(0, maxProblems)) parts.push(`  line ${p.line} (suspicious, kept): ${p.reason}`);
  for (const p of (r.fieldIssues ?? []).slice(0, maxProblems)) parts.push(`  line ${p.line} (kept): ${p.reason}`);
  for (const n of r.notes ?? []) parts.push(`  note: ${n}`);
  return parts.join("\n");
}

/** A rejection reason without its row-specific values: 'rating "x" is not a number' → 'rating … is not a number'. */
export function reasonKind(reason: string): string {
  return reason
    .replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, "…")
    .replace(/:\s.*$/, "")
    .replace(/\d+/g, "N")
    .slice(0, 80);
}
