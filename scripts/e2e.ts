/**
 * End-to-end tier: real Terraform applies the synthesized stack against moto (a local AWS API),
 * the wiring is checked through the AWS SDK, a blue/green deployment is simulated and must leave a
 * plan with no changes, then everything is destroyed and checked gone. Ends with "N passed, N failed".
 *
 * Each stack runs against its own moto, E2E_CONCURRENCY of them side by side (see scripts/lib/pool.ts);
 * a stack's report is printed when it is done.
 *
 * Usage: tsx scripts/e2e.ts [config.json ...]   (default: DEFAULT_CONFIGS below)
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { Check, checkWiring, ClientConfig, locate } from "./e2e/checks";
import { simulateBlueGreenDeployment } from "./e2e/bluegreen";
import { locateServices, ruleTargets, servicesChecks } from "./e2e/services";
import { applicationChecks } from "./e2e/application";
import { checkNothingLeft } from "./e2e/leftovers";
import { checkUserNetworkIntact, createUserInfrastructure } from "./e2e/user-infrastructure";
import { destroyStack, failedResources, localStateResources, StateResource } from "./e2e/state";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { loadConfig, StackConfig } from "../src/config";
import { motoClientConfig, repeatedRequests, serverErrorLines, startMoto, withMoto } from "./lib/moto";
import { concurrency, inPool } from "./lib/pool";
import { initArgs, requireTool, run, RunResult, SCRATCH, synthesize, tail, terraformEnv } from "./lib/tools";
import { endTier, oneLine, TierCheck } from "./lib/tier-report";

/** The default stack and every example (the two-environment promotion flow among them). */
const DEFAULT_CONFIGS = [
  // The longest first (measured: the most resources, and databases, whose create and delete waiters take
  // minutes), so the tier's wall clock is not set by a long stack started last.
  "examples/three-services.json",
  "examples/strict.json",
  "examples/seed-001-postgres-codestar.json",
  "examples/two-environments-database-autoscaling.json",
  "examples/seed-002-staging-production.json",
  "config/default.json",
  "examples/seed-000-github-oauth.json",
  "examples/custom-canary.json",
  "examples/seed-003-codecommit-manual-reroute.json",
  "examples/real-application.json",
  "examples/github-actions-two-environments.json",
  "examples/seed-004-github-actions.json",
];

/** moto faults no correction covers, shown in every report (empty when all are corrected). */
const KNOWN_EXCLUSIONS: Array<[string, string]> = [];

interface Phase {
  readonly name: string;
  readonly seconds: number;
  readonly ok: boolean;
  readonly note: string;
}

