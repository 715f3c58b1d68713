import { z } from "zod";
import { cidrContains, cidrsOverlap, isCidr } from "./network/cidr";

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
const logRetention = z.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
  message: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
});

/** Settings an environment may override; at top level they are every environment's defaults. */
const loadBalancerFields = {
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
  /**
   * HTTPS: the name the environment is served under. With hostedZoneId the stack requests an ACM
   * certificate, validates it through that zone and points the name at the load balancer; with
   * certificateArn it uses that certificate (and creates the alias record only with hostedZoneId too).
   */
  domainName: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { message: "must be a lowercase DNS name such as shop.example.com" })
    .optional(),
  /** The Route 53 public hosted zone holding domainName. */
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { message: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" }).optional(),
  /** An existing ACM certificate for domainName, in the stack's region. */
  certificateArn: z
    .string()
    .regex(/^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, { message: "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)" })
    .optional(),
  /** With HTTPS: the production listener's port; productionPort then redirects to it. */
  httpsPort: port.default(443),
};

const serviceFieldsPerEnvironment = {
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
};

/** The ECS lifecycle events a Lambda hook can run at, in the order CodeDeploy runs them. */
export const ECS_LIFECYCLE_EVENTS = ["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"] as const;
export type EcsLifecycleEvent = (typeof ECS_LIFECYCLE_EVENTS)[number];

/** CodeDeploy watches at most 10 alarms per deployment group. */
export const MAX_DEPLOYMENT_GROUP_ALARMS = 10;

const lambdaFunctionRef = z.string().regex(/^(arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[\w-]{1,64}(:(\$LATEST|[\w-]{1,128}))?$/, {
  message: "must be a Lambda function name (optionally name:alias) or a function ARN",
});

const smokeTest = z.strictObject({
  /** Request the test listener at AfterAllowTestTraffic and fail the deployment (so it rolls back) on a wrong answer. */
  enabled: z.boolean().default(true),
  /** Paths requested; default: the health-check path. */
  paths: z.array(z.string().regex(/^\/\S*$/, { message: "must be an absolute path such as /health" })).min(1).max(20).optional(),
  /** Expected status codes, as an ALB matcher ("200", "200-399"); default: the health-check matcher. */
  expectedStatus: z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, { message: 'must be codes or ranges such as "200" or "200-399"' }).optional(),
  /** Seconds for all requests, retries and backoff together; the function's timeout is this plus 30. */
  timeBudgetSeconds: z.number().int().min(5).max(600).default(60),
  /** Tries per path before it counts as failed. */
  attempts: z.number().int().min(1).max(10).default(3),
});

/** A threshold, or false to leave that alarm out. */
const threshold = (min: number, max: number) => z.union([z.literal(false), z.number().min(min).max(max)]);

const releaseAlarms = z.strictObject({
  /** Alarms on both target groups that stop and roll back a deployment when they fire. */
  enabled: z.boolean().default(true),
  /** Seconds per evaluated period. */
  periodSeconds: z.union([z.literal(10), z.literal(30), z.number().int().min(60).max(86400).multipleOf(60)]).default(60),
  /** Consecutive breaching periods before an alarm fires. */
  evaluationPeriods: z.number().int().min(1).max(10).default(2),
  /** Target 5xx responses per period (sum) at or above which the alarm fires. */
  target5xxCount: threshold(1, 1_000_000).default(5),
  /** Unhealthy targets (maximum in a period) at or above which the alarm fires. */
  unhealthyHosts: threshold(1, 1000).default(1),
  /** Target response time (seconds, at responseTimePercentile) above which the alarm fires. */
  responseTimeSeconds: threshold(0.001, 3600).default(2),
  responseTimePercentile: z.string().regex(/^p(\d{1,2}(\.\d{1,2})?|100)$/, { message: 'must be a percentile such as "p99" or "p99.9"' }).default("p99"),
});

/** CodeDeploy's limit for a time-based canary or linear interval (minutes). */
export const MAX_TRAFFIC_SHIFT_INTERVAL_MINUTES = 2880;

const trafficShifting = z.strictObject({
  /** canary: percent first, the rest after the interval; linear: percent more every interval. */
  type: z.enum(["canary", "linear"]),
  percent: z.number().int().min(1).max(99),
  intervalMinutes: z.number().int().min(1).max(MAX_TRAFFIC_SHIFT_INTERVAL_MINUTES),
});

