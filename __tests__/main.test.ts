import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rawConfig } from "./helpers";

const work = mkdtempSync(join(tmpdir(), "bluegreen-main-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs main.ts as `cdktf synth` does (CDKTF_OUTDIR set), with the given config file contents. */
function runMain(configText: string) {
  const configPath = join(work, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(configPath, configText);
  const outdir = join(work, `out-${Math.random().toString(36).slice(2)}`);
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
    env: { ...process.env, CONFIG: configPath, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  return { ...result, outdir };
}

describe("main.ts", () => {
  it("synthesizes the stack named after the app from the file CONFIG names", () => {
    const run = runMain(JSON.stringify(rawConfig({ appName: "from-config-file" })));
    expect(run.status, run.stderr).toBe(0);
    const tf = JSON.parse(readFileSync(join(run.outdir, "stacks", "from-config-file", "cdk.tf.json"), "utf8"));
    expect(Object.keys(tf.resource.aws_ecs_service)).toHaveLength(1);
  });

  it("bad input: exits non-zero with one line naming the field, and writes nothing", () => {
    const run = runMain(JSON.stringify(rawConfig({ deployment: { deploymentConfigName: "Fast" } })));
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^Invalid config: deployment\.deploymentConfigName: must be one of/);
    expect(existsSync(run.outdir)).toBe(false);
  });

  it("a config file that is not JSON: one line, non-zero, nothing written", () => {
    const run = runMain("{ appName: ");
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/is not valid JSON/);
    expect(existsSync(run.outdir)).toBe(false);
  });
});
