/** Minimal flag parsing for bench scripts: `--json`, `--only x`, `--seeds 0,1,2`, `--name=value`. */
export function parseArgs(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const eq = a.indexOf("=");
    if (eq > 0) {
      out.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
      out.set(a.slice(2), argv[++i]);
    } else {
      out.set(a.slice(2), true);
    }
  }
  return out;
}
