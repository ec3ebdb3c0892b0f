/** Peak resident set size of this process so far, in MiB (ru_maxrss). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