const deploymentFields = {
  deploymentConfigName: z.enum(ECS_DEPLOYMENT_CONFIGS).default("CodeDeployDefault.ECSAllAtOnce"),
  /** A custom canary or linear shift (the stack creates the deployment config); replaces deploymentConfigName. */
  trafficShifting: trafficShifting.optional(),
  /** automatic: reroute as soon as the green tasks are healthy; manual: wait for a person (test listener for QA). */
  trafficReroute: z.enum(["automatic", "manual"]).default("automatic"),
  /** With manual reroute: minutes to wait before the deployment stops. */
  rerouteWaitMinutes: minutes(4320).default(60),
  /** Minutes the blue tasks keep running after a successful reroute (a quick rollback window). */
  terminationWaitMinutes: minutes(2880).default(5),
  smokeTest: smokeTest.prefault({}),
  alarms: releaseAlarms.prefault({}),
  /** The user's own CloudWatch alarms (names, in the stack's region) that also stop and roll back a deployment. */
  alarmNames: z.array(z.string().min(1).max(255)).default([]),
  /** Existing Lambda functions CodeDeploy invokes at lifecycle events, e.g. { "BeforeAllowTraffic": "my-check" }. */
  hooks: z
    .record(z.string(), lambdaFunctionRef)
    .superRefine((hooks, ctx) => {
      for (const event of Object.keys(hooks)) {
        if (!(ECS_LIFECYCLE_EVENTS as readonly string[]).includes(event)) {
          ctx.addIssue({ code: "custom", path: [event], message: `is not an ECS lifecycle event; allowed: ${ECS_LIFECYCLE_EVENTS.join(", ")}` });
        }
      }
    })
    .default({}),
};

/** The same fields with no defaults and all optional: what an environment overrides, and nothing else. */
function overrides<T extends z.core.$ZodLooseShape>(fields: T) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, schema] of Object.entries(fields)) {
    const def = (schema as z.ZodType)._zod.def as { type: string; innerType?: z.ZodType };
    const inner = def.type === "default" || def.type === "prefault" ? def.innerType! : (schema as z.ZodType);
    // A group of settings (smokeTest, alarms) is overridden field by field, like the top level.
    shape[key] = (inner instanceof z.ZodObject ? overrides(inner.shape) : inner).optional();
  }
  return z.strictObject(shape);
}

const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: "must be a subnet id such as subnet-0123456789abcdef0" });

const existingNetwork = z.strictObject({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { message: "must be a VPC id such as vpc-0123456789abcdef0" }),
  /** One per availability zone, in their order: the load balancers (routed to an internet gateway). */
  publicSubnetIds: z.array(subnetId),
  /** One per availability zone, in their order: tasks and databases (reaching ECR, Logs and AWS APIs through NAT or endpoints). */
  privateSubnetIds: z.array(subnetId),
  /** The NAT gateways' public IPv4 addresses: only needed when the smoke test must pass a narrowed testAllowedCidrs. */
  natPublicIps: z.array(z.ipv4({ message: "must be an IPv4 address" })).default([]),
});

// ---- sources -------------------------------------------------------------------------------------