async function e2e(config: string, endpoint: string): Promise<{ phases: Phase[]; checks: Check[]; applied: number; planned: number; notApplied: Array<{ address: string; reason: string }> }> {
  const phases: Phase[] = [];
  const checks: Check[] = [];
  const name = basename(config, ".json");
  const work = join(SCRATCH, "e2e", name);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const env = withMoto(terraformEnv(), endpoint);
  const phase = (n: string, r: RunResult, ok: boolean, note = "") => {
    // A failed phase's note carries Terraform's first error, so the tier's closing list can name the reason.
    phases.push({ name: n, seconds: r.seconds, ok, note: ok ? note : [note, oneLine(`${r.stdout}\n${r.stderr}`)].filter(Boolean).join(": ") });
    if (!ok) console.error(`\n✗ ${config}: ${n}\n${tail(r, Number(process.env.E2E_TAIL_LINES ?? 40))}\n`);
    return ok;
  };
  const result = { phases, checks, applied: 0, planned: 0, notApplied: [] as Array<{ address: string; reason: string }> };

  // Deletion protection would (rightly) stop the destroy phase; unit tests assert it is on by default. So
  // would the log bucket (moto writes the artifact bucket's access logs into it, as S3 does); off by default too.
  const stateFile = join(work, "terraform.tfstate");
  // The running-stack guard reads the state the backend keeps: the same file.
  const baseEnv = { ...env, CONFIG: config, CONFIG__sandbox: "false", CONFIG__database__deletionProtection: "false", CONFIG__accessLogs__forceDestroy: "true", CONFIG__localStatePath: stateFile };
  // What the user owns before a deploy (an existing network, a hosted zone) is created first; the stack is pointed at it.
  const userStarted = Date.now();
  const userInfrastructure = await createUserInfrastructure(loadConfig(baseEnv), motoClientConfig(loadConfig(baseEnv).region, endpoint)).catch((err: Error) => err);
  if (userInfrastructure instanceof Error) {
    phases.push({ name: "create the user's network / hosted zone first", seconds: (Date.now() - userStarted) / 1000, ok: false, note: userInfrastructure.message });
    return result;
  }
  if (Object.keys(userInfrastructure.overrides).length) {
    phases.push({ name: "create the user's network / hosted zone first", seconds: (Date.now() - userStarted) / 1000, ok: true, note: Object.keys(userInfrastructure.overrides).join(", ") });
  }
  const synthEnv = { ...baseEnv, ...userInfrastructure.overrides };
  const stackConfig = loadConfig(synthEnv);
  const synth = await synthesize(config, join(work, "out"), synthEnv);
  if (!phase("synth", synth, !!synth.stackDir) || !synth.stackDir) return result;
  const dir = synth.stackDir;
  const tfConfig = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
  result.planned = Object.values(tfConfig.resource as Record<string, object>).reduce((n, byId) => n + Object.keys(byId).length, 0);
  const clientConfig = motoClientConfig(stackConfig.region, endpoint);

  const prepared = await prepareSecrets(stackConfig, clientConfig);
  if (prepared) phases.push(prepared);

  const init = await run("terraform", initArgs(stateFile), { cwd: dir, env });
  if (!phase("init", init, init.code === 0)) return result;

  let created: StateResource[] = [];
  try {
    const apply = await run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: dir, env, timeoutSeconds: 900 });
    created = localStateResources(stateFile);
    result.applied = created.length;
    result.notApplied = failedResources(apply.stdout + apply.stderr);
    if (!phase("apply", apply, apply.code === 0, `${created.length} of ${result.planned} resources`)) return result;

    const replan = await run("terraform", ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false"], { cwd: dir, env });
    phase("re-plan after apply", replan, replan.code === 0, replan.code === 2 ? "changes found" : "no changes");

    // Several services: each service's share of each environment, swapped one service at a time.
    const shares = stackConfig.services.length ? locateServices(created, stackConfig) : undefined;
    const wiringStarted = Date.now();
    if (shares) {
      checks.push(...(await servicesChecks(shares, clientConfig)));
    } else {
      const deployed = locate(created, stackConfig);
      checks.push(...(await checkWiring(deployed, clientConfig)), ...(await applicationChecks(deployed, stackConfig, clientConfig)));
    }
    phases.push({ name: "API wiring checks", seconds: (Date.now() - wiringStarted) / 1000, ok: checks.every((c) => c.ok), note: `${checks.filter((c) => c.ok).length}/${checks.length}` });

    const drift = async (name: string) => {
      const plan = await run("terraform", ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false"], { cwd: dir, env });
      phase(name, plan, plan.code === 0, plan.code === 0 ? "no changes" : plan.code === 2 ? "CHANGES: drift" : "error");
    };
    if (shares) {
      // One service at a time, as its own pipeline would: its rules move, no other service's, and Terraform sees no drift.
      for (const service of stackConfig.services.map((svc) => svc.name)) {
        const swapStarted = Date.now();
        const own = shares.filter((d) => d.service === service);
        const others = shares.filter((d) => d.service !== service);
        const before = await ruleTargets(others, clientConfig);
        const steps: Check[] = [];
        for (const share of own) steps.push(...(await simulateBlueGreenDeployment(share, clientConfig)));
        const after = await ruleTargets(others, clientConfig);
        steps.push({ name: `${service}: no other service's rule moved`, ok: JSON.stringify(after) === JSON.stringify(before), detail: JSON.stringify(after) === JSON.stringify(before) ? undefined : "another service's rule forwards elsewhere now" });
        checks.push(...steps);
        phases.push({ name: `simulated blue/green swap of ${service}`, seconds: (Date.now() - swapStarted) / 1000, ok: steps.every((s) => s.ok), note: `${steps.filter((s) => s.ok).length}/${steps.length} steps` });
        await drift(`plan after ${service}'s swap (drift guards)`);
      }
    } else {
      const swapStarted = Date.now();
      const steps: Check[] = [];
      for (const environment of locate(created, stackConfig).environments) steps.push(...(await simulateBlueGreenDeployment(environment, clientConfig)));
      checks.push(...steps);
      phases.push({ name: "simulated blue/green swap", seconds: (Date.now() - swapStarted) / 1000, ok: steps.every((s) => s.ok), note: `${steps.filter((s) => s.ok).length}/${steps.length} steps` });
      await drift("plan after swap (drift guards)");
    }
  } finally {
    // Always try to destroy, so a rerun starts clean; the state file stays in the work dir for inspection.
    const { result: destroy, note } = await destroyStack(dir, env, config);
    phase("destroy", destroy, destroy.code === 0, [note, `state kept at ${stateFile}`].filter(Boolean).join("; "));
    if (created.length) {
      const started = Date.now();
      const left = await checkNothingLeft(created, clientConfig);
      if (userInfrastructure.network) left.push(await checkUserNetworkIntact(userInfrastructure.network, clientConfig));
      checks.push(...left);
      phases.push({ name: "leftover checks", seconds: (Date.now() - started) / 1000, ok: left.every((c) => c.ok), note: `${left.filter((c) => c.ok).length}/${left.length}` });
    }
  }
  return result;
}

