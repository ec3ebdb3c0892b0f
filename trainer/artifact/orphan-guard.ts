/**
 * Miniflare runs workerd as a child process. A publish killed with SIGKILL cannot stop it (no
 * handler runs), and the orphan keeps running — once for 38 minutes. So while local storage is
 * open, a tiny detached watchdog polls this process and, the moment it is gone, kills the workerd
 * children it was given. Linux only (children are found in /proc); elsewhere it does nothing.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Pids of this process's direct children whose command is workerd. */
export function workerdChildren(parent = process.pid): number[] {
  if (process.platform !== "linux") return [];
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent && readFileSync(`/proc/${name}/cmdline`, "utf8").includes("workerd")) out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

const WATCHDOG = `
const [parent, ...pids] = process.argv.slice(1).map(Number);
const fs = require("node:fs");
const isWorkerd = (pid) => { try { return fs.readFileSync("/proc/" + pid + "/cmdline", "utf8").includes("workerd"); } catch { return false; } };
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
setInterval(() => {
  const left = pids.filter(isWorkerd);
  if (left.length === 0) process.exit(0);
  if (!alive(parent)) { for (const pid of left) { try { process.kill(pid, "SIGKILL"); } catch {} } process.exit(0); }
}, 200);
`;

/** Starts the watchdog over this process's workerd children; returns how to stop it (on a clean dispose). */
export function guardWorkerdChildren(): () => void {
  const pids = workerdChildren();
  if (pids.length === 0) return () => undefined;
  const watchdog = spawn(process.execPath, ["-e", WATCHDOG, String(process.pid), ...pids.map(String)], { detached: true, stdio: "ignore" });
  watchdog.unref();
  return () => {
    try {
      if (watchdog.pid !== undefined) process.kill(watchdog.pid);
    } catch {
      /* already gone */
    }
  };
}