const branchName = z.string().regex(/^[^\s~^:?*[\\]+$/, { message: "must be a Git branch name" }).default("main");

const codeStarSource = z.strictObject({
  kind: z.literal("codestar"),
  /** Git host behind the connection. */
  providerType: z.enum(["GitHub", "Bitbucket", "GitLab"]).default("GitHub"),
  /** Repository as owner/name, e.g. my-org/my-app. */
  repositoryId: z.string().regex(/^[\w.-]+(\/[\w.-]+)+$/, { message: "must be owner/name, e.g. my-org/my-app" }),
  branchName,
  /** ARN of an existing, already activated connection; when absent the stack creates one (PENDING until activated). */
  connectionArn: z
    .string()
    .regex(/^arn:aws[\w-]*:(codestar-connections|codeconnections):[\w-]+:\d{12}:connection\/[\w-]+$/, {
      message: "must be a CodeStar/CodeConnections connection ARN",
    })
    .optional(),
  /** Hand CodeBuild a full Git clone (CODEBUILD_CLONE_REF) instead of a zip, e.g. for `git log` in tests. */
  fullClone: z.boolean().default(false),
});

const codeCommitSource = z.strictObject({
  kind: z.literal("codecommit"),
  repositoryName: z.string().regex(/^[\w.-]{1,100}$/, { message: "must be 1-100 letters, digits, '.', '_' or '-'" }),
  /** Create the repository (clone URLs become outputs); false uses an existing one of that name. */
  createRepository: z.boolean().default(true),
  branchName,
});

const LITERAL_SECRET_MESSAGE =
  "a token must not be written in the config; store it in Secrets Manager (tokenSecretName) or as an SSM SecureString parameter (tokenParameterName) and name it";
const looksLikeToken = (v: string) => /^(ghp_|gho_|ghu_|ghs_|github_pat_)|^[0-9a-f]{40}$/.test(v);
const secretName = z.string().min(1).refine((v) => !looksLikeToken(v), { message: `looks like a token itself: ${LITERAL_SECRET_MESSAGE}` });

const gitHubOAuthSource = z
  .strictObject({
    kind: z.literal("github-oauth"),
    owner: z.string().regex(/^[\w.-]+$/, { message: "must be a GitHub user or organisation" }),
    repo: z.string().regex(/^[\w.-]+$/, { message: "must be a repository name" }),
    branchName,
    /** Name of the Secrets Manager secret holding the OAuth token (read at plan/apply, never in config or JSON). */
    tokenSecretName: secretName.optional(),
    /** Name of the SSM SecureString parameter holding the token. */
    tokenParameterName: secretName.optional(),
    /** Rejected: a token written into the config. */
    oauthToken: z.unknown().refine((v) => v === undefined, { message: LITERAL_SECRET_MESSAGE }).optional(),
  })
  .refine((s) => !!s.tokenSecretName !== !!s.tokenParameterName, {
    message: "name exactly one of tokenSecretName (Secrets Manager) or tokenParameterName (SSM)",
    path: ["tokenSecretName"],
  });

const s3Source = z.strictObject({
  kind: z.literal("s3"),
  /** An existing versioned bucket; when absent the stack creates one. */
  bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "must be an S3 bucket name" }).optional(),
  /** Key of the zipped source; every new version starts the pipeline. */
  objectKey: z.string().min(1).default("source.zip"),
});

export const SOURCE_KINDS = ["codestar", "codecommit", "github-oauth", "s3"] as const;

const source = z.discriminatedUnion("kind", [codeStarSource, codeCommitSource, gitHubOAuthSource, s3Source], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? { message: `unknown source kind; allowed: ${SOURCE_KINDS.map((k) => `"${k}"`).join(", ")}` }
      : undefined,
});

// ---- database -----------------------------------------------------------------------------------

const database = z.strictObject({
  /** A PostgreSQL instance per environment, reachable from that environment's tasks only. */
  enabled: z.boolean().default(false),
  /** Major ("16") or full ("16.4") PostgreSQL version. */
  engineVersion: z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a PostgreSQL version such as "16" or "16.4"' }).default("16"),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be an RDS instance class such as db.t4g.micro" }).default("db.t4g.micro"),
  allocatedStorageGb: z.number().int().min(20).max(65536).default(20),
  /** Storage autoscaling ceiling; none when absent. */
  maxAllocatedStorageGb: z.number().int().min(21).max(65536).optional(),
  backupRetentionDays: z.number().int().min(0).max(35).default(7),
  databaseName: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/).default("app"),
  /** Master user; RDS generates its password and keeps it in Secrets Manager. */
  username: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/).default("app_admin"),
  multiAz: z.boolean().default(false),
  deletionProtection: z.boolean().default(true),
  /** Take a final snapshot when the instance is destroyed. */
  finalSnapshot: z.boolean().default(true),
  /** Rejected: RDS generates and rotates the password; it never belongs in the config. */
  password: z
    .unknown()
    .refine((v) => v === undefined, {
      message: "must not be given: RDS generates the master password and keeps it in Secrets Manager; the tasks receive it as an ECS secret",
    })
    .optional(),
});

// ---- encryption ---------------------------------------------------------------------------------

