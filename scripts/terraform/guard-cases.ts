/**
 * The running-stack guard, proved with real Terraform and no AWS: for each case, the state of a running
 * stack is written as the guard reads it (the recorded settings output of the "before" config), then the
 * "after" config is synthesized and planned against that state. A refused change must fail the plan
 * with the rule's message naming the setting; an allowed one must plan.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { SHAPE_OUTPUT, stackShape } from "../../src/release-safety/running-stack-guard";
import { initArgs, run, synthesize, tail } from "../lib/tools";

type Overrides = Record<string, string>;

export interface GuardCase {
  readonly name: string;
  readonly before: Overrides;
  readonly after: Overrides;
  /** The setting the refusal must name; undefined when the change is allowed. */
  readonly refusedNaming?: string;
  /** Resources the state holds besides the recorded settings (type and logical name). */
  readonly inState?: Array<{ type: string; name: string }>;
  /** The config file both sides start from. @default config/default.json */
  readonly config?: string;
}

const SERVICES = "examples/three-services.json";

const DB = { CONFIG__database__enabled: "true" };
const CODECOMMIT = '{"kind":"codecommit","repositoryName":"shop"}';
const EXISTING_NETWORK = JSON.stringify({
  existing: {
    vpcId: "vpc-0123456789abcdef0",
    publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b"],
    privateSubnetIds: ["subnet-0000000000000000c", "subnet-0000000000000000d"],
  },
});

export const GUARD_CASES: GuardCase[] = [
  { name: "unchanged config plans", before: {}, after: {} },
  { name: "region moved: refused", before: {}, after: { CONFIG__region: "eu-west-1", CONFIG__availabilityZones: '["eu-west-1a","eu-west-1b"]' }, refusedNaming: "region:" },
  { name: "appName renamed: refused", before: {}, after: { CONFIG__appName: "renamed-app" }, refusedNaming: "appName:" },
  { name: "moved into an existing network: refused", before: {}, after: { CONFIG__network: EXISTING_NETWORK }, refusedNaming: "network.existing" },
  { name: "NAT single -> none: refused", before: {}, after: { CONFIG__network__natGateways: "none" }, refusedNaming: "network.natGateways" },
  { name: "NAT single -> one-per-az: plans", before: {}, after: { CONFIG__network__natGateways: "one-per-az" } },
  { name: "NAT none -> single: plans", before: { CONFIG__network__natGateways: "none" }, after: {} },
  {
    name: "a zone appended with its subnets: plans",
    before: {},
    after: {
      CONFIG__availabilityZones: '["eu-central-1a","eu-central-1b","eu-central-1c"]',
      CONFIG__network__publicSubnetCidrs: '["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"]',
      CONFIG__network__privateSubnetCidrs: '["10.0.10.0/24","10.0.11.0/24","10.0.12.0/24"]',
    },
  },
  {
    name: "a public subnet changed: refused",
    before: {},
    after: { CONFIG__network__publicSubnetCidrs: '["10.0.0.0/24","10.0.2.0/24"]' },
    refusedNaming: "network.publicSubnetCidrs",
  },
  { name: "customer-managed key adopted: refused", before: {}, after: { CONFIG__encryption__customerManagedKey: "create" }, refusedNaming: "encryption.customerManagedKey" },
  {
    name: "delivery mode left with a full artifact bucket: refused",
    before: {},
    after: { CONFIG__delivery: '{"mode":"github-actions","repository":"my-org/shop"}', CONFIG__source: "null" },
    refusedNaming: "delivery.mode",
  },
  {
    name: "delivery mode left after artifacts.forceDestroy: plans",
    before: { CONFIG__artifacts__forceDestroy: "true" },
    after: { CONFIG__delivery: '{"mode":"github-actions","repository":"my-org/shop"}', CONFIG__source: "null" },
  },
  { name: "ECS Exec turned on for a running service: refused", before: {}, after: { CONFIG__service__enableExecuteCommand: "true" }, refusedNaming: "service.enableExecuteCommand" },
  {
    name: "a new environment with ECS Exec: plans",
    before: {},
    after: { CONFIG__environments: '[{"name":"production"},{"name":"sandbox","service":{"enableExecuteCommand":true}}]' },
  },
  { name: "protected database renamed: refused", before: DB, after: { ...DB, CONFIG__database__databaseName: "shop" }, refusedNaming: "database" },
  { name: "protected database disabled: refused", before: DB, after: {}, refusedNaming: "database" },
  { name: "unprotected database disabled: plans", before: { ...DB, CONFIG__database__deletionProtection: "false" }, after: {} },
  { name: "database major version raised: refused", before: DB, after: { ...DB, CONFIG__database__engineVersion: '"17"' }, refusedNaming: "database.engineVersion" },
  { name: "database minor version set: plans", before: DB, after: { ...DB, CONFIG__database__engineVersion: '"16.4"' } },
  {
    name: "created CodeCommit repository dropped: refused",
    before: { CONFIG__source: CODECOMMIT },
    after: {},
    inState: [{ type: "aws_codecommit_repository", name: "source_repo_00000000" }],
    refusedNaming: "source:",
  },
  { name: "CodeCommit repository dropped after `terraform state rm`: plans", before: { CONFIG__source: CODECOMMIT }, after: {} },
  {
    name: "services: a service added: plans",
    config: SERVICES,
    before: {},
    after: { CONFIG__services__docs: '{"routing":{"paths":["/docs/*"],"priority":200},"folder":"docs"}' },
  },
  {
    name: "services: a service with its own created repository added beside a created bucket: plans",
    config: SERVICES,
    before: {},
    after: { CONFIG__services__docs: '{"routing":{"paths":["/docs/*"],"priority":200},"source":{"kind":"codecommit","repositoryName":"shop-docs"}}' },
    inState: [{ type: "aws_s3_bucket", name: "service-admin_source_bucket_00000000" }],
  },
  {
    name: "services: ECS Exec turned on for one running service: refused",
    config: SERVICES,
    before: {},
    after: { CONFIG__services__api__service__enableExecuteCommand: "true" },
    refusedNaming: "service.enableExecuteCommand",
  },
  {
    name: "services: a service removed with its protected database: refused",
    config: SERVICES,
    before: { CONFIG__services__api__database__deletionProtection: "true" },
    after: { CONFIG__services__api: "null" },
    refusedNaming: "database",
  },
  {
    name: "services: a service removed with the S3 source bucket the stack created: refused",
    config: SERVICES,
    before: {},
    after: { CONFIG__services__admin: "null" },
    inState: [{ type: "aws_s3_bucket", name: "service-admin_source_bucket_00000000" }],
    refusedNaming: "source:",
  },
];

