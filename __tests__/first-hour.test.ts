import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { applyEnvOverrides, loadConfig } from "../src/config";
import { render, summarize, summaryFormat } from "../scripts/summary";
import { firstDifference, terrainPackage } from "../scripts/cdk-terrain";
import { cdktfEnvironment, outputLines } from "../scripts/lib/cdktf-cli";
import { config, configErrorFor, rawConfig } from "./helpers";

/**
 * The paths that tripped a new user with the README in hand (issue 23): each as the user takes it.
 */

describe("npm run summary", () => {
  it("prints JSON and nothing else with --json, as the README writes it (no npm banner before it)", () => {
    const run = spawnSync("npm", ["run", "summary", "--", "--json"], { encoding: "utf8", env: { ...process.env, CONFIG: "config/default.json" } });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ appName: "bluegreen-demo", region: "eu-central-1" });
  });

  it("refuses a flag it does not know, and two formats, naming the ones it takes", () => {
    expect(() => summaryFormat(["--jsn"])).toThrow('unknown argument "--jsn"; allowed: --json, --markdown, --text (one of them, or none for text)');
    expect(() => summaryFormat(["--json", "--markdown"])).toThrow("give one format, not --json and --markdown");
    expect([summaryFormat([]), summaryFormat(["--markdown"]), summaryFormat(["--json"])]).toEqual(["text", "markdown", "json"]);
    const run = spawnSync("npm", ["run", "summary", "--", "--jsn"], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^npm run summary: unknown argument "--jsn"/);
  });

  it("ends every Markdown table with a blank line, so the line after it is not read as one more row", () => {
    const lines = render(summarize(config({ environments: [{ name: "staging" }, { name: "production" }] })), true).split("\n");
    const tableEnds = lines.flatMap((line, i) => (line.startsWith("|") && !lines[i + 1]?.startsWith("|") ? [i] : []));
    expect(tableEnds.length).toBeGreaterThan(3);
    for (const i of tableEnds) expect(lines[i + 1], `after "${lines[i]}"`).toBe("");
  });
});

