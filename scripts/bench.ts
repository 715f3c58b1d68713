/**
 * Synth benchmark, in one run on this machine: the user-facing `npm run synth`, the precompiled app
 * alone (`node scripts/synth.mjs`, what cdktf.json runs), `node -e 0`, the bundle without V8's code cache
 * and the TypeScript-loader app as baselines, and the cost of each extra environment
 * (1, 5 and 20 environments). Medians with their spread (min–max), and the app's peak memory. Figures
 * only: the machine is shared and noisy, so nothing here passes or fails on a time.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { manyServicesConfig } from "./lib/many-services";
import { run, SCRATCH } from "./lib/tools";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const WORK = join(SCRATCH, "bench");
const OUT = join(WORK, "out");

interface Sample {
  readonly label: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

async function measure(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    rmSync(OUT, { recursive: true, force: true });
    const r = await run(command, args, { env: { ...env, CDKTF_OUTDIR: OUT } });
    if (r.code !== 0) throw new Error(`${label} failed:\n${r.stderr}`);
    times.push(r.seconds * 1000);
  }
  times.sort((a, b) => a - b);
  return { label, median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

/** The default config with `count` environments (each its own load balancer, service and deployment group). */
function configWithEnvironments(count: number): string {
  const config = JSON.parse(readFileSync("config/default.json", "utf8"));
  config.environments = Array.from({ length: count }, (_, i) => ({ name: `env${i + 1}` }));
  const path = join(WORK, `environments-${count}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** `count` services in two environments (scripts/lib/many-services.ts). */
function configWithServices(count: number): string {
  const path = join(WORK, `services-${count}.json`);
  writeFileSync(path, JSON.stringify(manyServicesConfig(count)));
  return path;
}

async function peakMemoryMiB(env: NodeJS.ProcessEnv): Promise<number> {
  const file = join(WORK, "rss.txt");
  rmSync(file, { force: true });
  for (let i = 0; i < 3; i++) {
    const r = await run(process.execPath, ["-r", "./scripts/lib/report-max-rss.cjs", "scripts/synth.mjs"], { env: { ...env, CDKTF_OUTDIR: OUT, BENCH_RSS_FILE: file } });
    if (r.code !== 0) throw new Error(`peak memory run failed:\n${r.stderr}`);
  }
  const kib = readFileSync(file, "utf8").trim().split("\n").map(Number).sort((a, b) => a - b);
  return kib[Math.floor(kib.length / 2)] / 1024;
}

async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const node = process.execPath;
  const base = { ...process.env, CONFIG: "config/default.json" };
  // Built once first, so every timed `npm run synth` measures what a user sees after the first.
  const build = await run("npm", ["run", "--silent", "build"]);
  if (build.code !== 0) throw new Error(`build failed:\n${build.stderr}`);

  const samples = [
    await measure("node -e 0 (baseline)", node, ["-e", "0"]),
    await measure("npm run synth (default stack)", "npm", ["run", "--silent", "synth"], base),
    await measure("app alone: node scripts/synth.mjs", node, ["scripts/synth.mjs"], base),
    await measure("bundle without code cache: node dist/main.js", node, ["dist/main.js"], base),
    await measure("before: node --import tsx main.ts", node, ["--import", "tsx", "main.ts"], base),
  ];
  const perCount: Array<[number, Sample]> = [];
  for (const count of [1, 5, 20]) {
    perCount.push([count, await measure(`app alone, ${count} environment${count > 1 ? "s" : ""}`, node, ["scripts/synth.mjs"], { ...process.env, CONFIG: configWithEnvironments(count) })]);
  }
  const perServices: Array<[number, Sample]> = [];
  for (const count of [1, 5, 20]) {
    perServices.push([count, await measure(`app alone, ${count} service${count > 1 ? "s" : ""} x 2 environments`, node, ["scripts/synth.mjs"], { ...process.env, CONFIG: configWithServices(count) })]);
  }
  const memory = await peakMemoryMiB(base);
  const memory20 = await peakMemoryMiB({ ...process.env, CONFIG: join(WORK, "environments-20.json") });
  rmSync(OUT, { recursive: true, force: true });

  console.log(`median (min–max) of ${RUNS} runs, wall clock, this machine`);
  for (const s of [...samples, ...perCount.map(([, s]) => s), ...perServices.map(([, s]) => s)]) {
    console.log(`${s.label.padEnd(46)}${s.median.toFixed(0).padStart(7)} ms  (${s.min.toFixed(0)}–${s.max.toFixed(0)})`);
  }
  const [one, , twenty] = perCount.map(([, s]) => s);
  const perEnvironment = (twenty.median - one.median) / 19;
  console.log(`per extra environment (20 vs 1): ${perEnvironment.toFixed(1)} ms`);
  const [oneService, , twentyServices] = perServices.map(([, s]) => s);
  const perServiceEnvironment = (twentyServices.median - oneService.median) / (19 * 2);
  console.log(`per extra service-environment (20 vs 1 service, 2 environments): ${perServiceEnvironment.toFixed(1)} ms`);
  console.log(`peak memory of the app: ${memory.toFixed(0)} MiB (default stack), ${memory20.toFixed(0)} MiB (20 environments)`);
  const [, npmSynth, app] = samples;
  const targets: Array<[string, boolean]> = [
    [`npm run synth <= 1000 ms: ${npmSynth.median.toFixed(0)}`, npmSynth.median <= 1000],
    [`app alone <= 450 ms: ${app.median.toFixed(0)}`, app.median <= 450],
    [`per extra environment <= 40 ms: ${perEnvironment.toFixed(1)}`, perEnvironment <= 40],
    [`per extra service-environment <= 30 ms: ${perServiceEnvironment.toFixed(1)}`, perServiceEnvironment <= 30],
    [`peak memory <= 150 MiB: ${memory.toFixed(0)}`, memory <= 150],
  ];
  for (const [what, met] of targets) console.log(`target ${what} -> ${met ? "met" : "NOT met"}`);
}

void main();
