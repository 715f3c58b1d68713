/**
 * Synth benchmark: median wall time of synthesizing the default stack (the same main.ts `cdktf synth`
 * runs), printed next to baselines measured in the same run on the same machine.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { run, SCRATCH } from "./lib/tools";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

async function median(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await run(command, args, { env });
    if (r.code !== 0) throw new Error(`${label} failed:\n${r.stderr}`);
    times.push(r.seconds * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const outdir = join(SCRATCH, "bench-out");
  mkdirSync(outdir, { recursive: true });
  const node = process.execPath;
  const rows: Array<[string, number]> = [
    ["node -e 0 (baseline)", await median("node", node, ["-e", "0"])],
    ["node --import tsx -e 0 (TypeScript loader)", await median("tsx", node, ["--import", "tsx", "-e", "0"])],
    [
      "synth default stack (main.ts)",
      await median("synth", node, ["--import", "tsx", "main.ts"], { ...process.env, CDKTF_OUTDIR: outdir, CONFIG: "config/default.json" }),
    ],
  ];
  rmSync(outdir, { recursive: true, force: true });
  console.log(`median of ${RUNS} runs, wall clock`);
  for (const [label, ms] of rows) console.log(`${label.padEnd(46)}${ms.toFixed(0).padStart(7)} ms`);
  const synth = rows[2][1];
  const baseline = rows[0][1];
  console.log(`synth minus node startup: ${(synth - baseline).toFixed(0)} ms; target: synth under 1500 ms -> ${synth < 1500 ? "met" : "NOT met"}`);
}

void main();
