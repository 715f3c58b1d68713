import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BASELINE_PATH = "__tests__/fixtures/synth-baseline.json";

/** The default config, every example and both limits configs: every config the project ships. */
export function shippedConfigs(): string[] {
  const inFolder = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => `${dir}/${f}`);
  return ["config/default.json", ...inFolder("examples"), ...inFolder("config/limits")];
}

/** config path -> SHA-256 of its cdk.tf.json, written by the TypeScript app (main.ts), with the cwd replaced. */
export function synthAll(configs = shippedConfigs()): Record<string, string> {
  const work = mkdtempSync(join(tmpdir(), "synth-baseline-"));
  try {
    return Object.fromEntries(configs.map((config, i) => [config, synthHash(config, join(work, String(i)))]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function synthHash(config: string, outdir: string): string {
  const run = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
    env: { ...process.env, CONFIG: config, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`synth of ${config} failed: ${run.stderr}`);
  const [stack] = readdirSync(join(outdir, "stacks"));
  const json = readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8").split(process.cwd()).join("<cwd>");
  return createHash("sha256").update(json).digest("hex");
}

export function readBaseline(): Record<string, string> {
  return JSON.parse(readFileSync(BASELINE_PATH, "utf8")) as Record<string, string>;
}
