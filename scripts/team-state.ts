/**
 * Team-state tier: the default stack on moto with its state in S3 (`stateBackend`, locked by the S3 lock
 * file that Terraform writes with a conditional PUT). Proves, in order: a first apply through the S3
 * backend; two applies of a changed config started at once, of which one runs and the other stops on
 * Terraform's lock error, and a plan then shows nothing to do; the running-stack guard refusing
 * NAT -> none from the state it reads in S3, and wherever else the state lives (the backend replaced by an
 * override file, the state moved without the config following, the stack exported to plain Terraform),
 * from the record in the account, while a new stack still plans; an apply interrupted with SIGINT half-way that a second
 * apply completes; a lock left by a killed run, refused until `terraform force-unlock` releases it; then
 * a destroy that leaves nothing. Ends with "N passed, N failed".
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";
import { loadConfig } from "../src/config";
import type { Check } from "./e2e/checks";
import { checkNothingLeft } from "./e2e/leftovers";
import { destroyStack, StateResource, stateResources } from "./e2e/state";
import { motoClientConfig, serverErrorLines, startMoto, withMoto } from "./lib/moto";
import { endTier } from "./lib/tier-report";
import { pluginDir, requireTool, run, RunResult, SCRATCH, synthesize, tail, terraformEnv } from "./lib/tools";

const CONFIG = "config/default.json";
const BUCKET = "team-state-bluegreen-demo";
const KEY = "bluegreen-demo/terraform.tfstate";
const WORK = join(SCRATCH, "team-state");
/** Terraform's message when another run holds the state lock. */
const LOCK_ERROR = "Error acquiring the state lock";

/** `terraform init` for the backend the stack directory names (no local state path to pass), with `extra` arguments. */
function backendInitArgs(extra: string[] = []): string[] {
  const mirror = pluginDir();
  return ["init", "-input=false", "-no-color", ...extra, ...(mirror ? [`-plugin-dir=${mirror}`] : [])];
}

