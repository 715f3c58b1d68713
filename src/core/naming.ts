import { createHash } from "node:crypto";

/** What AWS accepts for one kind of physical name. */
export interface NameRule {
  /** Longest name AWS accepts. */
  readonly max: number;
  /** RDS identifiers: start with a letter, no two hyphens in a row, no hyphen at the end. */
  readonly rdsIdentifier?: boolean;
}

/**
 * AWS's limits for every physical name this stack sets, by kind (from each service's API reference).
 * A name built here never exceeds its kind's limit; `__tests__/names.test.ts` checks every name in the
 * synthesized JSON against this table.
 */
export const NAME_RULES = {
  loadBalancer: { max: 32 },
  targetGroup: { max: 32 },
  codestarConnection: { max: 32 },
  iamRole: { max: 64 },
  lambdaFunction: { max: 64 },
  eventRule: { max: 64 },
  rdsInstance: { max: 63, rdsIdentifier: true },
  /** An S3 bucket name is at most 63; Terraform appends 26 characters to a prefix. */
  bucketPrefix: { max: 37 },
  codedeployApplication: { max: 100 },
  deploymentGroup: { max: 100 },
  deploymentConfig: { max: 100 },
  pipeline: { max: 100 },
  codebuildProject: { max: 150 },
  scalingPolicy: { max: 255 },
  ecsCluster: { max: 255 },
  ecsService: { max: 255 },
  taskFamily: { max: 255 },
  securityGroup: { max: 255 },
  dbSubnetGroup: { max: 255 },
  rdsSnapshot: { max: 255, rdsIdentifier: true },
  cloudwatchAlarm: { max: 255 },
  snsTopic: { max: 256 },
  ecrRepository: { max: 256 },
  kmsAlias: { max: 256 },
  logGroup: { max: 512 },
  /** A fully qualified SSM parameter name (path included). */
  ssmParameter: { max: 2048 },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

/**
 * The physical name `${base}-${suffix}` (or `base` alone) for a resource of this kind. When that is
 * longer than AWS allows, the base is cut and a 6-character hash of the whole name is inserted, so long
 * names stay valid and distinct (two environments or apps that share a long prefix still differ). The
 * suffix is kept whole so the name still says what it is.
 */
export function physicalName(kind: NameKind, base: string, suffix = ""): string {
  const rule: NameRule = NAME_RULES[kind];
  const clean = (name: string) => (rule.rdsIdentifier ? name.replace(/-{2,}/g, "-") : name);
  const full = clean(suffix ? `${base}-${suffix}` : base);
  if (full.length <= rule.max) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 6);
  const tail = suffix ? `-${hash}-${suffix}` : `-${hash}`;
  const room = rule.max - tail.length;
  if (room < 1) throw new Error(`Name suffix "${suffix}" leaves no room within ${rule.max} characters`);
  // ALB, target group and RDS names may not end with a hyphen, nor contain two in a row after the cut.
  const head = clean(base).slice(0, room).replace(/-+$/, "");
  return clean(`${head}${tail}`);
}

/**
 * Where each kind of log group of the stack is named: ECS services, CodeBuild projects, Lambda functions
 * (Lambda's own convention), the VPC's flow logs, RDS instances' exports (RDS's convention). The customer-managed key admits CloudWatch Logs for `<path><appName>-*` of each.
 */
export const LOG_GROUP_PATHS = { service: "/ecs/", build: "/codebuild/", function: "/aws/lambda/", network: "/vpc/flow-logs/", database: "/aws/rds/instance/" } as const;

/** The log group name for a resource of this kind, e.g. /ecs/<app>-<environment>. */
export function logGroupName(kind: keyof typeof LOG_GROUP_PATHS, name: string): string {
  return physicalName("logGroup", `${LOG_GROUP_PATHS[kind]}${name}`);
}
