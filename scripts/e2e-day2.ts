/**
 * Day-2 tier: the default stack is applied on moto and a blue/green deployment simulated; then settings
 * are changed one after another, as a user changes a running stack. For each change the plan must hold
 * no update AWS refuses on a live CODE_DEPLOY service and no deletion of a resource in use (read from
 * the plan's JSON) — or be refused at plan time with a message naming the setting. What is accepted is
 * applied, a deployment simulated, and the re-plan must be clean. Last, destroy and leftover checks.
 * Ends with "N passed, N failed".
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { loadConfig } from "../src/config";
import { simulateBlueGreenDeployment } from "./e2e/bluegreen";
import { Check, checkWiring, locate } from "./e2e/checks";
import { checkNothingLeft } from "./e2e/leftovers";
import { locateServices, servicesChecks } from "./e2e/services";
import { destroyStack, localStateResources, StateResource } from "./e2e/state";
import { motoClientConfig, serverErrorLines, startMoto, withMoto } from "./lib/moto";
import { endTier } from "./lib/tier-report";
import { initArgs, requireTool, run, SCRATCH, synthesize, tail, terraformEnv } from "./lib/tools";

interface Step {
  readonly name: string;
  /** Settings changed by this step (they stay changed for the steps after it). */
  readonly change: Record<string, string>;
  /** The setting a refusal must name; undefined when the change must apply. */
  readonly refusedNaming?: string;
  /** Addresses this step may delete although in use: a removed service's. @default none */
  readonly removes?: RegExp;
  /** Addresses this step must not change at all: the other services'. @default none */
  readonly leavesAlone?: RegExp;
}

/** Stands in a step's settings for the id of the hosted zone the test creates first, as a user would. */
const HOSTED_ZONE_ID = "<hosted-zone-id>";

const STEPS: Step[] = [
  {
    name: "sizes, environment variables and health-check path",
    change: {
      CONFIG__service__cpu: "512",
      CONFIG__service__memory: "1024",
      CONFIG__service__environment: '{"FEATURE_FLAG":"on"}',
      CONFIG__loadBalancer__healthCheckPath: "/health",
    },
  },
  {
    name: "test port, deployment config and desired count",
    change: {
      CONFIG__loadBalancer__testPort: "9090",
      CONFIG__deployment__deploymentConfigName: "CodeDeployDefault.ECSCanary10Percent5Minutes",
      CONFIG__service__desiredCount: "2",
    },
  },
  { name: "adding an environment (staging before production)", change: { CONFIG__environments: '[{"name":"staging"},{"name":"production"}]' } },
  { name: "the container port", change: { CONFIG__service__containerPort: "3000" } },
  {
    // A new task definition revision, the execution role's secrets policy, the task role's statements, the ARM build.
    name: "the application's own settings: a secret and a parameter, task permissions, a health check, ARM64",
    change: {
      CONFIG__service__secrets:
        '{"API_TOKEN":{"secretsManager":"arn:aws:secretsmanager:eu-central-1:123456789012:secret:shop/api-token-AbCdEf","jsonKey":"token"},"FLAGS":{"ssmParameter":"/shop/flags"}}',
      CONFIG__service__taskRole: '{"statements":[{"actions":["sqs:SendMessage"],"resources":["arn:aws:sqs:eu-central-1:123456789012:orders"]}]}',
      CONFIG__service__healthCheck: '{"command":["CMD","node","src/healthcheck.mjs"]}',
      CONFIG__service__cpuArchitecture: "ARM64",
    },
  },
  { name: "ECS Exec turned on for running services", change: { CONFIG__service__enableExecuteCommand: "true" }, refusedNaming: "service.enableExecuteCommand" },
  {
    // The production listener moves from HTTP on 80 to HTTPS on 443 in place, and a redirect takes port 80.
    name: "HTTPS turned on in production (a domain in the user's hosted zone)",
    change: {
      CONFIG__environments: `[{"name":"staging"},{"name":"production","loadBalancer":{"domainName":"shop.example.com","hostedZoneId":"${HOSTED_ZONE_ID}"}}]`,
    },
  },
  {
    name: "release safety: test listener narrowed (smoke test moves into the VPC), an alarm threshold, a hook, a subscriber",
    change: {
      CONFIG__loadBalancer__testAllowedCidrs: '["198.51.100.0/24"]',
      CONFIG__deployment__alarms__target5xxCount: "10",
      CONFIG__deployment__hooks: '{"BeforeAllowTraffic":"check-migrations"}',
      CONFIG__notifications__emails: '["ops@example.com"]',
    },
  },
  // The security baseline's network settings off on a running stack, then on again (issue 22).
  {
    name: "flow logs and smoke-test tracing off, default security group left unmanaged",
    change: { CONFIG__network__flowLogs__enabled: "false", CONFIG__network__emptyDefaultSecurityGroup: "false", CONFIG__deployment__smokeTest__tracing: "false" },
  },
  {
    name: "flow logs (rejected traffic, a year), tracing and the emptied default security group on again",
    change: { CONFIG__network__flowLogs: '{"trafficType":"REJECT","retentionDays":365}', CONFIG__network__emptyDefaultSecurityGroup: "true", CONFIG__deployment__smokeTest__tracing: "true" },
  },
  { name: "access logs to a log bucket and a read-only root filesystem on", change: { CONFIG__accessLogs__enabled: "true", CONFIG__service__readonlyRootFilesystem: "true" } },
  {
    name: "access logs and the read-only root filesystem off again (the log bucket goes, emptied: accessLogs.forceDestroy)",
    change: { CONFIG__accessLogs__enabled: "false", CONFIG__service__readonlyRootFilesystem: "false" },
    removes: /^aws_s3_bucket\.access-logs_bucket_/,
  },
  { name: "NAT mode single -> one-per-az", change: { CONFIG__network__natGateways: "one-per-az" } },
  // The test listener opened again first: without NAT the smoke test calls it from the internet (a config rule).
  {
    name: "NAT mode -> none",
    change: { CONFIG__network__natGateways: "none", CONFIG__loadBalancer__testAllowedCidrs: '["0.0.0.0/0"]' },
    refusedNaming: "network.natGateways",
  },
];