/** Runs terraform and sends it `signal` after `afterSeconds` (as a person's Ctrl-C, or a killed CI job, would). */
function runInterrupted(args: string[], cwd: string, env: NodeJS.ProcessEnv, signal: NodeJS.Signals, afterSeconds: number): Promise<RunResult> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn("terraform", args, { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(signal), afterSeconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** A plan the guard must refuse, naming network.natGateways. */
function refusesNat(result: RunResult): boolean {
  return result.code === 1 && /network\.natGateways/.test(result.stdout + result.stderr);
}

/**
 * NAT -> none planned where the config does not say the state is: the guard then reads the record the
 * stack keeps in the account. The config named here keeps local state at a path that holds nothing.
 */
async function guardWhereverTheStateLives(
  runningDir: string,
  env: NodeJS.ProcessEnv,
  configEnv: (extra?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv,
  changed: NodeJS.ProcessEnv,
): Promise<Check[]> {
  const outcomes: Check[] = [];
  const record = (name: string, result: RunResult, ok: boolean) => outcomes.push({ name, ok, detail: ok ? "" : `exit ${result.code}: ${tail(result, 6)}` });
  const here = join(WORK, "elsewhere");
  mkdirSync(here, { recursive: true });
  const pulled = await run("terraform", ["state", "pull"], { cwd: runningDir, env });
  const stateCopy = join(here, "pulled.tfstate");
  writeFileSync(stateCopy, pulled.stdout);
  const localEnv = (extra: NodeJS.ProcessEnv = {}) =>
    configEnv({ ...changed, CONFIG__network__natGateways: "none", CONFIG__stateBackend: "null", CONFIG__localStatePath: join(here, "nothing-here.tfstate"), ...extra });
  const plan = ["plan", "-input=false", "-no-color", "-lock=false"];
  const init = (cwd: string, extra: string[] = []) => run("terraform", backendInitArgs(["-reconfigure", ...extra]), { cwd, env });

  // 1. A team's CI replaces the backend with an override file pointing at its own copy of the state.
  const overridden = await synthesize(CONFIG, join(here, "override"), localEnv());
  if (overridden.stackDir) {
    const copy = join(here, "override.tfstate");
    copyFileSync(stateCopy, copy);
    writeFileSync(join(overridden.stackDir, "backend_override.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: copy } } } }));
    await init(overridden.stackDir);
    const r = await run("terraform", plan, { cwd: overridden.stackDir, env });
    record("the guard refuses NAT -> none with the backend replaced by an override file", r, refusesNat(r));
  }
  // 2. The state was migrated to another path (terraform init -migrate-state), the config not following.
  const migrated = await synthesize(CONFIG, join(here, "migrated"), localEnv());
  if (migrated.stackDir) {
    const copy = join(here, "migrated.tfstate");
    copyFileSync(stateCopy, copy);
    await init(migrated.stackDir, [`-backend-config=path=${copy}`]);
    const r = await run("terraform", plan, { cwd: migrated.stackDir, env });
    record("the guard refuses NAT -> none with the state migrated to another path", r, refusesNat(r));
  }
  // 3. The stack exported to plain Terraform (npm run export), planned with its state beside it.
  const exportDir = join(here, "exported");
  const exported = await run(process.execPath, ["--import", "tsx", "scripts/export.ts", exportDir], { env: localEnv({ CONFIG__localStatePath: "null" }) });
  if (exported.code === 0) {
    copyFileSync(stateCopy, join(exportDir, "terraform.bluegreen-demo.tfstate"));
    await init(exportDir);
    const r = await run("terraform", plan, { cwd: exportDir, env });
    record("the guard refuses NAT -> none from the exported HCL", r, refusesNat(r));
  } else {
    record("the guard refuses NAT -> none from the exported HCL", exported, false);
  }
  // 4. A stack that has never run (another name: no state, no record) still plans.
  const fresh = await synthesize(CONFIG, join(here, "fresh"), localEnv({ CONFIG__appName: "fresh-app", CONFIG__network__natGateways: "single" }));
  if (fresh.stackDir) {
    await init(fresh.stackDir);
    const r = await run("terraform", plan, { cwd: fresh.stackDir, env });
    record("a brand-new stack still plans", r, r.code === 0);
  }
  return outcomes;
}

async function main(): Promise<void> {
  requireTool("terraform", ["version"], "install Terraform >= 1.10 (S3 lock files) and put it on PATH");
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const outcomes: Check[] = [];
  const check = (name: string, ok: boolean, detail = "") => {
    outcomes.push({ name, ok, detail });
    console.log(`${ok ? "ok    " : "FAILED"} ${name}${detail ? ` — ${detail}` : ""}`);
    return ok;
  };
  const started = Date.now();
  const moto = await startMoto();
  const env = withMoto(terraformEnv(), moto.endpoint);
  const backend = JSON.stringify({ bucket: BUCKET, key: KEY });
  const configEnv = (extra: NodeJS.ProcessEnv = {}) => ({ ...env, CONFIG, CONFIG__sandbox: "false", CONFIG__stateBackend: backend, ...extra });
  const region = loadConfig(configEnv()).region;
  const clientConfig = motoClientConfig(region, moto.endpoint);
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const stateObjects = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key ?? "");
  /** A stack directory for these overrides, synthesized and initialized against the S3 backend. */
  const prepare = async (name: string, extra: NodeJS.ProcessEnv = {}): Promise<string> => {
    const synth = await synthesize(CONFIG, join(WORK, name), configEnv(extra));
    if (!synth.stackDir) throw new Error(`synth ${name} failed: ${tail(synth, 10)}`);
    const init = await run("terraform", backendInitArgs(), { cwd: synth.stackDir, env });
    if (init.code !== 0) throw new Error(`init ${name} failed: ${tail(init, 10)}`);
    return synth.stackDir;
  };
  const apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
  const plan = ["plan", "-detailed-exitcode", "-input=false", "-no-color"];
  let deployedDir: string | undefined;
  let created: StateResource[] = [];
  try {
    // The team's state bucket, as an administrator creates it once: versioned, so a bad write can be undone.
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: region as never } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } }));

    const first = await prepare("first");
    deployedDir = first;
    const applied = await run("terraform", apply, { cwd: first, env, timeoutSeconds: 900 });
    created = await stateResources(first, env).catch(() => []);
    if (!check("first apply through the S3 backend", applied.code === 0, applied.code ? tail(applied, 15) : `${created.length} resources, ${applied.seconds.toFixed(0)} s`)) return;
    const objects = await stateObjects();
    check("the state is in the bucket and no lock is left", objects.includes(KEY) && !objects.includes(`${KEY}.tflock`), objects.join(", "));

    // Two CI jobs apply the same change at once, each from its own checkout.
    const changed = { CONFIG__service__desiredCount: "2" };
    const [jobA, jobB] = await Promise.all([prepare("job-a", changed), prepare("job-b", changed)]);
    const both = await Promise.all([run("terraform", apply, { cwd: jobA, env, timeoutSeconds: 900 }), run("terraform", apply, { cwd: jobB, env, timeoutSeconds: 900 })]);
    const winners = both.filter((r) => r.code === 0);
    const locked = both.filter((r) => r.code !== 0 && (r.stdout + r.stderr).includes(LOCK_ERROR));
    check("two applies at once: one runs, the other stops on the lock", winners.length === 1 && locked.length === 1, both.map((r) => `exit ${r.code}`).join(", "));
    const settled = await run("terraform", plan, { cwd: jobB, env });
    check("a plan afterwards shows nothing to do", settled.code === 0, settled.code === 2 ? "changes found" : settled.code ? tail(settled, 10) : "no changes");
    deployedDir = jobB;

    // The guard reads the recorded shape from the state object in S3.
    const noNat = await prepare("no-nat", { ...changed, CONFIG__network__natGateways: "none" });
    const refused = await run("terraform", plan, { cwd: noNat, env });
    check("the guard refuses NAT -> none from the S3 state", refused.code === 1 && /network\.natGateways/.test(refused.stdout + refused.stderr), refused.code === 1 ? "" : `exit ${refused.code}`);
    for (const o of await guardWhereverTheStateLives(jobB, env, configEnv, changed)) check(o.name, o.ok, o.detail);

    // A second environment is 30-odd creations: interrupt the apply while they run, then apply again.
    const more = { ...changed, CONFIG__environments: JSON.stringify([{ name: "staging" }, { name: "production" }]) };
    const grown = await prepare("grown", more);
    const interrupted = await runInterrupted(apply, grown, env, "SIGINT", 20);
    const stopped = interrupted.code !== 0 && /Interrupt received|interrupted|context canceled/i.test(interrupted.stdout + interrupted.stderr);
    check("an apply interrupted with SIGINT stops gracefully", stopped, `exit ${interrupted.code} after ${interrupted.seconds.toFixed(0)} s`);
    check("the interrupted apply released its lock", !(await stateObjects()).includes(`${KEY}.tflock`));
    const resumed = await run("terraform", apply, { cwd: grown, env, timeoutSeconds: 900 });
    check("applied again, it converges", resumed.code === 0, resumed.code ? tail(resumed, 15) : `${resumed.seconds.toFixed(0)} s`);
    deployedDir = grown;
    const clean = await run("terraform", plan, { cwd: grown, env });
    check("and re-plans clean", clean.code === 0, clean.code === 2 ? "changes found" : clean.code ? tail(clean, 10) : "no changes");
    created = await stateResources(grown, env).catch(() => created);

    // A killed run (SIGKILL: no chance to clean up) leaves its lock; the next run is refused until it is released.
    await runInterrupted(["plan", "-input=false", "-no-color"], grown, env, "SIGKILL", 4);
    const stale = await run("terraform", plan, { cwd: grown, env });
    const lockId = /ID:\s+([0-9a-f-]{36})/.exec(stale.stdout + stale.stderr)?.[1];
    check("a run after a killed one is refused with the lock's ID", stale.code === 1 && (stale.stdout + stale.stderr).includes(LOCK_ERROR) && !!lockId, lockId ?? `exit ${stale.code}`);
    if (lockId) {
      const unlocked = await run("terraform", ["force-unlock", "-force", lockId], { cwd: grown, env });
      const after = await run("terraform", plan, { cwd: grown, env });
      check("terraform force-unlock releases it, and the plan runs", unlocked.code === 0 && after.code === 0, `force-unlock exit ${unlocked.code}, plan exit ${after.code}`);
    }
  } catch (err) {
    check("team-state run", false, (err as Error).message);
  } finally {
    if (deployedDir) {
      const { result, note } = await destroyStack(deployedDir, env, "team state");
      check("destroy", result.code === 0, [note, result.code ? tail(result, 10) : ""].filter(Boolean).join("; "));
      if (created.length) for (const left of await checkNothingLeft(created, clientConfig)) check(left.name, left.ok, left.detail);
    }
    moto.stop();
  }
  console.log(`team state: ${((Date.now() - started) / 1000).toFixed(0)} s wall clock`);
  for (const line of serverErrorLines(moto.serverErrors)) console.log(line);
  endTier(outcomes.map((o) => ({ ...o, name: `team state: ${o.name}` })));
}

void main();
