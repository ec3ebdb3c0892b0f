/**
 * The event queues per deploy environment. The committed wrangler.toml names its queues
 * account-free (`edgerec-events`, `edgerec-events-dlq`: local dev and the tests use them as they
 * are); each environment gets its own copies named like its bucket (`edgerec-artifacts` →
 * `edgerec-staging-artifacts`): `edgerec-events` → `edgerec-staging-events`, so staging traffic
 * never reaches production's consumer. (`env` is a DeployEnv; typed as a string so this module
 * needs nothing from generated-config.ts, which renders with it.)
 */
/** `queue = "…"` (producers and consumers) and `dead_letter_queue = "…"` lines of a wrangler.toml. */
export const QUEUE_LINE = /^(\s*(?:queue|dead_letter_queue)\s*=\s*)"([^"]*)"/gm;

/** Every queue the committed config binds, produces to, consumes or dead-letters into, once each, in order of first mention. */
export function committedQueueNames(toml: string): string[] {
  return [...new Set([...toml.matchAll(QUEUE_LINE)].map((m) => m[2]))];
}

/** The environment's name for a committed queue: `edgerec-<rest>` → `edgerec-<env>-<rest>`. */
export function envQueueName(committed: string, env: string): string {
  const rest = /^edgerec-(.+)$/.exec(committed)?.[1];
  if (!rest) throw new Error(`wrangler.toml: queue ${JSON.stringify(committed)} does not start with "edgerec-", so it cannot be named per environment; rename it edgerec-<something>`);
  return `edgerec-${env}-${rest}`;
}

/** Rewrites every queue name (producers, consumers, dead_letter_queue) of a wrangler.toml for one environment. */
export function renameQueues(toml: string, env: string): string {
  return toml.replace(QUEUE_LINE, (_m, lead: string, name: string) => `${lead}${JSON.stringify(envQueueName(name, env))}`);
}

/**
 * The queue names in one page of `wrangler queues list` (wrangler 4.86 prints a box table with
 * columns id, name, created_on, modified_on, producers, consumers; an empty page prints nothing).
 */
export function parseQueueTable(text: string): string[] {
  const rows = text
    .split("\n")
    .filter((line) => line.trimStart().startsWith("│"))
    .map((line) => line.trim().slice(1, -1).split("│").map((cell) => cell.trim()));
  if (rows.length === 0) return [];
  const nameColumn = rows[0].indexOf("name");
  if (nameColumn < 0) throw new Error(`\`wrangler queues list\` printed a table without a "name" column: ${text.slice(0, 200)}`);
  return rows.slice(1).map((row) => row[nameColumn]).filter(Boolean);
}

/** Most pages `findQueues` reads before giving up (at 100+ queues a page, far beyond Cloudflare's per-account limit). */
const MAX_PAGES = 100;

/**
 * Which of `wanted` exist, paging through `wrangler queues list` until all are found, a page is
 * empty, or a page repeats the one before (a wrangler that ignores --page).
 */
export async function findQueues(wanted: readonly string[], listPage: (page: number) => Promise<string>): Promise<Set<string>> {
  const found = new Set<string>();
  let previous = "";
  for (let page = 1; page <= MAX_PAGES && found.size < wanted.length; page++) {
    const names = parseQueueTable(await listPage(page));
    const key = names.join("\n");
    if (names.length === 0 || key === previous) break;
    previous = key;
    for (const name of names) if (wanted.includes(name)) found.add(name);
  }
  return found;
}
