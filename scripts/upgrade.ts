/**
 * Upgrade tier: a platform deployed with the last release (the commit in .ci/last-release) is planned
 * and applied with the working tree, using the config files as that release had them (a user keeps the
 * config they deployed with). On moto, for each config: apply with the release, swap as a deployment
 * would, then plan with the working tree: nothing may be destroyed or replaced (moves are fine), and
 * every creation or in-place update must be one this release means (EXPECTED_CHANGES, listed in README's
 * *Upgrading*); the upgrade is applied and re-planned clean, then destroyed. Ends with "N passed, N failed".
 *
 * Usage: tsx scripts/upgrade.ts [config.json ...]   (default: CONFIGS below)
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { simulateBlueGreenDeployment } from "./e2e/bluegreen";
import { Check, locate } from "./e2e/checks";
import { destroyStack, localStateResources } from "./e2e/state";
import { createUserInfrastructure } from "./e2e/user-infrastructure";
import { loadConfig } from "../src/config";
import { motoClientConfig, startMoto, withMoto } from "./lib/moto";
import { concurrency, inPool } from "./lib/pool";
import { initArgs, requireTool, ROOT, run, SCRATCH, synthesize, tail, terraformEnv } from "./lib/tools";
import { endTier, TierCheck } from "./lib/tier-report";

/** The default stack, one with databases, a customer-managed key and autoscaling, and one delivered by GitHub Actions. */
const CONFIGS = ["config/default.json", "examples/two-environments-database-autoscaling.json", "examples/seed-004-github-actions.json"];

/**
 * Creations and in-place updates this release means on a platform the last release deployed, by address
 * pattern (README's *Upgrading* lists them). Anything else is a failure, as is any deletion or replacement.
 */
const EXPECTED_CHANGES: Array<{ readonly address: RegExp; readonly actions: ReadonlyArray<"create" | "update">; readonly why: string }> = [
  // From 38777ba: nothing changes on a running stack.
];

const WORK = join(SCRATCH, "upgrade");
const RELEASE_DIR = join(WORK, "release");

/** The last release as a worktree of this repository, with the dependencies it locked. */
async function checkOutRelease(commit: string): Promise<void> {
  await run("git", ["worktree", "remove", "--force", RELEASE_DIR]);
  rmSync(RELEASE_DIR, { recursive: true, force: true });
  await run("git", ["worktree", "prune"]);
  const added = await run("git", ["worktree", "add", "--detach", RELEASE_DIR, commit]);
  if (added.code !== 0) throw new Error(`cannot check out the last release ${commit} (a shallow clone lacks it: fetch the full history): ${tail(added, 5)}`);
  const sameLock = await run("git", ["diff", "--quiet", commit, "--", "package-lock.json"]);
  if (sameLock.code === 0) {
    symlinkSync(join(ROOT, "node_modules"), join(RELEASE_DIR, "node_modules"), "dir");
    return;
  }
  const installed = await run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: RELEASE_DIR, timeoutSeconds: 600 });
  if (installed.code !== 0) throw new Error(`npm ci of the last release failed: ${tail(installed, 10)}`);
}

/** The last release's app, synthesized (the TypeScript app: a release's own fast-synth script may differ). */
async function synthesizeRelease(config: string, outdir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const synth = await run(process.execPath, ["--import", "tsx", "main.ts"], { cwd: RELEASE_DIR, env: { ...env, CONFIG: config, CDKTF_OUTDIR: outdir } });
  if (synth.code !== 0) throw new Error(`synth with the last release failed: ${tail(synth, 10)}`);
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  const [stack] = Object.values(manifest.stacks) as Array<{ workingDirectory: string }>;
  return join(outdir, stack.workingDirectory);
}

interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly change: { readonly actions: string[] };
}

/** Judges the upgrade plan: deletions and replacements fail; creations and updates must be expected. */
function judgePlan(changes: ResourceChange[]): Check[] {
  const outcomes: Check[] = [];
  const destroyed = changes.filter((c) => c.change.actions.includes("delete"));
  outcomes.push({
    name: "nothing destroyed or replaced",
    ok: destroyed.length === 0,
    detail: destroyed.map((c) => `${c.address} (${c.change.actions.join("+")})`).join(", "),
  });
  const moved = changes.filter((c) => c.previous_address && c.previous_address !== c.address);
  const meant = changes.filter((c) => c.change.actions.some((a) => a === "create" || a === "update") && !c.change.actions.includes("delete"));
  const unexpected = meant.filter((c) => !EXPECTED_CHANGES.some((e) => e.address.test(c.address) && c.change.actions.every((a) => (e.actions as string[]).includes(a))));
  outcomes.push({
    name: "every creation and update is one this release means",
    ok: unexpected.length === 0,
    detail: [`${moved.length} moved, ${meant.length - unexpected.length} expected changes`, ...unexpected.map((c) => `unexpected: ${c.address} (${c.change.actions.join("+")})`)].join("; "),
  });
  return outcomes;
}

