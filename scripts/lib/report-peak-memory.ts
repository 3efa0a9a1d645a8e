/**
 * Preloaded into a child process (`node --import tsx --import <this>`) whose
 * peak memory a benchmark wants: at exit it writes one line to stderr,
 * `PEAK_RSS_KB <n>`, from the kernel's own count (getrusage's maxrss).
 */
process.on("exit", () => {
  process.stderr.write(`PEAK_RSS_KB ${process.resourceUsage().maxRSS}\n`);
});