export interface GuardRow {
  readonly name: string;
  readonly seconds: number;
  readonly ok: boolean;
}

function configEnv(base: NodeJS.ProcessEnv, config: string, overrides: Overrides): NodeJS.ProcessEnv {
  return { ...base, CONFIG: config, CONFIG__sandbox: "true", ...overrides };
}

let terraformVersion: string | undefined;

/** The running Terraform's version: a state written by a newer version is one Terraform refuses to read. */
async function currentTerraformVersion(env: NodeJS.ProcessEnv): Promise<string> {
  terraformVersion ??= JSON.parse((await run("terraform", ["version", "-json"], { env })).stdout).terraform_version as string;
  return terraformVersion;
}

export async function runGuardCase(c: GuardCase, work: string, base: NodeJS.ProcessEnv): Promise<GuardRow> {
  const started = Date.now();
  const dir = join(work, c.name.replace(/[^a-z0-9]+/gi, "-"));
  mkdirSync(dir, { recursive: true });
  const stateFile = join(dir, "terraform.tfstate");
  const config = c.config ?? "config/default.json";
  const withState = (overrides: Overrides) => configEnv({ ...base, CONFIG__localStatePath: stateFile }, config, overrides);

  // The state of a stack applied with the "before" config, as far as the guard reads it.
  const recorded = stackShape(loadConfig(withState(c.before)));
  writeFileSync(
    stateFile,
    JSON.stringify({
      version: 4,
      terraform_version: await currentTerraformVersion(base),
      serial: 1,
      lineage: "00000000-0000-4000-8000-000000000000",
      outputs: { [SHAPE_OUTPUT]: { value: JSON.stringify(recorded), type: "string" } },
      resources: (c.inState ?? []).map((r) => ({ mode: "managed", type: r.type, name: r.name, provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [] })),
      check_results: null,
    }),
  );

  const done = (ok: boolean, why?: string, result?: { code: number; stdout: string; stderr: string; seconds: number }): GuardRow => {
    if (!ok) console.error(`\n✗ guard case "${c.name}": ${why}\n${result ? tail(result) : ""}\n`);
    return { name: c.name, seconds: (Date.now() - started) / 1000, ok };
  };
  const synth = await synthesize(config, join(dir, "out"), withState(c.after));
  if (!synth.stackDir) return done(false, "synth failed", synth);
  const init = await run("terraform", initArgs(stateFile), { cwd: synth.stackDir, env: base });
  if (init.code !== 0) return done(false, "init failed", init);
  const plan = await run("terraform", ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false"], { cwd: synth.stackDir, env: base });
  const output = plan.stdout + plan.stderr;
  if (!c.refusedNaming) return plan.code === 0 ? done(true) : done(false, "expected the plan to pass", plan);
  const refused = plan.code !== 0 && /Resource precondition failed/.test(output) && output.replace(/\s+/g, " ").includes(c.refusedNaming);
  return refused ? done(true) : done(false, `expected a refusal naming ${c.refusedNaming}`, plan);
}
