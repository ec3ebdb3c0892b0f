// Preloaded into a benchmarked child process (`node --import`): when it exits, it writes the
// process's CPU seconds (every thread's, user + system) and peak RSS to EDGEREC_USAGE_FILE.
// A bench so measures any code the same way, also an anchor commit that reports neither.
import { writeFileSync } from "node:fs";

const file = process.env.EDGEREC_USAGE_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakRssMB: usage.maxRSS / 1024 }));
  });
}
