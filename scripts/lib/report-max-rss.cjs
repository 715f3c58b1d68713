// Preloaded by the benchmark (node -r): on exit, appends this process's peak resident set size (KiB)
// to the file named by BENCH_RSS_FILE.
const { appendFileSync } = require("node:fs");
process.on("exit", () => {
  if (process.env.BENCH_RSS_FILE) appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