/** How many of STEPS the default stack makes one by one; a second stack, deployed with them, makes the rest. */
const FIRST_HALF = 8;

/** Two services on one platform; the steps add a third and remove one, each leaving the others alone. */
const SERVICES_CONFIG = {
  appName: "platform",
  region: "eu-central-1",
  availabilityZones: ["eu-central-1a", "eu-central-1b"],
  network: { natGateways: "none" },
  environments: [{ name: "production" }],
  // One repository, a folder per service: removing a service deletes no repository (the guard would refuse that).
  source: { kind: "codestar", repositoryId: "platform-org/platform" },
  services: {
    web: { routing: { paths: ["/*"], priority: 300 }, folder: "web" },
    api: { routing: { paths: ["/api/*"], priority: 100 }, folder: "api" },
  },
};

/** A service's resources: their logical ids start with its construct's id. */
const ofServices = (...names: string[]) => new RegExp(`\\.service-(${names.join("|")})_`);

const SERVICES_STEPS: Step[] = [
  {
    name: "adding a service to the running platform (admin, on its own host)",
    change: { CONFIG__services__admin: '{"routing":{"hosts":["admin.example.com"],"priority":50},"folder":"admin"}' },
    leavesAlone: ofServices("web", "api"),
  },
  { name: "removing a service from the running platform (api)", change: { CONFIG__services__api: "null" }, removes: ofServices("api"), leavesAlone: ofServices("web", "admin") },
];

/** Resources AWS will not delete while in use, or whose deletion drops traffic or data on a running stack. */
const IN_USE_TYPES = new Set([
  "aws_vpc",
  "aws_subnet",
  "aws_internet_gateway",
  "aws_nat_gateway",
  "aws_security_group",
  "aws_lb",
  "aws_lb_listener",
  "aws_lb_target_group",
  "aws_ecs_cluster",
  "aws_ecs_service",
  "aws_db_instance",
  "aws_ecr_repository",
  "aws_s3_bucket",
]);

