import type { Command } from "commander";
import { addStoreOptions, openStore, type StoreCliOptions } from "../../artifact/cli-store.ts";
import { pointerRepair, readCurrentState, readVersions } from "../../artifact/published-state.ts";

export function register(program: Command): void {
  addStoreOptions(program.command("versions").description("list published artifact versions, newest first; * marks the current one"))
    .option("--json", "print JSON")
    .action(async (opts: StoreCliOptions & { json?: boolean }) => {
      const { store, where, dispose } = await openStore(opts);
      try {
        const [versions, state] = await Promise.all([readVersions(store), readCurrentState(store)]);
        const current = state.pointer;
        const flag = opts.remote ? "--remote" : "--local";
        // An unreadable pointer must not hide the list: it is what `rollback <version>` needs.
        if (state.unreadable) process.stderr.write(`warning: ${state.unreadable}; ${pointerRepair(flag)}\n`);
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ where, current: current?.version ?? null, ...(state.unreadable ? { currentUnreadable: state.unreadable } : {}), versions: versions.map((v) => ({ ...v, current: v.version === current?.version })) })}\n`,
          );
          return;
        }
        if (versions.length === 0) {
          process.stdout.write(`no versions published in ${where}; publish one with \`edgerec publish <artifact> ${flag}\`\n`);
          return;
        }
        process.stdout.write(`versions in ${where}:\n`);
        for (const v of versions) {
          const metric = v.headlineMetric && v.metrics[v.headlineMetric] !== undefined ? `${v.headlineMetric}=${v.metrics[v.headlineMetric].toFixed(4)}` : "";
          process.stdout.write(`${v.version === current?.version ? "*" : " "} ${v.version}  ${v.layout.padEnd(7)} ${String(v.bytes).padStart(10)} B  published ${v.publishedAt}  ${metric}\n`);
        }
      } finally {
        await dispose();
      }
    });
}