const encryption = z.strictObject({
  /**
   * aws-managed: each service's own AWS key (default); create: one customer-managed key (rotation on) for
   * ECR, the artifact bucket, the log groups and the databases; existing: the key named in kmsKeyArn.
   */
  customerManagedKey: z.enum(["aws-managed", "create", "existing"]).default("aws-managed"),
  kmsKeyArn: z
    .string()
    .regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, { message: "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)" })
    .optional(),
});

// ---- delivery -----------------------------------------------------------------------------------

const githubActionsDelivery = z.strictObject({
  /** GitHub Actions builds and deploys (through CodeDeploy); no CodePipeline or CodeBuild is created. */
  mode: z.literal("github-actions"),
  /** owner/name of the repository whose workflows may assume the deploy role. */
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: "must be owner/name, e.g. my-org/my-app" }),
  /** Branch whose workflow runs may push and deploy (replaced by subjectPattern when set). */
  branch: z.string().regex(/^[^\s~^:?*[\\]+$/, { message: "must be a Git branch name" }).default("main"),
  /** A GitHub deployment environment the deploy job must run in: the deploy role then trusts it instead of the branch. */
  githubEnvironment: z.string().regex(/^[\w.-]+$/).optional(),
  /** Full OIDC subject pattern replacing the branch, e.g. repo:org/app:ref:refs/tags/v*. */
  subjectPattern: z
    .string()
    .refine((p) => p.trim() !== "*", { message: 'a bare "*" would let every GitHub repository assume the role; name the repository' })
    .refine((p) => p.startsWith("repo:"), { message: 'must start with "repo:<owner>/<name>:"' })
    .optional(),
  /** ARN of the account's existing GitHub OIDC provider (an account has at most one); created when absent. */
  oidcProviderArn: z
    .string()
    .regex(/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, {
      message: "must be the ARN of the token.actions.githubusercontent.com OIDC provider",
    })
    .optional(),
});

const delivery = z.discriminatedUnion("mode", [z.strictObject({ mode: z.literal("codepipeline") }), githubActionsDelivery], {
  error: (issue) => (issue.code === "invalid_union" ? { message: 'unknown delivery mode; allowed: "codepipeline", "github-actions"' } : undefined),
});

// ---- environments --------------------------------------------------------------------------------

const approval = z.strictObject({
  /** E-mail addresses subscribed to the approval topic (each confirms once). */
  notifyEmails: z.array(z.email()).default([]),
  /** Shown to the approver. */
  message: z.string().max(500).optional(),
  /** Link shown with the request; defaults to the environment's test listener URL. */
  reviewUrl: z.url().optional(),
});

const environment = z.strictObject({
  /** Short name: becomes part of resource names and stage names (Deploy_to_<Name>). */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, { message: "must be 1-20 lowercase letters, digits or hyphens, starting with a letter" }),
  /** Require a person's approval in the pipeline before deploying here. */
  approval: approval.optional(),
  service: overrides(serviceFieldsPerEnvironment).optional(),
  loadBalancer: overrides(loadBalancerFields).optional(),
  deployment: overrides(deploymentFields).optional(),
});

// ---- the whole config ----------------------------------------------------------------------------