/** What UpdateService may change on a service under the CODE_DEPLOY controller (AWS refuses the rest). */
const CODE_DEPLOY_UPDATABLE = new Set([
  "desired_count",
  "deployment_maximum_percent",
  "deployment_minimum_healthy_percent",
  "health_check_grace_period_seconds",
  "ordered_placement_strategy",
  "placement_constraints",
  "enable_ecs_managed_tags",
  "propagate_tags",
  "tags",
  "tags_all",
]);

interface PlannedChange {
  address: string;
  type: string;
  change: { actions: string[]; before: Record<string, unknown> | null; after: Record<string, unknown> | null };
}

/** What in a plan AWS would refuse on a running stack, or that deletes something in use. */
export function unsafeChanges(changes: PlannedChange[], removes?: RegExp, leavesAlone?: RegExp): string[] {
  const problems: string[] = [];
  for (const c of changes) {
    const removed = removes?.test(c.address) && c.change.actions.join() === "delete";
    if (IN_USE_TYPES.has(c.type) && c.change.actions.includes("delete") && !removed) problems.push(`${c.address}: ${c.change.actions.join("+")} of a resource in use`);
    if (leavesAlone?.test(c.address) && !c.change.actions.includes("no-op")) problems.push(`${c.address}: ${c.change.actions.join("+")}, but this step must leave it alone`);
    if (c.type === "aws_ecs_service" && c.change.actions.includes("update")) {
      const before = c.change.before ?? {};
      const after = c.change.after ?? {};
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (JSON.stringify(before[key]) === JSON.stringify(after[key]) || CODE_DEPLOY_UPDATABLE.has(key)) continue;
        if (after[key] === undefined) continue; // unknown until apply, i.e. computed: not sent in UpdateService
        problems.push(`${c.address}: updates ${key}, which AWS refuses on a CODE_DEPLOY service`);
      }
    }
  }
  return problems;
}

interface Outcome {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly note: string;
}

/** One sequence of changes on one running stack, on its own moto. */
interface Scenario {
  /** Prefixes its outcomes (empty for the default stack's). */
  readonly label: string;
  /** Its config file, and the settings the steps start from. */
  readonly config: string;
  readonly steps: Step[];
  /**
   * Changes the initial stack is deployed with, as if made before (another scenario makes them one by one):
   * a long sequence split in two runs side by side, the second half on the stack the first half ends with.
   * @default none
   */
  readonly deployedWith?: Step[];
}

