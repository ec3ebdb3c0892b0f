/** One JSON object per line on stdout (the `-- --json` output of every bench). */
export function writeJsonLine(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj) + "\n");
}