/**
 * What a user stores before deploying a github-oauth source: the token, as a secret. Here a dummy value
 * (moto talks to no GitHub), so the data source read and the pipeline's OAuthToken path are applied.
 */
async function prepareSecrets(config: StackConfig, clientConfig: ClientConfig): Promise<Phase | undefined> {
  const source = config.source;
  if (source?.kind !== "github-oauth") return undefined;
  const started = Date.now();
  try {
    if (source.tokenSecretName) {
      await new SecretsManagerClient(clientConfig).send(new CreateSecretCommand({ Name: source.tokenSecretName, SecretString: "e2e-dummy-token" }));
    } else {
      await new SSMClient(clientConfig).send(
        new PutParameterCommand({ Name: source.tokenParameterName!, Value: "e2e-dummy-token", Type: "SecureString", Overwrite: true }),
      );
    }
    return { name: "store the OAuth token (dummy) first", seconds: (Date.now() - started) / 1000, ok: true, note: "" };
  } catch (err) {
    return { name: "store the OAuth token (dummy) first", seconds: (Date.now() - started) / 1000, ok: false, note: (err as Error).message };
  }
}

type StackResult = Awaited<ReturnType<typeof e2e>>;

/** One stack against a moto of its own: nothing another stack creates shows in its checks. */
async function e2eOnOwnMoto(config: string): Promise<{ result: StackResult; corrections: string[]; serverErrors: string[]; repeated: string[]; seconds: number }> {
  const started = Date.now();
  mkdirSync(join(SCRATCH, "e2e"), { recursive: true });
  const requestLog = join(SCRATCH, "e2e", `${basename(config, ".json")}.moto-requests.log`);
  rmSync(requestLog, { force: true });
  const moto = await startMoto({ requestLog });
  try {
    const result = await e2e(config, moto.endpoint);
    return { result, corrections: moto.corrections, serverErrors: moto.serverErrors, repeated: repeatedRequests(requestLog), seconds: (Date.now() - started) / 1000 };
  } finally {
    moto.stop();
  }
}

function report(config: string, r: StackResult, seconds: number, serverErrors: string[], repeated: string[]): TierCheck[] {
  console.log(`\n${config}: ${r.applied} of ${r.planned} resources applied (${seconds.toFixed(0)} s on its own moto)`);
  console.log("phase                               seconds  result");
  for (const p of r.phases) console.log(`${p.name.padEnd(36)}${p.seconds.toFixed(1).padStart(7)}  ${p.ok ? "ok" : "FAILED"}  ${p.note}`);
  console.log("checks:");
  for (const c of r.checks) console.log(`  ${c.ok ? "ok    " : "FAILED"} ${c.name}${c.detail ? ` — ${c.detail}` : ""}`);
  console.log("not applied:" + (r.notApplied.length ? "" : " none"));
  for (const f of r.notApplied) console.log(`  ${f.address}: ${f.reason}`);
  // What the launcher saw go wrong (a dropped connection is what makes the provider's SDK send a call again).
  for (const line of serverErrorLines(serverErrors)) console.log(line);
  console.log("requests moto answered with success and then received again:" + (repeated.length ? "" : " none"));
  for (const line of repeated) console.log(`  ${line}`);
  return [
    ...r.phases.map((p) => ({ name: `${config}: ${p.name}`, ok: p.ok, detail: p.note })),
    ...r.checks.map((c) => ({ name: `${config}: ${c.name}`, ok: c.ok, detail: c.detail })),
  ];
}

async function main(): Promise<void> {
  requireTool("terraform", ["version"], "install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH");
  const configs = process.argv.slice(2).length ? process.argv.slice(2) : DEFAULT_CONFIGS;
  const limit = concurrency();
  const started = Date.now();
  console.log(`${configs.length} stacks, ${limit} at a time, each on its own moto`);
  const outcomes: TierCheck[] = [];
  let corrections: string[] = [];
  await inPool(configs, limit, async (config) => {
    const run = await e2eOnOwnMoto(config).catch((err: Error) => err);
    if (run instanceof Error) {
      console.log(`\n${config}: FAILED before it could report: ${run.message}`);
      outcomes.push({ name: `${config}: the stack's run`, ok: false, detail: run.message });
      return;
    }
    corrections = run.corrections;
    outcomes.push(...report(config, run.result, run.seconds, run.serverErrors, run.repeated));
  });
  console.log("\nmoto corrections (scripts/moto/launcher.py):");
  for (const c of corrections) console.log(`  ${c}`);
  console.log("CodeStar Connections: answered by the launcher's stand-in (moto has no such API)");
  console.log("excluded from the test:" + (KNOWN_EXCLUSIONS.length ? "" : " nothing"));
  for (const [what, why] of KNOWN_EXCLUSIONS) console.log(`  ${what}: ${why}`);
  console.log(`e2e: ${configs.length} stacks in ${((Date.now() - started) / 1000).toFixed(0)} s wall clock, ${limit} at a time`);
  endTier(outcomes);
}

void main();