async function runScenario(scenario: Scenario): Promise<{ label: string; outcomes: Outcome[]; checks: Check[]; serverErrors: string[] }> {
  const work = join(SCRATCH, "e2e-day2", scenario.label.replace(/\W+/g, "-") || "default");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const stateFile = join(work, "terraform.tfstate");
  const moto = await startMoto();
  console.log(`${scenario.label || "default stack"}: moto on ${moto.endpoint}; corrections active: ${moto.corrections.join(", ")}`);
  const env = withMoto(terraformEnv(), moto.endpoint);
  const outcomes: Outcome[] = [];
  const checks: Check[] = [];
  const prefix = scenario.label ? `${scenario.label}: ` : "";
  const record = (name: string, started: number, ok: boolean, note = "") => {
    outcomes.push({ name: `${prefix}${name}`, ok, seconds: (Date.now() - started) / 1000, note });
    return ok;
  };
  let settings: Record<string, string> = {
    CONFIG: scenario.config,
    CONFIG__sandbox: "false",
    CONFIG__localStatePath: stateFile,
    // Lets the destroy at the end run; on by default, as the unit tests assert.
    CONFIG__database__deletionProtection: "false",
    // Lets turning accessLogs off delete its bucket, which moto fills with access logs as S3 does.
    CONFIG__accessLogs__forceDestroy: "true",
  };
  let created: StateResource[] = [];
  let dir = "";
  // Every step keeps the region; read it once, while the settings are still the valid initial ones.
  const region = loadConfig({ ...settings }).region;

  /** Synthesizes the current settings into a fresh folder and initializes it against the one state. */
  const prepare = async (label: string): Promise<string | undefined> => {
    const started = Date.now();
    const synth = await synthesize(settings.CONFIG, join(work, label), { ...env, ...settings });
    if (!synth.stackDir) return void record(`${label}: synth`, started, false, tail(synth, 5));
    const init = await run("terraform", initArgs(stateFile), { cwd: synth.stackDir, env });
    if (init.code !== 0) return void record(`${label}: init`, started, false, tail(init, 5));
    return synth.stackDir;
  };
  /** Applies the stack (the plan a step checked, when it names one: exactly that, with no second plan). */
  const applyAndDeploy = async (label: string, stackDir: string, deployedBefore: boolean, planFile?: string): Promise<boolean> => {
    let started = Date.now();
    const apply = await run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color", ...(planFile ? [planFile] : [])], { cwd: stackDir, env, timeoutSeconds: 900 });
    created = localStateResources(stateFile);
    if (!record(`${label}: apply`, started, apply.code === 0, apply.code === 0 ? `${created.length} resources in state` : tail(apply, 8))) return false;
    started = Date.now();
    const config = loadConfig({ ...settings });
    const clientConfig = motoClientConfig(config.region, moto.endpoint);
    // Several services: each one's share of the environment, deployed on its own rules.
    const shares = config.services.length ? locateServices(created, config) : undefined;
    const stack = shares ? undefined : locate(created, config);
    const wiring = shares ? await servicesChecks(shares, clientConfig, deployedBefore) : await checkWiring(stack!, clientConfig, deployedBefore);
    checks.push(...wiring.map((c) => ({ ...c, name: `${prefix}${label}: ${c.name}` })));
    const steps: Check[] = [];
    for (const e of shares ?? stack!.environments) steps.push(...(await simulateBlueGreenDeployment(e, clientConfig)));
    checks.push(...steps.map((c) => ({ ...c, name: `${prefix}${label}: ${c.name}` })));
    record(`${label}: simulated deployment`, started, steps.every((s) => s.ok), `${steps.filter((s) => s.ok).length}/${steps.length} steps`);
    started = Date.now();
    const replan = await run("terraform", ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false"], { cwd: stackDir, env });
    return record(`${label}: re-plan after the deployment`, started, replan.code === 0, replan.code === 0 ? "no changes" : tail(replan, 12));
  };

  try {
    // The user's hosted zone exists before any step (or the initial stack) uses it.
    const zone = await new Route53Client(motoClientConfig(region, moto.endpoint)).send(
      new CreateHostedZoneCommand({ Name: "example.com", CallerReference: `day2-${Date.now()}` }),
    );
    const zoneId = zone.HostedZone!.Id!.replace("/hostedzone/", "");
    const changeOf = (step: Step) => Object.fromEntries(Object.entries(step.change).map(([k, v]) => [k, v.replace(HOSTED_ZONE_ID, zoneId)]));
    // A refused change leaves the setting as it was, so it is not part of the stack deployed with the changes.
    for (const step of (scenario.deployedWith ?? []).filter((s) => !s.refusedNaming)) settings = { ...settings, ...changeOf(step) };
    const first = await prepare("0-initial");
    if (first && (await applyAndDeploy("initial stack", first, false))) {
      dir = first;
      const offset = scenario.deployedWith?.length ?? 0;
      for (const [i, step] of scenario.steps.entries()) {
        const before = settings;
        settings = { ...settings, ...changeOf(step) };
        const label = `${offset + i + 1}-${step.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
        const stackDir = await prepare(label);
        if (!stackDir) break;
        const started = Date.now();
        const plan = await run("terraform", ["plan", "-input=false", "-no-color", "-lock=false", "-out=day2.tfplan"], { cwd: stackDir, env });
        const output = (plan.stdout + plan.stderr).replace(/\s+/g, " ");
        if (step.refusedNaming) {
          const refused = plan.code !== 0 && output.includes("Resource precondition failed") && output.includes(step.refusedNaming);
          record(`${step.name}: refused at plan time`, started, refused, refused ? `names ${step.refusedNaming}` : tail(plan, 12));
          settings = before; // the user keeps the old value
          continue;
        }
        if (!record(`${step.name}: plan`, started, plan.code === 0, plan.code === 0 ? "" : tail(plan, 12))) break;
        const shown = await run("terraform", ["show", "-json", "day2.tfplan"], { cwd: stackDir, env });
        const changes: PlannedChange[] = JSON.parse(shown.stdout).resource_changes ?? [];
        const problems = unsafeChanges(changes, step.removes, step.leavesAlone);
        // Resources only: a data source re-read ("read") changes nothing.
        const changed = changes.filter((c) => !c.change.actions.includes("no-op") && !c.change.actions.includes("read"));
        const count = (action: string) => changed.filter((c) => c.change.actions.includes(action)).length;
        const updated = changed.filter((c) => c.change.actions.join() === "update").map((c) => c.address.split(".")[0]);
        const note = `${changed.length} resources change (${count("create")} created, ${count("update")} updated in place${updated.length ? `: ${[...new Set(updated)].join(", ")}` : ""}, ${count("delete")} deleted)`;
        record(`${step.name}: plan is safe on a running stack`, started, problems.length === 0, problems.length ? problems.join("; ") : note);
        dir = stackDir;
        if (!(await applyAndDeploy(step.name, stackDir, true, "day2.tfplan"))) break;
      }
    }
  } finally {
    const started = Date.now();
    if (dir) {
      const { result: destroy, note } = await destroyStack(dir, env, `day 2 ${scenario.label}`.trim());
      record("destroy", started, destroy.code === 0, destroy.code === 0 ? note : tail(destroy, 8));
      const left = await checkNothingLeft(created, motoClientConfig(region, moto.endpoint));
      checks.push(...left.map((c) => ({ ...c, name: `${prefix}${c.name}` })));
    }
    moto.stop();
  }
  return { label: scenario.label, outcomes, checks, serverErrors: moto.serverErrors };
}

async function main(): Promise<void> {
  requireTool("terraform", ["version"], "install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH");
  const work = join(SCRATCH, "e2e-day2");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const servicesConfig = join(work, "two-services.json");
  writeFileSync(servicesConfig, JSON.stringify(SERVICES_CONFIG));
  // Side by side, each on its own moto: an apply is mostly waiting. The default stack's fourteen changes are
  // two runs: the first eight on the default stack, the last six on a stack deployed with the first eight.
  const results = await Promise.all([
    runScenario({ label: "", config: "config/default.json", steps: STEPS.slice(0, FIRST_HALF) }),
    runScenario({ label: "later changes", config: "config/default.json", steps: STEPS.slice(FIRST_HALF), deployedWith: STEPS.slice(0, FIRST_HALF) }),
    runScenario({ label: "services", config: servicesConfig, steps: SERVICES_STEPS }),
  ]);
  const outcomes = results.flatMap((r) => r.outcomes);
  const checks = results.flatMap((r) => r.checks);

  console.log("\nday 2 on moto: one change after another on a running stack");
  console.log("step                                                                   seconds  result");
  for (const o of outcomes) console.log(`${o.name.padEnd(70)}${o.seconds.toFixed(1).padStart(8)}  ${o.ok ? "ok" : "FAILED"}  ${o.note}`);
  console.log("checks:");
  for (const c of checks) console.log(`  ${c.ok ? "ok    " : "FAILED"} ${c.name}${c.detail ? ` — ${c.detail}` : ""}`);
  for (const r of results) for (const line of serverErrorLines(r.serverErrors, r.label || "default stack")) console.log(line);
  endTier([...outcomes.map((o) => ({ name: `day 2: ${o.name}`, ok: o.ok, detail: o.note })), ...checks.map((c) => ({ name: `day 2: ${c.name}`, ok: c.ok, detail: c.detail }))]);
}

if (require.main === module) void main();
