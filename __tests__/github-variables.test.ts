import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findOutputs, ghVariableCommands, shellWord } from "../scripts/github-variables";

/** `npm run github-variables`: the gh commands that set what the workflow reads, from the stack's outputs. */
const OUTPUTS = {
  github_actions_variables: { value: JSON.stringify({ AWS_REGION: "eu-central-1", AWS_PUSH_ROLE_ARN: "arn:aws:iam::123456789012:role/shop-github-push" }) },
  github_actions_environment_variables: {
    value: JSON.stringify({
      staging: { AWS_DEPLOY_ROLE_ARN: "arn:aws:iam::123456789012:role/shop-staging-github-deploy", APPSPEC_HOOKS: 'Hooks: [{"AfterAllowTestTraffic":"arn:aws:lambda:x"}]' },
      production: { AWS_DEPLOY_ROLE_ARN: "arn:aws:iam::123456789012:role/shop-github-deploy", APPSPEC_HOOKS: "it's" },
    }),
  },
};

describe("npm run github-variables", () => {
  it("sets the repository's variables, then each GitHub environment's with --env", () => {
    expect(ghVariableCommands("my-org/shop", OUTPUTS)).toEqual([
      "# Repository variables of my-org/shop",
      "gh variable set AWS_REGION --repo 'my-org/shop' --body 'eu-central-1'",
      "gh variable set AWS_PUSH_ROLE_ARN --repo 'my-org/shop' --body 'arn:aws:iam::123456789012:role/shop-github-push'",
      "# GitHub environment staging",
      "gh variable set AWS_DEPLOY_ROLE_ARN --repo 'my-org/shop' --env 'staging' --body 'arn:aws:iam::123456789012:role/shop-staging-github-deploy'",
      `gh variable set APPSPEC_HOOKS --repo 'my-org/shop' --env 'staging' --body 'Hooks: [{"AfterAllowTestTraffic":"arn:aws:lambda:x"}]'`,
      "# GitHub environment production",
      "gh variable set AWS_DEPLOY_ROLE_ARN --repo 'my-org/shop' --env 'production' --body 'arn:aws:iam::123456789012:role/shop-github-deploy'",
      `gh variable set APPSPEC_HOOKS --repo 'my-org/shop' --env 'production' --body 'it'\\''s'`,
    ]);
  });

  it("quotes each value as one shell word, whatever it holds", () => {
    for (const value of ["plain", "it's", "$HOME `x` \"q\"", "a b\nc", ""]) {
      const echoed = spawnSync("sh", ["-c", `printf %s ${shellWord(value)}`], { encoding: "utf8" });
      expect(echoed.stdout).toBe(value);
    }
  });

  it("refuses outputs of a stack without GitHub Actions delivery, and a CodePipeline config, with one line", () => {
    expect(() => ghVariableCommands("o/r", {})).toThrow(/deploy a stack with delivery mode "github-actions" first/);
    const dir = mkdtempSync(join(tmpdir(), "ghvars-"));
    try {
      writeFileSync(join(dir, "outputs.json"), JSON.stringify(OUTPUTS));
      const codepipeline = spawnSync(process.execPath, ["--import", "tsx", "scripts/github-variables.ts", join(dir, "outputs.json")], { encoding: "utf8", env: { ...process.env, CONFIG: "config/default.json" } });
      expect(codepipeline.status).toBe(1);
      expect(codepipeline.stderr.trim()).toBe('delivery.mode is "codepipeline": there are no GitHub variables to set');
      const github = spawnSync(process.execPath, ["--import", "tsx", "scripts/github-variables.ts", join(dir, "outputs.json")], {
        encoding: "utf8",
        env: { ...process.env, CONFIG: "examples/seed-004-github-actions.json" },
      });
      expect(github.status).toBe(0);
      expect(github.stdout).toContain("gh variable set AWS_DEPLOY_ROLE_ARN --repo 'my-org/ecs-service' --env 'production'");
      // Several services: each service's outputs, for its own repository; without --service, the services are named.
      const prefixed = Object.fromEntries(Object.entries(OUTPUTS).map(([name, output]) => [`api_${name}`, output]));
      writeFileSync(join(dir, "services.json"), JSON.stringify(prefixed));
      const servicesRun = (...args: string[]) =>
        spawnSync(process.execPath, ["--import", "tsx", "scripts/github-variables.ts", ...args, join(dir, "services.json")], {
          encoding: "utf8",
          env: { ...process.env, CONFIG: "examples/github-actions-services.json" },
        });
      const api = servicesRun("--service", "api");
      expect(api.status).toBe(0);
      expect(api.stdout).toContain("gh variable set AWS_DEPLOY_ROLE_ARN --repo 'shop-org/api' --env 'production'");
      const unnamed = servicesRun();
      expect(unnamed.status).toBe(1);
      expect(unnamed.stderr.trim()).toBe("name the service; the config's services: web, api (--service <name>)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const script = (args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/github-variables.ts", ...args], { encoding: "utf8", env: { ...process.env, CONFIG: "examples/seed-004-github-actions.json" } });

  it("--help prints its usage, options and an example; an unknown option is refused with exit 2 and one line", () => {
    const help = script(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^github-variables: /);
    expect(help.stdout).toContain("usage: npm run -s github-variables -- [outputs.json] [--service <name>]");
    expect(help.stdout).toContain("--service <value>");
    expect(help.stdout).toMatch(/examples:\n {2}CONFIG=/);
    const unknown = script(["--sevice", "api"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^github-variables: Unknown option '--sevice'/);
  });

  it("without outputs anywhere, says in one line where it looked and what to do (no stack trace)", () => {
    const empty = mkdtempSync(join(tmpdir(), "no-outputs-"));
    try {
      const found = findOutputs("shop", undefined, empty);
      expect(found).toEqual({ missing: expect.stringMatching(/^no outputs of shop found \(not in the sandbox, not in cdktf\.out\): deploy first/) });
      expect(findOutputs("shop", join(empty, "outputs.json"), empty)).toEqual({ missing: expect.stringMatching(/outputs\.json does not exist/) });
      const run = script([join(empty, "missing.json")]);
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
