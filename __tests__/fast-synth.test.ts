import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/** Every file under dir, by relative path, with its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) visit(full);
      else out[relative(dir, full)] = readFileSync(full).toString("base64");
    }
  };
  visit(dir);
  return out;
}

describe("npm run synth (the precompiled app)", () => {
  it("writes byte for byte what the TypeScript app (cdktf.json's former command) writes, for the default config and an example", () => {
    const work = mkdtempSync(join(tmpdir(), "fast-synth-"));
    try {
      for (const config of ["config/default.json", "examples/seed-002-staging-production.json"]) {
        const name = config.replace(/\W/g, "-");
        const fast = spawnSync(process.execPath, ["scripts/synth.mjs"], { env: { ...process.env, CONFIG: config, CDKTF_OUTDIR: join(work, `fast-${name}`) }, encoding: "utf8" });
        const slow = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { env: { ...process.env, CONFIG: config, CDKTF_OUTDIR: join(work, `tsx-${name}`) }, encoding: "utf8" });
        expect(fast.status, fast.stderr).toBe(0);
        expect(slow.status, slow.stderr).toBe(0);
        const fastTree = tree(join(work, `fast-${name}`));
        expect(Object.keys(fastTree)).toContain("manifest.json");
        expect(Object.keys(fastTree).some((f) => f.endsWith("smoke-test.zip"))).toBe(true);
        expect(fastTree).toEqual(tree(join(work, `tsx-${name}`)));
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);

  it("rejects bad input with the same one line and exit code, writing nothing", () => {
    const work = mkdtempSync(join(tmpdir(), "fast-synth-bad-"));
    try {
      const run = spawnSync(process.execPath, ["scripts/synth.mjs"], {
        env: { ...process.env, CONFIG: "config/default.json", CONFIG__deployment__trafficShifting: '{"type":"canary","percent":100,"intervalMinutes":5}', CDKTF_OUTDIR: join(work, "out") },
        encoding: "utf8",
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe("Invalid config: deployment.trafficShifting.percent: must be at most 99 (got 100)");
      expect(readdirSync(work)).toEqual([]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 30_000);

  it("builds without a warning (a newcomer reads esbuild's warning as a failure)", () => {
    const build = spawnSync(process.execPath, ["scripts/build.mjs", "--force"], { encoding: "utf8" });
    expect(build.status, build.stderr).toBe(0);
    expect(`${build.stdout}${build.stderr}`).not.toMatch(/WARNING|warning/);
  }, 60_000);
});