const configObject = z.strictObject({
    /** Short name of the application: prefixes every physical name. */
    appName: z.string().regex(/^[a-z][a-z0-9-]{0,62}[a-z0-9]$/, {
      message: "must be 2-64 characters of lowercase letters, digits and hyphens, starting with a letter",
    }),
    region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { message: "must be an AWS region such as eu-central-1" }),
    /** Availability zones; given here so that planning needs no AWS call. At least 2 (an ALB needs two). */
    availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/)).min(2),
    /** Plan without an AWS account: fake credentials, no account lookups. Never for a real deploy. */
    sandbox: z.boolean().default(false),
    tags: z.record(z.string(), z.string()).default({}),
    stateBackend: z.strictObject({ bucket: z.string().min(3), key: z.string().min(1), region: z.string().optional() }).optional(),
    /** Path of the local state file (default: terraform.<appName>.tfstate in the project root); ignored with stateBackend. */
    localStatePath: z.string().min(1).optional(),
    network: z
      .strictObject({
        vpcCidr: cidr.optional(),
        /** One public subnet per AZ, in the order of availabilityZones. */
        publicSubnetCidrs: z.array(cidr).optional(),
        /** One private subnet per AZ for the tasks; ignored when natGateways is "none". */
        privateSubnetCidrs: z.array(cidr).optional(),
        /** one-per-az: resilient; single: one NAT for all AZs (cheap); none: tasks in public subnets with public IPs. */
        natGateways: z.enum(["one-per-az", "single", "none"]).optional(),
        /** A network the stack must not create, change or destroy, given by id (planning needs no AWS call). */
        existing: existingNetwork.optional(),
      })
      .prefault({})
      .superRefine((n, ctx) => {
        if (!n.existing) return;
        for (const field of ["vpcCidr", "publicSubnetCidrs", "privateSubnetCidrs", "natGateways"] as const) {
          if (n[field] !== undefined) {
            ctx.addIssue({ code: "custom", path: [field], message: "must be left out with network.existing: the stack creates no network then" });
          }
        }
      })
      .transform((n) => ({
        ...n,
        vpcCidr: n.vpcCidr ?? "10.0.0.0/16",
        publicSubnetCidrs: n.publicSubnetCidrs ?? ["10.0.0.0/24", "10.0.1.0/24"],
        privateSubnetCidrs: n.privateSubnetCidrs ?? ["10.0.10.0/24", "10.0.11.0/24"],
        // An existing network's tasks run in its private subnets, as behind NAT.
        natGateways: n.natGateways ?? "single",
      })),
    loadBalancer: z.strictObject(loadBalancerFields).prefault({}),
    service: z
      .strictObject({
        containerName: z.string().regex(/^[A-Za-z0-9][\w-]{0,254}$/).default("app"),
        containerPort: port.default(80),
        /** Image the first task definition runs, before the pipeline has built one. */
        initialImage: z.string().min(1).default("public.ecr.aws/docker/library/httpd:2.4"),
        ...serviceFieldsPerEnvironment,
      })
      .prefault({}),
    ecr: z
      .strictObject({
        scanOnPush: z.boolean().default(true),
        imageTagMutability: z.enum(["MUTABLE", "IMMUTABLE"]).default("MUTABLE"),
        maxImageCount: z.number().int().min(1).max(10000).default(30),
        untaggedExpiryDays: z.number().int().min(1).default(7),
        forceDelete: z.boolean().default(false),
      })
      .prefault({}),
    artifacts: z
      .strictObject({
        forceDestroy: z.boolean().default(false),
        noncurrentVersionExpirationDays: z.number().int().min(1).default(30),
      })
      .prefault({}),
    build: z
      .strictObject({
        computeType: z.enum(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"]).default("BUILD_GENERAL1_SMALL"),
        image: z.string().min(1).default("aws/codebuild/amazonlinux2-x86_64-standard:5.0"),
        buildspecPath: z.string().min(1).default("buildspec.yml"),
        timeoutMinutes: z.number().int().min(5).max(2160).default(30),
        logRetentionDays: logRetention.default(30),
        /** Run inside the freshly built image before it is pushed; a failure stops the pipeline. */
        testCommand: z.string().min(1).optional(),
        /** none; s3: cache in the artifact bucket; local: Docker layer and source cache on the build host. */
        cache: z.enum(["none", "s3", "local"]).default("none"),
      })
      .prefault({}),
    deployment: z.strictObject(deploymentFields).prefault({}),
    /** Release events (deployment start, success, failure, rollback; pipeline failed or succeeded) on one SNS topic. */
    notifications: z
      .strictObject({
        /** Addresses subscribed to the release topic (each confirms once). */
        emails: z.array(z.email()).default([]),
      })
      .prefault({}),
    database: database.prefault({}),
    encryption: encryption.prefault({}),
    /** Where the code comes from (CodePipeline delivery only). */
    source: source.optional(),
    /** codepipeline (default): CodePipeline with CodeBuild; github-actions: a GitHub workflow deploys through CodeDeploy. */
    delivery: delivery.default({ mode: "codepipeline" }),
    /** Deployed in this order by the pipeline; each has its own ALB, service and deployment group. */
    environments: z.array(environment).min(1).default([{ name: "production" }]),
});

