import { readFileSync } from "node:fs";
import { z } from "zod";
import { cidrContains, cidrsOverlap, isCidr } from "./cidr";

/** CodeDeploy's predefined ECS deployment configurations (AWS has no others without a custom config). */
export const ECS_DEPLOYMENT_CONFIGS = [
  "CodeDeployDefault.ECSAllAtOnce",
  "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
  "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
  "CodeDeployDefault.ECSCanary10Percent5Minutes",
  "CodeDeployDefault.ECSCanary10Percent15Minutes",
] as const;

/** Valid Fargate task sizes: CPU units and the memory (MiB) each allows. */
const FARGATE_MEMORY_BY_CPU: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n += step) out.push(n);
  return out;
}

const port = z.number().int().min(1).max(65535);
const cidr = z.string().refine(isCidr, { message: "must be an IPv4 CIDR block such as 10.0.0.0/16" });
const minutes = (max: number) => z.number().int().min(0).max(max);

/** CloudWatch Logs accepts only these retention values (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const logRetention = z
  .number()
  .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
  });

const codeStarSource = z.strictObject({
  /** Source kind: a CodeStar (CodeConnections) connection to a Git host. */
  kind: z.literal("codestar"),
  /** Git host behind the connection. */
  providerType: z.enum(["GitHub", "Bitbucket", "GitLab"]).default("GitHub"),
  /** Repository as owner/name, e.g. my-org/my-app. */
  repositoryId: z.string().regex(/^[\w.-]+(\/[\w.-]+)+$/, { message: "must be owner/name, e.g. my-org/my-app" }),
  /** Branch whose pushes start the pipeline. */
  branchName: z.string().min(1).default("main"),
  /** ARN of an existing, already activated connection; when absent the stack creates one (PENDING until activated). */
  connectionArn: z
    .string()
    .regex(/^arn:aws[\w-]*:(codestar-connections|codeconnections):[\w-]+:\d{12}:connection\/[\w-]+$/, {
      message: "must be a CodeStar/CodeConnections connection ARN",
    })
    .optional(),
});

const source = z.discriminatedUnion("kind", [codeStarSource], {
  error: (issue) =>
    issue.code === "invalid_union" ? { message: 'unknown source kind; allowed: "codestar"' } : undefined,
});