async function upgrade(config: string): Promise<Check[]> {
  const outcomes: Check[] = [];
  const step = (name: string, ok: boolean, detail = "") => {
    outcomes.push({ name, ok, detail });
    return ok;
  };
  const name = config.replace(/\W/g, "-");
  const work = join(WORK, name);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const moto = await startMoto();
  const env = withMoto(terraformEnv(), moto.endpoint);
  const stateFile = join(work, "terraform.tfstate");
  // The config file as the release had it, for both synths.
  const releaseConfig = join(RELEASE_DIR, config);
  const baseEnv = { ...env, CONFIG: releaseConfig, CONFIG__sandbox: "false", CONFIG__database__deletionProtection: "false", CONFIG__localStatePath: stateFile };
  let releaseDir: string | undefined;
  let currentDir: string | undefined;
  try {
    const stackConfig = loadConfig(baseEnv);
    const clientConfig = motoClientConfig(stackConfig.region, moto.endpoint);
    const user = await createUserInfrastructure(stackConfig, clientConfig);
    const synthEnv = { ...baseEnv, ...user.overrides };
    releaseDir = await synthesizeRelease(releaseConfig, join(work, "release-out"), synthEnv);
    const init = await run("terraform", initArgs(stateFile), { cwd: releaseDir, env });
    if (!step("init with the last release", init.code === 0, init.code ? tail(init, 10) : "")) return outcomes;
    const apply = await run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: releaseDir, env, timeoutSeconds: 900 });
    if (!step("apply with the last release", apply.code === 0, apply.code ? tail(apply, 15) : `${apply.seconds.toFixed(0)} s`)) return outcomes;
    const deployed = locate(localStateResources(stateFile), loadConfig(synthEnv));
    const swaps = [];
    for (const environment of deployed.environments) swaps.push(...(await simulateBlueGreenDeployment(environment, clientConfig)));
    step("a deployment swaps every environment", swaps.every((s) => s.ok), swaps.filter((s) => !s.ok).map((s) => `${s.name}: ${s.detail}`).join("; "));

    const synth = await synthesize(releaseConfig, join(work, "current-out"), synthEnv);
    if (!step("synth with the working tree", !!synth.stackDir, synth.stackDir ? "" : tail(synth, 10)) || !synth.stackDir) return outcomes;
    currentDir = synth.stackDir;
    const reinit = await run("terraform", initArgs(stateFile), { cwd: currentDir, env });
    if (!step("init with the working tree", reinit.code === 0, reinit.code ? tail(reinit, 10) : "")) return outcomes;
    const plan = await run("terraform", ["plan", "-out=upgrade.tfplan", "-input=false", "-no-color", "-lock=false"], { cwd: currentDir, env });
    if (!step("plan the upgrade", plan.code === 0, plan.code ? tail(plan, 15) : `${plan.seconds.toFixed(1)} s`)) return outcomes;
    const shown = await run("terraform", ["show", "-json", "upgrade.tfplan"], { cwd: currentDir, env });
    const changes = (JSON.parse(shown.stdout).resource_changes ?? []) as ResourceChange[];
    const judged = judgePlan(changes);
    outcomes.push(...judged);
    if (!judged.every((o) => o.ok)) return outcomes;
    const applied = await run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color", "upgrade.tfplan"], { cwd: currentDir, env, timeoutSeconds: 900 });
    if (!step("apply the upgrade", applied.code === 0, applied.code ? tail(applied, 15) : `${applied.seconds.toFixed(1)} s`)) return outcomes;
    const replan = await run("terraform", ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false"], { cwd: currentDir, env });
    step("re-plan after the upgrade", replan.code === 0, replan.code === 2 ? "changes found" : replan.code ? tail(replan, 10) : "no changes");
  } catch (err) {
    step("upgrade run", false, (err as Error).message);
  } finally {
    const dir = currentDir ?? releaseDir;
    if (dir && existsSync(stateFile)) {
      const { result, note } = await destroyStack(dir, env, config);
      step("destroy", result.code === 0, [note, result.code ? tail(result, 10) : ""].filter(Boolean).join("; "));
    }
    moto.stop();
    for (const line of moto.serverErrors) console.log(`${config}: ${line}`);
  }
  return outcomes;
}

async function main(): Promise<void> {
  requireTool("terraform", ["version"], "install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH");
  const commit = readFileSync(join(ROOT, ".ci", "last-release"), "utf8").trim();
  const configs = process.argv.slice(2).length ? process.argv.slice(2) : CONFIGS;
  const started = Date.now();
  const outcomes: TierCheck[] = [];
  try {
    await checkOutRelease(commit);
    console.log(`upgrade from ${commit.slice(0, 12)} (.ci/last-release) to the working tree: ${configs.length} configs, ${concurrency()} at a time`);
    await inPool(configs, concurrency(), async (config) => {
      const steps = await upgrade(config);
      console.log(`\n${config}:`);
      for (const o of steps) console.log(`  ${o.ok ? "ok    " : "FAILED"} ${o.name}${o.detail ? ` — ${o.detail}` : ""}`);
      outcomes.push(...steps.map((o) => ({ ...o, name: `upgrade ${config}: ${o.name}` })));
    });
  } catch (err) {
    console.error((err as Error).message);
    outcomes.push({ name: "upgrade: the last release's checkout", ok: false, detail: (err as Error).message });
  } finally {
    await run("git", ["worktree", "remove", "--force", RELEASE_DIR]);
  }
  console.log(`upgrade: ${((Date.now() - started) / 1000).toFixed(0)} s wall clock`);
  endTier(outcomes);
}

void main();