describe("npm run synth", () => {
  it("leaves only the current config's stacks in cdktf.out, as cdktf synth does", () => {
    const dir = mkdtempSync(join(tmpdir(), "synth-"));
    try {
      const synth = (config: string) => {
        const run = spawnSync("node", [resolve("scripts/synth.mjs")], { cwd: dir, encoding: "utf8", env: { ...process.env, CONFIG: resolve(config) } });
        expect(run.status, run.stderr).toBe(0);
      };
      synth("examples/seed-004-github-actions.json");
      synth("config/default.json");
      expect(readdirSync(join(dir, "cdktf.out", "stacks"))).toEqual(["bluegreen-demo"]);
      expect(Object.keys(JSON.parse(readFileSync(join(dir, "cdktf.out", "manifest.json"), "utf8")).stacks)).toEqual(["bluegreen-demo"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("temporary files", () => {
  it("a synth leaves nothing in the temporary folder (the smoke test's zip goes with the process)", () => {
    const temp = mkdtempSync(join(tmpdir(), "synth-tmp-"));
    const out = mkdtempSync(join(tmpdir(), "synth-out-"));
    try {
      const run = spawnSync("node", [resolve("scripts/synth.mjs")], { encoding: "utf8", env: { ...process.env, TMPDIR: temp, CONFIG: resolve("config/default.json"), CDKTF_OUTDIR: join(out, "cdktf.out") } });
      expect(run.status, run.stderr).toBe(0);
      expect(readdirSync(join(out, "cdktf.out", "stacks"))).toEqual(["bluegreen-demo"]);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      rmSync(temp, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("config errors a newcomer meets", () => {
  it("tells a missing source kind or delivery mode from an unknown one", () => {
    expect(configErrorFor({ source: { repositoryName: "app" } })).toBe('Invalid config: source.kind: is required; allowed: "codestar", "codecommit", "github-oauth", "s3"');
    expect(configErrorFor({ source: { kind: "gitlab" } })).toBe('Invalid config: source.kind: unknown source kind; allowed: "codestar", "codecommit", "github-oauth", "s3" (got "gitlab")');
    expect(configErrorFor({ delivery: { repository: "acme/shop" } })).toBe('Invalid config: delivery.mode: is required; allowed: "codepipeline", "github-actions"');
  });

  it("refuses a region AWS does not have, unless told it is newer than the list", () => {
    const zones = { region: "eu-central-9", availabilityZones: ["eu-central-9a", "eu-central-9b"] };
    expect(configErrorFor(zones)).toMatch(/^Invalid config: region: "eu-central-9" is not an AWS Region \(a Region AWS opened after this release: set allowUnlistedRegion: true; the Regions: af-south-1, /);
    expect(config({ ...zones, allowUnlistedRegion: true }).region).toBe("eu-central-9");
    expect(configErrorFor({ stateBackend: { bucket: "state", key: "k", region: "us-east-9" } })).toMatch(/^Invalid config: stateBackend\.region: "us-east-9" is not an AWS Region/);
    expect(config({ region: "ap-southeast-7", availabilityZones: ["ap-southeast-7a", "ap-southeast-7b"] }).region).toBe("ap-southeast-7");
  });
});

describe("CONFIG__ overrides", () => {
  const load = (env: Record<string, string>) => loadConfig({ CONFIG: "config/default.json", ...env });

  it("refuses an override with one underscore instead of ignoring it, and leaves other CONFIG_ variables alone", () => {
    expect(() => load({ CONFIG_service__desiredCount: "2" })).toThrow(
      "Environment override CONFIG_service__desiredCount: starts with one underscore; overrides start with CONFIG__ (two), e.g. CONFIG__service__desiredCount",
    );
    expect(load({ CONFIG_DIR: "/etc/app", CONFIG__service__desiredCount: "2" }).environments[0].service.desiredCount).toBe(2);
  });

  it("indexes list items by number: replaces one, adds the next, in order whatever the environment's order", () => {
    expect(load({ CONFIG__environments__0__name: "staging" }).environments.map((e) => e.name)).toEqual(["staging"]);
    const two = load({ CONFIG__environments__1__name: "production", CONFIG__environments__0__name: "staging", CONFIG__environments__1__approval__notifyEmails: '["qa@example.com"]' });
    expect(two.environments.map((e) => e.name)).toEqual(["staging", "production"]);
    expect(two.environments[1].approval).toBeDefined();
    const raw = rawConfig({ environments: [{ name: "staging" }, { name: "production" }] });
    expect((applyEnvOverrides(raw, { CONFIG__environments__1__service__desiredCount: "3" }) as any).environments[1]).toEqual({ name: "production", service: { desiredCount: 3 } });
    expect((applyEnvOverrides(raw, { CONFIG__environments__0: "null" }) as any).environments).toEqual([{ name: "production" }]);
    expect(() => applyEnvOverrides(raw, { CONFIG__environments__5__name: "x" })).toThrow("Environment override CONFIG__environments__5__name: index 5 of a list of 2 would leave a gap (give 2 to add an item)");
    expect(() => applyEnvOverrides(raw, { CONFIG__environments__first__name: "x" })).toThrow("Environment override CONFIG__environments__first__name: first is not an index of a list (0, 1, …)");
  });
});

describe("npm run sandbox:up", () => {
  it("prints every output as Terraform reads it: a string as it is, a map as JSON, a sensitive value hidden", () => {
    expect(outputLines({ production_url: { value: "http://x" }, github_actions_variables: { value: { A: "1" } }, token: { value: "s3cr3t", sensitive: true } })).toEqual([
      "production_url = http://x",
      'github_actions_variables = {"A":"1"}',
      "token = (sensitive: terraform output token)",
    ]);
  });

  it("runs cdktf with CI=true off a terminal (its renderer then prints each step once, not every spinner frame)", () => {
    expect(cdktfEnvironment({ PATH: "/bin" }, false)).toEqual({ PATH: "/bin", CI: "true" });
    expect(cdktfEnvironment({ PATH: "/bin" }, true)).toEqual({ PATH: "/bin" });
    expect(cdktfEnvironment({ CI: "false" }, false)).toEqual({ CI: "false" });
  });
});

describe("the CDK Terrain check (npm run test:terrain)", () => {
  it("maps cdktf to cdktn for the app and the provider bindings, in cdktn's constructs range", () => {
    const pkg = terrainPackage(JSON.parse(readFileSync("package.json", "utf8")));
    expect(pkg.dependencies.cdktf).toBe("npm:cdktn@0.24.0");
    expect(pkg.overrides).toEqual({ cdktf: "npm:cdktn@0.24.0", constructs: "10.7.0" });
    expect((pkg.dependencies as Record<string, string>)["@cdktf/provider-aws"]).toBe("20.1.0");
  });

  it("compares the documents, not their bytes, and only the CDK's version stamp is allowed to differ", () => {
    const doc = (version: string, bucket: string) => ({ "//": { metadata: { version, stackName: "s" } }, resource: { aws_s3_bucket: { b: { bucket } }, empty: {} } });
    expect(firstDifference(doc("0.21.0", "x"), doc("0.24.0", "x"))).toBeUndefined();
    expect(firstDifference(doc("0.21.0", "x"), doc("0.21.0", "y"))).toBe('resource.aws_s3_bucket.b.bucket: "x" vs "y"');
    expect(firstDifference({ a: [1, 2] }, { a: [1] })).toBe("a.1: 2 vs undefined");
  });
});