type ConfigObject = z.output<typeof configObject>;
type EnvironmentInput = ConfigObject["environments"][number];

/** One environment with every setting resolved: its overrides over the top-level defaults. */
export interface ResolvedEnvironment {
  readonly name: string;
  readonly approval?: EnvironmentInput["approval"];
  readonly service: ConfigObject["service"];
  readonly loadBalancer: ConfigObject["loadBalancer"];
  readonly deployment: ConfigObject["deployment"];
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolve(top: ConfigObject, env: EnvironmentInput): ResolvedEnvironment {
  return {
    name: env.name,
    approval: env.approval,
    service: { ...top.service, ...defined(env.service) } as ConfigObject["service"],
    loadBalancer: { ...top.loadBalancer, ...defined(env.loadBalancer) } as ConfigObject["loadBalancer"],
    deployment: environmentDeployment(top.deployment, env.deployment),
  };
}

/** An environment's deployment settings; its own predefined deploymentConfigName replaces an inherited trafficShifting. */
function environmentDeployment(top: ConfigObject["deployment"], env: EnvironmentInput["deployment"]): ConfigObject["deployment"] {
  const merged = mergeGroups(top, env) as ConfigObject["deployment"];
  if (env?.deploymentConfigName && !env.trafficShifting) return { ...merged, trafficShifting: undefined };
  return merged;
}

/** An environment's overrides over the defaults; a group of settings (an object) is merged one level deep. */
function mergeGroups<T extends object>(top: T, env: Partial<T> | undefined): T {
  const merged: Record<string, unknown> = { ...(top as Record<string, unknown>) };
  for (const [key, value] of Object.entries(defined(env))) {
    const base = merged[key];
    const isGroup = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
    merged[key] = isGroup(base) && isGroup(value) ? { ...(base as object), ...defined(value as object) } : value;
  }
  return merged as T;
}

export const configSchema = configObject
  .superRefine(validateAcrossFields)
  .transform((c) => ({ ...c, environments: c.environments.map((env) => resolve(c, env)) }));

type Ctx = z.core.$RefinementCtx;

function validateAcrossFields(c: ConfigObject, ctx: Ctx): void {
  const azCount = c.availabilityZones.length;
  for (const az of c.availabilityZones) {
    if (!az.startsWith(c.region)) ctx.addIssue({ code: "custom", path: ["availabilityZones"], message: `"${az}" is not in region ${c.region}` });
  }
  if (new Set(c.availabilityZones).size !== azCount) {
    ctx.addIssue({ code: "custom", path: ["availabilityZones"], message: "must not repeat a zone" });
  }
  const existing = c.network.existing;
  if (existing) {
    for (const field of ["publicSubnetIds", "privateSubnetIds"] as const) {
      if (existing[field].length !== azCount) {
        ctx.addIssue({ code: "custom", path: ["network", "existing", field], message: `has ${existing[field].length} subnets for ${azCount} availability zones; give one per zone, in their order` });
      }
    }
    const all = [...existing.publicSubnetIds, ...existing.privateSubnetIds];
    all.forEach((id, i) => {
      if (all.indexOf(id) !== i) ctx.addIssue({ code: "custom", path: ["network", "existing"], message: `${id} is listed twice; public and private subnets must be distinct` });
    });
  }
  const subnetLists: Array<["publicSubnetCidrs" | "privateSubnetCidrs", string[]]> = existing ? [] : [["publicSubnetCidrs", c.network.publicSubnetCidrs]];
  if (!existing && c.network.natGateways !== "none") subnetLists.push(["privateSubnetCidrs", c.network.privateSubnetCidrs]);
  const all: string[] = [];
  for (const [field, list] of subnetLists) {
    if (list.length < azCount) {
      ctx.addIssue({ code: "custom", path: ["network", field], message: `has ${list.length} subnets for ${azCount} availability zones; give one per zone` });
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

  if (c.delivery.mode === "codepipeline" && !c.source) {
    ctx.addIssue({ code: "custom", path: ["source"], message: 'is required with delivery mode "codepipeline" (kinds: "codestar", "codecommit", "github-oauth", "s3")' });
  }
  if (c.delivery.mode === "github-actions" && c.source) {
    ctx.addIssue({ code: "custom", path: ["source"], message: 'must be left out with delivery mode "github-actions": the workflow in the repository is the source' });
  }
  if (c.delivery.mode === "github-actions" && c.environments.some((e) => e.approval)) {
    const i = c.environments.findIndex((e) => e.approval);
    ctx.addIssue({ code: "custom", path: ["environments", i, "approval"], message: 'needs CodePipeline; with "github-actions" use a GitHub environment with required reviewers' });
  }

  if (c.database.enabled && c.network.natGateways === "none") {
    ctx.addIssue({
      code: "custom",
      path: ["database", "enabled"],
      message: 'needs private subnets: set network.natGateways to "single" or "one-per-az" (with "none" there are none)',
    });
  }
  const storage = c.database;
  if (storage.maxAllocatedStorageGb !== undefined && storage.maxAllocatedStorageGb <= storage.allocatedStorageGb) {
    ctx.addIssue({ code: "custom", path: ["database", "maxAllocatedStorageGb"], message: "must exceed allocatedStorageGb" });
  }

  const keyArn = c.encryption.kmsKeyArn;
  if (c.encryption.customerManagedKey === "existing" && !keyArn) {
    ctx.addIssue({ code: "custom", path: ["encryption", "kmsKeyArn"], message: 'is required with customerManagedKey "existing"' });
  }
  if (keyArn && c.encryption.customerManagedKey !== "existing") {
    ctx.addIssue({ code: "custom", path: ["encryption", "kmsKeyArn"], message: 'is only used with customerManagedKey "existing"' });
  }
  const keyRegion = keyArn?.split(":")[3];
  if (keyRegion && keyRegion !== c.region) {
    ctx.addIssue({
      code: "custom",
      path: ["encryption", "kmsKeyArn"],
      message: `is in ${keyRegion}, but the stack is in ${c.region}: KMS keys are regional, give a key from ${c.region}`,
    });
  }

  const names = c.environments.map((e) => e.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) ctx.addIssue({ code: "custom", path: ["environments", i, "name"], message: `"${name}" is used twice; environment names must be unique` });
  });
  const domains = c.environments.map((env) => resolve(c, env).loadBalancer.domainName);
  domains.forEach((domain, i) => {
    const first = domains.indexOf(domain);
    if (domain && first !== i) {
      ctx.addIssue({
        code: "custom",
        path: ["environments", i, "loadBalancer", "domainName"],
        message: `"${domain}" is also environment ${c.environments[first].name}'s; give each environment its own name`,
      });
    }
  });
  if (c.environments[0]?.approval) {
    ctx.addIssue({
      code: "custom",
      path: ["environments", 0, "approval"],
      message: "an approval can only come before a later environment (it gates promotion from the one before it)",
    });
  }
  // Check each environment as it will be built (its overrides over the defaults); the top level
  // reports under its own path, an environment under environments.N.
  checkEnvironment(c, c, [], ctx);
  c.environments.forEach((env, i) => {
    if (env.service || env.loadBalancer || env.deployment) checkEnvironment(c, resolve(c, env), ["environments", i], ctx);
  });
}

/** How many alarms a deployment group watches: each built-in alarm on both target groups, and the user's. */
export function deploymentAlarmCount(d: ConfigObject["deployment"]): number {
  const a = d.alarms;
  const builtIn = a.enabled ? [a.target5xxCount, a.unhealthyHosts, a.responseTimeSeconds].filter((t) => t !== false).length * 2 : 0;
  return builtIn + d.alarmNames.length;
}

function checkEnvironment(
  c: ConfigObject,
  e: Pick<ConfigObject, "service" | "loadBalancer" | "deployment">,
  at: Array<string | number>,
  ctx: Ctx,
): void {
  const lb = e.loadBalancer;
  const lbAt = [...at, "loadBalancer"];
  if (lb.hostedZoneId && !lb.domainName) {
    ctx.addIssue({ code: "custom", path: [...lbAt, "hostedZoneId"], message: "needs loadBalancer.domainName: the name to serve in that zone" });
  }
  if (lb.certificateArn && !lb.domainName) {
    ctx.addIssue({ code: "custom", path: [...lbAt, "domainName"], message: "is required with certificateArn: the name the certificate is for, which the URLs and the smoke test use" });
  }
  if (lb.domainName && !lb.certificateArn && !lb.hostedZoneId) {
    ctx.addIssue({
      code: "custom",
      path: [...lbAt, "hostedZoneId"],
      message: "is required with domainName unless certificateArn is given: the stack validates the certificate it requests through that zone",
    });
  }
  const certificateRegion = lb.certificateArn?.split(":")[3];
  if (certificateRegion && certificateRegion !== c.region) {
    ctx.addIssue({
      code: "custom",
      path: [...lbAt, "certificateArn"],
      message: `is in ${certificateRegion}, but the stack is in ${c.region}: a load balancer takes certificates from its own region`,
    });
  }
  if (lb.domainName) {
    for (const [field, value] of [["productionPort", lb.productionPort], ["testPort", lb.testPort]] as const) {
      if (value === lb.httpsPort) ctx.addIssue({ code: "custom", path: [...lbAt, "httpsPort"], message: `must differ from ${field} (${value})` });
    }
  }
  const d = e.deployment;
  if (d.smokeTest.enabled && d.hooks.AfterAllowTestTraffic) {
    ctx.addIssue({
      code: "custom",
      path: [...at, "deployment", "hooks", "AfterAllowTestTraffic"],
      message: "is taken by the smoke test (CodeDeploy runs one function per event): use BeforeAllowTraffic, or set deployment.smokeTest.enabled to false",
    });
  }
  const alarmCount = deploymentAlarmCount(d);
  if (alarmCount > MAX_DEPLOYMENT_GROUP_ALARMS) {
    ctx.addIssue({
      code: "custom",
      path: [...at, "deployment", "alarmNames"],
      message: `makes ${alarmCount} alarms with the built-in ones (2 per enabled alarm, one per target group); CodeDeploy watches at most ${MAX_DEPLOYMENT_GROUP_ALARMS}`,
    });
  }
  if (d.smokeTest.enabled && c.network.existing && c.network.existing.natPublicIps.length === 0 && !e.loadBalancer.testAllowedCidrs.includes("0.0.0.0/0")) {
    ctx.addIssue({
      code: "custom",
      path: [...at, "loadBalancer", "testAllowedCidrs"],
      message:
        'shuts out the smoke test: in an existing network it calls the test listener from the private subnets\' NAT addresses; list them in network.existing.natPublicIps, add "0.0.0.0/0", or set deployment.smokeTest.enabled to false',
    });
  }
  // Without NAT the smoke test runs outside the VPC, so it reaches the test listener from the internet.
  if (d.smokeTest.enabled && !c.network.existing && c.network.natGateways === "none" && !e.loadBalancer.testAllowedCidrs.includes("0.0.0.0/0")) {
    ctx.addIssue({
      code: "custom",
      path: [...at, "loadBalancer", "testAllowedCidrs"],
      message:
        'shuts out the smoke test: with network.natGateways "none" it calls the test listener from the internet; add "0.0.0.0/0", use a NAT mode (it then calls from the NAT addresses), or set deployment.smokeTest.enabled to false',
    });
  }
  if (e.loadBalancer.productionPort === e.loadBalancer.testPort) {
    ctx.addIssue({ code: "custom", path: [...at, "loadBalancer", "testPort"], message: "must differ from productionPort" });
  }
  const allowedMemory = FARGATE_MEMORY_BY_CPU[e.service.cpu];
  if (!allowedMemory) {
    ctx.addIssue({ code: "custom", path: [...at, "service", "cpu"], message: `${e.service.cpu} is not a Fargate CPU size; allowed: ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")}` });
  } else if (!allowedMemory.includes(e.service.memory)) {
    ctx.addIssue({
      code: "custom",
      path: [...at, "service", "memory"],
      message: `${e.service.memory} MiB is not allowed with ${e.service.cpu} CPU units; allowed: ${allowedMemory[0]}-${allowedMemory[allowedMemory.length - 1]} (${allowedMemory.join(", ")})`,
    });
  }
  const scaling = e.service.autoScaling;
  if (scaling && scaling.minCapacity > scaling.maxCapacity) {
    ctx.addIssue({ code: "custom", path: [...at, "service", "autoScaling", "minCapacity"], message: "must not exceed maxCapacity" });
  }
}