export const configSchema = z
  .strictObject({
    /** Short name of the application: prefixes every physical name. */
    appName: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}[a-z0-9]$/, {
        message: "must be 2-64 characters of lowercase letters, digits and hyphens, starting with a letter",
      }),
    /** AWS region to deploy into. */
    region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { message: "must be an AWS region such as eu-central-1" }),
    /** Availability zones; given here so that planning needs no AWS call. At least 2 (an ALB needs two). */
    availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/)).min(2),
    /** Plan without an AWS account: fake credentials, no account lookups. Never for a real deploy. */
    sandbox: z.boolean().default(false),
    /** Tags applied to every resource through the provider's default_tags. */
    tags: z.record(z.string(), z.string()).default({}),
    /** Optional S3 backend for Terraform state; local state file when absent. */
    stateBackend: z
      .strictObject({
        bucket: z.string().min(3),
        key: z.string().min(1),
        region: z.string().optional(),
      })
      .optional(),
    /** Path of the local state file (default: terraform.<appName>.tfstate in the project root); ignored with stateBackend. */
    localStatePath: z.string().min(1).optional(),
    network: z
      .strictObject({
        vpcCidr: cidr.default("10.0.0.0/16"),
        /** One public subnet per AZ, in the order of availabilityZones. */
        publicSubnetCidrs: z.array(cidr).default(["10.0.0.0/24", "10.0.1.0/24"]),
        /** One private subnet per AZ for the tasks; ignored when natGateways is "none". */
        privateSubnetCidrs: z.array(cidr).default(["10.0.10.0/24", "10.0.11.0/24"]),
        /** one-per-az: resilient; single: one NAT for all AZs (cheap); none: tasks in public subnets with public IPs. */
        natGateways: z.enum(["one-per-az", "single", "none"]).default("single"),
      })
      .prefault({}),
    loadBalancer: z
      .strictObject({
        productionPort: port.default(80),
        testPort: port.default(8080),
        /** Who may reach the production listener. */
        allowedCidrs: z.array(cidr).min(1).default(["0.0.0.0/0"]),
        /** Who may reach the test listener (QA before traffic is rerouted). */
        testAllowedCidrs: z.array(cidr).min(1).default(["0.0.0.0/0"]),
        healthCheckPath: z.string().regex(/^\/\S*$/, { message: "must be an absolute path such as /health" }).default("/"),
        /** HTTP codes that mean healthy, e.g. "200" or "200-399". */
        healthCheckMatcher: z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/).default("200"),
        healthCheckIntervalSeconds: z.number().int().min(5).max(300).default(15),
        /** Seconds a draining target keeps its connections; AWS's 300 s default slows every deployment. */
        deregistrationDelaySeconds: z.number().int().min(0).max(3600).default(30),
        enableDeletionProtection: z.boolean().default(false),
      })
      .prefault({}),
    service: z
      .strictObject({
        containerName: z.string().regex(/^[A-Za-z0-9][\w-]{0,254}$/).default("app"),
        containerPort: port.default(80),
        /** Image the first task definition runs, before the pipeline has built one. */
        initialImage: z.string().min(1).default("public.ecr.aws/docker/library/httpd:2.4"),
        cpu: z.number().int().default(256),
        memory: z.number().int().default(512),
        desiredCount: z.number().int().min(0).max(1000).default(1),
        /** Target tracking on average CPU; when set, desired_count is left to autoscaling. */
        autoScaling: z
          .strictObject({
            minCapacity: z.number().int().min(0),
            maxCapacity: z.number().int().min(1),
            targetCpuPercent: z.number().min(1).max(100).default(60),
          })
          .optional(),
        /** Non-secret environment variables for the container. */
        environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
        containerInsights: z.enum(["enabled", "enhanced", "disabled"]).default("enabled"),
        logRetentionDays: logRetention.default(30),
      })
      .prefault({}),
    ecr: z
      .strictObject({
        scanOnPush: z.boolean().default(true),
        imageTagMutability: z.enum(["MUTABLE", "IMMUTABLE"]).default("MUTABLE"),
        /** Tagged images kept; older ones expire. */
        maxImageCount: z.number().int().min(1).max(10000).default(30),
        /** Days an untagged image is kept. */
        untaggedExpiryDays: z.number().int().min(1).default(7),
        /** Delete the repository even if it holds images on destroy. */
        forceDelete: z.boolean().default(false),
      })
      .prefault({}),
    artifacts: z
      .strictObject({
        /** Empty the bucket on destroy (handy for trials; keep false in production). */
        forceDestroy: z.boolean().default(false),
        /** Days old artifact versions are kept. */
        noncurrentVersionExpirationDays: z.number().int().min(1).default(30),
      })
      .prefault({}),
    build: z
      .strictObject({
        computeType: z
          .enum(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"])
          .default("BUILD_GENERAL1_SMALL"),
        image: z.string().min(1).default("aws/codebuild/amazonlinux2-x86_64-standard:5.0"),
        /** Path of the buildspec in the application repository. */
        buildspecPath: z.string().min(1).default("buildspec.yml"),
        timeoutMinutes: z.number().int().min(5).max(2160).default(30),
        logRetentionDays: logRetention.default(30),
      })
      .prefault({}),
    deployment: z
      .strictObject({
        deploymentConfigName: z.enum(ECS_DEPLOYMENT_CONFIGS).default("CodeDeployDefault.ECSAllAtOnce"),
        /** automatic: reroute as soon as the green tasks are healthy; manual: wait for a person (test listener for QA). */
        trafficReroute: z.enum(["automatic", "manual"]).default("automatic"),
        /** With manual reroute: minutes to wait before the deployment stops. */
        rerouteWaitMinutes: minutes(4320).default(60),
        /** Minutes the blue tasks keep running after a successful reroute (a quick rollback window). */
        terminationWaitMinutes: minutes(2880).default(5),
      })
      .prefault({}),
    source: source,
  })
  .superRefine((c, ctx) => {
    const azCount = c.availabilityZones.length;
    for (const az of c.availabilityZones) {
      if (!az.startsWith(c.region)) {
        ctx.addIssue({ code: "custom", path: ["availabilityZones"], message: `"${az}" is not in region ${c.region}` });
      }
    }
    if (new Set(c.availabilityZones).size !== azCount) {
      ctx.addIssue({ code: "custom", path: ["availabilityZones"], message: "must not repeat a zone" });
    }
    const subnetLists: Array<["publicSubnetCidrs" | "privateSubnetCidrs", string[]]> = [["publicSubnetCidrs", c.network.publicSubnetCidrs]];
    if (c.network.natGateways !== "none") subnetLists.push(["privateSubnetCidrs", c.network.privateSubnetCidrs]);
    const all: string[] = [];
    for (const [field, list] of subnetLists) {
      if (list.length < azCount) {
        ctx.addIssue({
          code: "custom",
          path: ["network", field],
          message: `has ${list.length} subnets for ${azCount} availability zones; give one per zone`,
        });
      }
      list.forEach((block, i) => {
        if (!cidrContains(c.network.vpcCidr, block)) {
          ctx.addIssue({ code: "custom", path: ["network", field, i], message: `${block} does not fit in vpcCidr ${c.network.vpcCidr}` });
        }
        const clash = all.find((other) => cidrsOverlap(other, block));
        if (clash) ctx.addIssue({ code: "custom", path: ["network", field, i], message: `${block} overlaps ${clash}` });
        all.push(block);
      });
    }
    if (c.loadBalancer.productionPort === c.loadBalancer.testPort) {
      ctx.addIssue({ code: "custom", path: ["loadBalancer", "testPort"], message: "must differ from productionPort" });
    }
    const allowedMemory = FARGATE_MEMORY_BY_CPU[c.service.cpu];
    if (!allowedMemory) {
      ctx.addIssue({ code: "custom", path: ["service", "cpu"], message: `${c.service.cpu} is not a Fargate CPU size; allowed: ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")}` });
    } else if (!allowedMemory.includes(c.service.memory)) {
      ctx.addIssue({
        code: "custom",
        path: ["service", "memory"],
        message: `${c.service.memory} MiB is not allowed with ${c.service.cpu} CPU units; allowed: ${allowedMemory[0]}-${allowedMemory[allowedMemory.length - 1]} (${allowedMemory.join(", ")})`,
      });
    }
    const scaling = c.service.autoScaling;
    if (scaling && scaling.minCapacity > scaling.maxCapacity) {
      ctx.addIssue({ code: "custom", path: ["service", "autoScaling", "minCapacity"], message: "must not exceed maxCapacity" });
    }
  });

/** The validated configuration, every default resolved. */
export type StackConfig = z.infer<typeof configSchema>;
/** What a user writes: every field with a default may be left out. */
export type StackConfigInput = z.input<typeof configSchema>;

/** Thrown for any bad configuration; its message names the field and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Prefix of environment variables that override single settings, e.g. CONFIG__service__desiredCount=2. */
export const ENV_OVERRIDE_PREFIX = "CONFIG__";
export const DEFAULT_CONFIG_PATH = "config/default.json";

/** Validates a raw configuration object; throws ConfigError naming the first bad field. */
export function parseConfig(raw: unknown): StackConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const where = [...issue.path.map(String), issue.keys[0]].join(".");
    throw new ConfigError(`Invalid config: ${where}: is not a known setting (check the spelling against the README's config reference)`);
  }
  const field = issue.path.length ? issue.path.map(String).join(".") : "(config)";
  const received = valueAt(raw, issue.path);
  if (received === undefined && issue.code === "invalid_type") {
    throw new ConfigError(`Invalid config: ${field}: is required (${issue.expected})`);
  }
  const shown = received === undefined ? "" : ` (got ${JSON.stringify(received)})`;
  throw new ConfigError(`Invalid config: ${field}: ${describeIssue(issue)}${shown}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value") return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "too_small" && issue.origin === "number") return `must be at least ${issue.minimum}`;
  if (issue.code === "too_big" && issue.origin === "number") return `must be at most ${issue.maximum}`;
  if (issue.code === "too_small" && issue.origin === "string") return `must be at least ${issue.minimum} characters`;
  if (issue.code === "too_small" && issue.origin === "array") return `must list at least ${issue.minimum}`;
  return issue.message;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node: unknown = raw;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/**
 * Reads the settings file named by CONFIG (default config/default.json), applies CONFIG__a__b=value
 * environment overrides (value parsed as JSON when it parses, else taken as a string) and validates.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const path = env.CONFIG || DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${path} (set CONFIG to a JSON settings file): ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(applyEnvOverrides(raw, env));
}

/** Returns a copy of raw with every CONFIG__path override set; never mutates raw. */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const copy = structuredClone(raw) as Record<string, unknown>;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_OVERRIDE_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_OVERRIDE_PREFIX.length).split("__");
    if (path.some((p) => p === "")) throw new ConfigError(`Environment override ${name}: empty path segment`);
    let node = copy;
    for (const key of path.slice(0, -1)) {
      if (node[key] === undefined) node[key] = {};
      if (typeof node[key] !== "object" || node[key] === null) {
        throw new ConfigError(`Environment override ${name}: ${key} is not an object in the config`);
      }
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = parseOverrideValue(value);
  }
  return copy;
}

function parseOverrideValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
