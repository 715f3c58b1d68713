import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { config, deployJobVariables, githubActionsOf, pipelineOf, resourcesOf, synth, Synthesized, synthFile } from "./helpers";
import { loadConfig } from "../src/config";
import { renderWorkflow, workflowShapeOf } from "../src/delivery/github-workflow";
import { admitsService, admitsWebIdentity, Call, decide, RoleUnderTest, roleNamed, stackRoles } from "./iam-simulation";
import { IamPolicy, TerraformValues } from "./terraform-values";
import { appSpecHooksLine } from "../src/traffic-control/appspec";

/**
 * Call by call, as IAM would decide it: every AWS call each principal of a delivery path makes, against
 * the role that principal holds, with the resource ARN of that call. A role short of a permission that
 * only a real deployment would reveal fails here.
 */

const WORKFLOW_FILE = "app-repo-sample/.github/workflows/deploy.yml";
const OIDC_AUDIENCE = "sts.amazonaws.com";

/** Concrete values of one synthesized stack (ARNs as AWS would name them after an apply). */
function valuesOf(s: Synthesized) {
  const values = new TerraformValues(s.tf);
  return { values, get: (token: unknown): any => values.evaluate(s.ref(token)) };
}

/** The resource ARNs the calls of the deploy path act on, for one environment. */
function environmentTargets(s: Synthesized, index = s.stack.environments.length - 1) {
  const { get } = valuesOf(s);
  const env = s.stack.environments[index];
  return {
    family: get(env.service.taskDefinition.family) as string,
    nextRevision: `${get(env.service.taskDefinition.arnWithoutRevision)}:2`,
    service: get(env.service.service.id) as string,
    taskSet: `${get(env.service.service.id).replace(":service/", ":task-set/")}/ecs-svc/1234567890123456789`,
    group: get(env.deployment.deploymentGroup.arn) as string,
    application: get(env.deployment.application.arn) as string,
    deploymentConfig: (get(env.deployment.application.arn) as string).replace(/application:.*$/, `deploymentconfig:${env.deployment.deploymentConfigName}`),
    taskRoles: [get(env.service.executionRole.role.arn), get(env.service.taskRole.role.arn)] as string[],
    listeners: [get(env.loadBalancer.productionListener.arn), get(env.loadBalancer.testListener.arn)] as string[],
  };
}

function passTaskRoles(taskRoles: string[]): Call[] {
  return taskRoles.map((resource) => ({ action: "iam:PassRole", resource, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }));
}

const PUSH_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"];

// ---- GitHub Actions ------------------------------------------------------------------------------

type Stack = Synthesized;

/**
 * The AWS calls one step of the workflow makes: for an action, the calls its source makes (the ECR login,
 * the deploy action's RegisterTaskDefinition, DescribeServices, GetDeploymentGroup, CreateDeployment,
 * GetDeployment and the PassRole of the task roles); for a script, its `aws` and `docker push` commands.
 * A step this table does not know fails the test, so a changed workflow is looked at again.
 */
function callsOfStep(step: { uses?: string; run?: string }, s: Stack, environment: number): Call[] {
  const t = environmentTargets(s, environment);
  const repository = valuesOf(s).get(s.stack.repository.repository.arn) as string;
  if (step.uses) {
    const action = step.uses.split("@")[0];
    switch (action) {
      case "actions/checkout":
      case "aws-actions/configure-aws-credentials": // the role assumption itself is the trust check
      case "aws-actions/amazon-ecs-render-task-definition": // edits a file, calls nothing
      case "docker/setup-qemu-action": // registers emulators on the runner, calls nothing in AWS
        return [];
      case "aws-actions/amazon-ecr-login":
        return [{ action: "ecr:GetAuthorizationToken", resource: "*" }];
      case "aws-actions/amazon-ecs-deploy-task-definition":
        return [
          { action: "ecs:RegisterTaskDefinition", resource: t.nextRevision },
          ...passTaskRoles(t.taskRoles),
          { action: "ecs:DescribeServices", resource: t.service },
          { action: "codedeploy:GetDeploymentGroup", resource: t.group },
          { action: "codedeploy:CreateDeployment", resource: t.group },
          { action: "codedeploy:GetDeployment", resource: t.group },
        ];
      default:
        throw new Error(`no call list for the action ${action}: add what it calls`);
    }
  }
  const calls: Call[] = [];
  for (const line of (step.run ?? "").split("\n")) {
    const aws = /\baws (\S+) (\S+)/.exec(line);
    if (aws) {
      if (`${aws[1]} ${aws[2]}` !== "ecs describe-task-definition") throw new Error(`no call list for "aws ${aws[1]} ${aws[2]}"`);
      calls.push({ action: "ecs:DescribeTaskDefinition", resource: "*" });
    }
    if (/\bdocker push\b/.test(line)) calls.push(...PUSH_ACTIONS.map((action) => ({ action, resource: repository })));
  }
  return calls;
}

interface TrustMode {
  readonly name: string;
  readonly delivery: Record<string, unknown>;
  /** The Git ref the run is for (the workflow's trigger follows the mode). */
  readonly ref: string;
}

const TRUST_MODES: TrustMode[] = [
  { name: "branch (default main)", delivery: {}, ref: "refs/heads/main" },
  { name: "another branch", delivery: { branch: "release" }, ref: "refs/heads/release" },
  { name: "GitHub environment named for production", delivery: { githubEnvironment: "prod" }, ref: "refs/heads/main" },
  { name: "subject pattern (tags)", delivery: { subjectPattern: "repo:my-org/shop:ref:refs/tags/v*" }, ref: "refs/tags/v1.4.0" },
  { name: "pattern and environment", delivery: { subjectPattern: "repo:my-org/shop:ref:refs/tags/v*", githubEnvironment: "prod" }, ref: "refs/tags/v2.0.1" },
];

/** One environment, and staging before production (each environment's deploy job with its own role). */
const ENVIRONMENT_SETS: Array<{ readonly name: string; readonly environments?: unknown[] }> = [
  { name: "one environment" },
  { name: "staging then production", environments: [{ name: "staging" }, { name: "production", approval: {} }] },
];

const REPOSITORY = "my-org/shop";

function githubOverrides(delivery: Record<string, unknown>, environments?: unknown[]): Record<string, unknown> {
  return { source: undefined, delivery: { mode: "github-actions", repository: REPOSITORY, ...delivery }, ...(environments ? { environments } : {}) };
}

function githubStack(delivery: Record<string, unknown>, environments?: unknown[]): Stack {
  return synth(githubOverrides(delivery, environments));
}

/** The workflow `npm run github-workflow` renders for the same config. */
function workflowFor(delivery: Record<string, unknown>, environments?: unknown[]) {
  return parseYaml(renderWorkflow(workflowShapeOf(config(githubOverrides(delivery, environments)))));
}

/** Replaces `${{ vars.NAME }}` by that variable's value (undefined when the stack sets no such variable). */
function withVariables(text: unknown, variables: Record<string, string>): string | undefined {
  const m = /^\$\{\{\s*vars\.([A-Z_]+)\s*\}\}$/.exec(String(text ?? ""));
  return m ? variables[m[1]] : (text as string | undefined);
}

interface JobUnderTest {
  readonly id: string;
  /** The OIDC subject GitHub issues to this job (environment, else the ref). */
  readonly subject: string;
  readonly role: RoleUnderTest;
  readonly otherRoles: RoleUnderTest[];
  readonly calls: Call[];
  /** The stack environment a deploy job deploys (its index), undefined for the build job. */
  readonly environment?: number;
}

type Workflow = { jobs: Record<string, { environment?: string; needs?: string; steps: Array<{ uses?: string; run?: string; with?: Record<string, string> }> }> };

function jobsOf(s: Stack, ref: string, flow: Workflow): JobUnderTest[] {
  const { get } = valuesOf(s);
  const delivery = githubActionsOf(s.stack);
  const roles = stackRoles(s);
  const githubRoles = [...roles.values()].filter((r) => JSON.stringify(r.trust).includes("AssumeRoleWithWebIdentity"));
  return Object.entries(flow.jobs)
    .filter(([, job]) => job.steps.some((st) => st.uses?.startsWith("aws-actions/configure-aws-credentials")))
    .map(([id, job]) => {
      // A job in a GitHub environment reads that environment's variables over the repository's.
      const variables = Object.fromEntries(
        Object.entries(job.environment ? deployJobVariables(s.stack, job.environment) : delivery.repositoryVariables).map(([k, v]) => [k, String(get(v))]),
      );
      const configure = job.steps.find((st) => st.uses?.startsWith("aws-actions/configure-aws-credentials"))!;
      const roleArn = withVariables(configure.with!["role-to-assume"], variables);
      const role = githubRoles.find((r) => r.arn === roleArn);
      if (!role) throw new Error(`job ${id} assumes ${configure.with!["role-to-assume"]} = ${roleArn}, which is no role of the stack`);
      const environment = job.environment ? delivery.githubEnvironments.indexOf(job.environment) : undefined;
      return {
        id,
        subject: job.environment ? `repo:${REPOSITORY}:environment:${job.environment}` : `repo:${REPOSITORY}:ref:${ref}`,
        role,
        otherRoles: githubRoles.filter((r) => r !== role),
        calls: job.steps.flatMap((st) => callsOfStep(st, s, environment ?? 0)),
        environment,
      };
    });
}

describe("GitHub Actions delivery, call by call (the rendered workflow against the stack's roles)", () => {
  it("the sample workflow is the render for seed 004: on pushes to main, build, then deploy in the production environment", () => {
    const sample = parseYaml(readFileSync(WORKFLOW_FILE, "utf8"));
    expect(sample).toEqual(parseYaml(renderWorkflow(workflowShapeOf(loadConfig({ CONFIG: "examples/seed-004-github-actions.json" })))));
    expect(sample.on.push.branches).toEqual(["main"]);
    expect(Object.keys(sample.jobs)).toEqual(["build", "deploy-production"]);
  });

  it("deploys every environment in order, each job in its own GitHub environment with its own role", () => {
    const environments = ENVIRONMENT_SETS[1].environments;
    const flow = workflowFor({}, environments);
    expect(Object.entries(flow.jobs).map(([id, job]: [string, any]) => [id, job.needs, job.environment])).toEqual([
      ["build", undefined, undefined],
      ["deploy-staging", "build", "staging"],
      ["deploy-production", "deploy-staging", "production"],
    ]);
    const jobs = jobsOf(githubStack({}, environments), "refs/heads/main", flow);
    expect(jobs.map((j) => [j.id, j.role.name])).toEqual([
      ["build", "bluegreen-demo-github-push"],
      ["deploy-staging", "bluegreen-demo-staging-github-deploy"],
      ["deploy-production", "bluegreen-demo-github-deploy"],
    ]);
  });

  it("triggers on delivery.branch, and on the tags a subject pattern admits", () => {
    expect(workflowFor({ branch: "release" }).on.push).toEqual({ branches: ["release"] });
    expect(workflowFor({ subjectPattern: "repo:my-org/shop:ref:refs/tags/v*" }).on.push).toEqual({ tags: ["v*"] });
  });

  for (const set of ENVIRONMENT_SETS) {
    for (const mode of TRUST_MODES) {
      describe(`${set.name}, trust mode: ${mode.name}`, () => {
        const s = githubStack(mode.delivery, set.environments);
        const provider = () => valuesOf(s).get(githubActionsOf(s.stack).oidcProviderArn) as string;
        const jobs = jobsOf(s, mode.ref, workflowFor(mode.delivery, set.environments));

        for (const job of jobs) {
          it(`${job.id}: its role admits the job's OIDC subject, and no other role does`, () => {
            expect(admitsWebIdentity(job.role, provider(), { sub: job.subject, aud: OIDC_AUDIENCE }), job.subject).toBe("Allowed");
            for (const other of job.otherRoles) {
              expect(admitsWebIdentity(other, provider(), { sub: job.subject, aud: OIDC_AUDIENCE }), other.name).toBe("ImplicitlyDenied");
            }
          });

          it(`${job.id}: every call it makes is allowed`, async () => {
            expect(job.calls.length).toBeGreaterThan(0);
            for (const call of job.calls) expect(await decide(job.role, call), `${call.action} on ${call.resource}`).toBe("Allowed");
          });
        }

        const deployJobs = jobs.filter((j) => j.environment !== undefined);
        if (deployJobs.length > 1) {
          it("each deploy job's calls on another environment's service, family, group and roles are denied", async () => {
            for (const job of deployJobs) {
              for (const other of deployJobs.filter((o) => o !== job)) {
                for (const call of other.calls.filter((c) => c.resource !== "*" && !c.action.startsWith("codedeploy:GetApplication") && !c.action.startsWith("codedeploy:RegisterApplicationRevision") && !c.action.startsWith("codedeploy:GetDeploymentConfig"))) {
                  expect(await decide(job.role, call), `${job.id} on ${other.id}'s ${call.action} ${call.resource}`).toBe("ImplicitlyDenied");
                }
              }
            }
          });
        }

        it("no role admits another repository, another ref or another audience", () => {
          for (const role of new Set(jobs.map((j) => j.role))) {
            for (const claims of [
              { sub: `repo:my-org/other:ref:${mode.ref}`, aud: OIDC_AUDIENCE },
              { sub: `repo:${REPOSITORY}:ref:refs/heads/feature`, aud: OIDC_AUDIENCE },
              { sub: `repo:${REPOSITORY}:pull_request`, aud: OIDC_AUDIENCE },
              { sub: `repo:${REPOSITORY}:environment:`, aud: OIDC_AUDIENCE },
              { sub: jobs[0].subject, aud: "https://github.com/my-org" },
            ]) {
              expect(admitsWebIdentity(role, provider(), claims), `${role.name}: ${claims.sub} ${claims.aud}`).toBe("ImplicitlyDenied");
            }
          }
        });
      });
    }
  }

  it("least privilege per job: the push role cannot deploy, the deploy role cannot push", async () => {
    const s = githubStack({ githubEnvironment: "production" });
    const [build, deploy] = jobsOf(s, "refs/heads/main", workflowFor({ githubEnvironment: "production" }));
    for (const call of deploy.calls.filter((c) => c.action !== "ecr:GetAuthorizationToken")) {
      expect(await decide(build.role, call), `push role: ${call.action}`).toBe("ImplicitlyDenied");
    }
    for (const call of build.calls.filter((c) => c.action !== "ecr:GetAuthorizationToken")) {
      expect(await decide(deploy.role, call), `deploy role: ${call.action}`).toBe("ImplicitlyDenied");
    }
  });

  it("the deploy role may register only this stack's task family, and pass its roles only to ECS tasks", async () => {
    const s = githubStack({});
    const deploy = jobsOf(s, "refs/heads/main", workflowFor({}))[1];
    const t = environmentTargets(s);
    expect(await decide(deploy.role, { action: "ecs:RegisterTaskDefinition", resource: t.nextRevision.replace(t.family, "someone-else") })).toBe("ImplicitlyDenied");
    expect(await decide(deploy.role, { action: "iam:PassRole", resource: t.taskRoles[0], context: { "iam:PassedToService": "lambda.amazonaws.com" } })).toBe(
      "ImplicitlyDenied",
    );
  });
});

// ---- CodePipeline ---------------------------------------------------------------------------------

/** What AWS documents that each principal of the CodePipeline path calls, by role. */
function pipelineCalls(s: Stack): Array<{ role: string; service: string; calls: Call[] }> {
  const { get, values } = valuesOf(s);
  const stack = s.stack;
  const pipelineName = get(pipelineOf(stack).pipeline.pipeline.name) as string;
  const bucket = get(pipelineOf(stack).artifacts.bucket.arn) as string;
  const repository = get(stack.repository.repository.arn) as string;
  const key = stack.encryptionKey;
  const keyPolicyResource = Object.values(resourcesOf(s.tf, "aws_kms_key_policy"))[0];
  const keyPolicy: IamPolicy | undefined = keyPolicyResource ? JSON.parse(values.evaluate(keyPolicyResource.policy)) : undefined;
  /** A data-key call made by a service on the principal's behalf (S3, Secrets Manager), as kms:ViaService says. */
  const kms = (via: string): Call[] =>
    key
      ? ["kms:Decrypt", "kms:GenerateDataKey"].map((action) => ({
          action,
          resource: get(key.keyArn),
          context: { "kms:ViaService": `${via}.${values.region}.amazonaws.com`, "kms:CallerAccount": "123456789012" },
          ...(keyPolicy ? { resourcePolicy: keyPolicy } : {}),
        }))
      : [];
  const artifact = (name: string) => `${bucket}/${pipelineName.slice(0, 20)}/${name}/Ab12Cd3`;

  const source = pipelineOf(stack).source;
  const sourceCalls: Call[] = [];
  const kind = s.tf.resource.aws_codepipeline[Object.keys(s.tf.resource.aws_codepipeline)[0]].stage[0].action[0].provider as string;
  if (kind === "CodeStarSourceConnection") {
    const connection = s.tf.resource.aws_codepipeline[Object.keys(s.tf.resource.aws_codepipeline)[0]].stage[0].action[0].configuration.ConnectionArn;
    sourceCalls.push({ action: "codestar-connections:UseConnection", resource: values.evaluate(connection) });
  } else if (kind === "CodeCommit") {
    const repo = get((source as unknown as { repositoryArn: string }).repositoryArn);
    for (const action of ["codecommit:GetBranch", "codecommit:GetCommit", "codecommit:UploadArchive", "codecommit:GetUploadArchiveStatus"]) {
      sourceCalls.push({ action, resource: repo });
    }
  } else if (kind === "S3") {
    const configuration = s.tf.resource.aws_codepipeline[Object.keys(s.tf.resource.aws_codepipeline)[0]].stage[0].action[0].configuration;
    const sourceBucket = `arn:aws:s3:::${values.evaluate(configuration.S3Bucket)}`;
    sourceCalls.push(
      { action: "s3:GetObject", resource: `${sourceBucket}/${values.evaluate(configuration.S3ObjectKey)}` },
      { action: "s3:GetObjectVersion", resource: `${sourceBucket}/${values.evaluate(configuration.S3ObjectKey)}` },
      { action: "s3:GetBucketVersioning", resource: sourceBucket },
    );
  }

  const deployCalls = stack.environments.flatMap((_, i) => {
    const t = environmentTargets(s, i);
    return [
      { action: "s3:GetObject", resource: artifact("build") },
      { action: "ecs:RegisterTaskDefinition", resource: t.nextRevision },
      ...passTaskRoles(t.taskRoles),
      { action: "codedeploy:CreateDeployment", resource: t.group },
      { action: "codedeploy:GetDeployment", resource: t.group },
      { action: "codedeploy:GetApplication", resource: t.application },
      { action: "codedeploy:GetApplicationRevision", resource: t.application },
      { action: "codedeploy:RegisterApplicationRevision", resource: t.application },
      { action: "codedeploy:GetDeploymentConfig", resource: t.deploymentConfig },
    ];
  });
  const approvals: Call[] = pipelineOf(stack).pipeline.approvalTopic ? [{ action: "sns:Publish", resource: get(pipelineOf(stack).pipeline.approvalTopic!.topic.arn) }] : [];

  const buildLogGroup = get(pipelineOf(stack).build.logGroup.name) as string;
  const buildCalls: Call[] = [
    { action: "logs:CreateLogStream", resource: `arn:aws:logs:${values.region}:123456789012:log-group:${buildLogGroup}:log-stream:build/1` },
    { action: "logs:PutLogEvents", resource: `arn:aws:logs:${values.region}:123456789012:log-group:${buildLogGroup}:log-stream:build/1` },
    { action: "s3:GetObject", resource: artifact("source") },
    { action: "s3:PutObject", resource: artifact("build") },
    ...kms("s3"),
    { action: "ecr:GetAuthorizationToken", resource: "*" },
    ...PUSH_ACTIONS.map((action) => ({ action, resource: repository })),
    // A local or S3 cache and a full clone add calls of their own.
    ...(s.tf.resource.aws_codebuild_project[Object.keys(s.tf.resource.aws_codebuild_project)[0]].cache?.type === "S3"
      ? [
          { action: "s3:GetObject", resource: `${bucket}/build-cache/abc` },
          { action: "s3:PutObject", resource: `${bucket}/build-cache/abc` },
        ]
      : []),
    ...(JSON.stringify(s.tf.resource.aws_codepipeline).includes('"OutputArtifactFormat":"CODEBUILD_CLONE_REF"') ? sourceCalls : []),
  ];

  const codeDeploy = stack.environments.map((env, i) => {
    const t = environmentTargets(s, i);
    return {
      role: get(env.deployment.role.role.name) as string,
      service: "codedeploy.amazonaws.com",
      calls: [
        { action: "ecs:DescribeServices", resource: t.service },
        { action: "ecs:CreateTaskSet", resource: t.taskSet },
        { action: "ecs:UpdateServicePrimaryTaskSet", resource: t.service },
        { action: "ecs:DeleteTaskSet", resource: t.taskSet },
        ...["DescribeListeners", "DescribeRules", "DescribeTargetGroups", "DescribeTargetHealth"].map((a) => ({ action: `elasticloadbalancing:${a}`, resource: "*" })),
        ...t.listeners.map((resource) => ({ action: "elasticloadbalancing:ModifyListener", resource })),
        ...passTaskRoles(t.taskRoles),
        { action: "s3:GetObject", resource: artifact("build") },
        ...kms("s3"),
        ...releaseSafetyCalls(s, i),
        ...kms("sns"),
      ] as Call[],
    };
  });

  // The smoke-test hook: report to CodeDeploy, write its own log group (and, in a VPC, attach to it).
  const smokeTests = stack.environments.flatMap((env) => {
    const hook = env.smokeTest;
    if (!hook) return [];
    const logGroup = get(hook.logGroup.arn) as string;
    const vpcCalls: Call[] = hook.securityGroup
      ? [
          { action: "ec2:CreateNetworkInterface", resource: `arn:aws:ec2:${values.region}:123456789012:network-interface/eni-0123456789abcdef0` },
          { action: "ec2:CreateNetworkInterface", resource: get(hook.securityGroup.arn) },
          { action: "ec2:CreateNetworkInterface", resource: `arn:aws:ec2:${values.region}:123456789012:subnet/${get(stack.network.privateSubnetIds[0])}` },
          { action: "ec2:DescribeNetworkInterfaces", resource: "*" },
          { action: "ec2:DeleteNetworkInterface", resource: `arn:aws:ec2:${values.region}:123456789012:network-interface/eni-0123456789abcdef0` },
        ]
      : [];
    return [
      {
        role: get(hook.role.role.name) as string,
        service: "lambda.amazonaws.com",
        calls: [
          { action: "codedeploy:PutLifecycleEventHookExecutionStatus", resource: "*" },
          { action: "logs:CreateLogStream", resource: `${logGroup}:log-stream:2026/11/26/[$LATEST]0123` },
          { action: "logs:PutLogEvents", resource: `${logGroup}:log-stream:2026/11/26/[$LATEST]0123` },
          ...vpcCalls,
        ] as Call[],
      },
    ];
  });

  const executionRoles = stack.environments.map((env) => {
    const database = env.database;
    return {
      role: get(env.service.executionRole.role.name) as string,
      service: "ecs-tasks.amazonaws.com",
      calls: [
        { action: "ecr:GetAuthorizationToken", resource: "*" },
        ...["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"].map((action) => ({ action, resource: repository })),
        { action: "logs:CreateLogStream", resource: `${get(env.service.logGroup.arn)}:log-stream:ecs/app/1` },
        { action: "logs:PutLogEvents", resource: `${get(env.service.logGroup.arn)}:log-stream:ecs/app/1` },
        ...(database ? [{ action: "secretsmanager:GetSecretValue", resource: get(database.secretArn) }, ...kms("secretsmanager")] : []),
      ] as Call[],
    };
  });

  return [
    {
      role: get(pipelineOf(stack).pipeline.role.role.name),
      service: "codepipeline.amazonaws.com",
      calls: [
        ...sourceCalls,
        { action: "s3:PutObject", resource: artifact("source") },
        ...kms("s3"),
        { action: "codebuild:StartBuild", resource: get(pipelineOf(stack).build.project.arn) },
        { action: "codebuild:BatchGetBuilds", resource: get(pipelineOf(stack).build.project.arn) },
        ...approvals,
        ...deployCalls,
      ],
    },
    { role: get(pipelineOf(stack).build.role.role.name), service: "codebuild.amazonaws.com", calls: buildCalls },
    ...codeDeploy,
    ...smokeTests,
    ...executionRoles,
  ];
}

/**
 * What CodeDeploy does for safe releases in one environment, with its service role: invoke each lifecycle
 * hook of the AppSpec, read the alarms it watches, publish its triggers to the release topic.
 */
function releaseSafetyCalls(s: Stack, index: number): Call[] {
  const { get } = valuesOf(s);
  const env = s.stack.environments[index];
  const group = s.tf.resource.aws_codedeploy_deployment_group[env.deployment.deploymentGroup.friendlyUniqueId];
  const region = new TerraformValues(s.tf).region;
  const hooks = JSON.parse(String(get(appSpecHooksLine(env.deployment.hooks))).replace(/^Hooks: /, "") || "[]") as Array<Record<string, string>>;
  const alarms = (new TerraformValues(s.tf).evaluate(group.alarm_configuration?.alarms ?? []) as string[]);
  return [
    ...hooks.map((hook) => {
      const fn = Object.values(hook)[0];
      return { action: "lambda:InvokeFunction", resource: fn.startsWith("arn:") ? fn : `arn:aws:lambda:${region}:123456789012:function:${fn}` };
    }),
    ...alarms.map((name) => ({ action: "cloudwatch:DescribeAlarms", resource: `arn:aws:cloudwatch:${region}:123456789012:alarm:${name}` })),
    { action: "sns:Publish", resource: get(s.stack.notifications.topic.arn) },
  ];
}

const PIPELINE_CONFIGS: Array<[string, () => Stack]> = [
  ["default (CodeStar source)", () => synth()],
  ["seed 000 (GitHub OAuth, no NAT)", () => synthFile(("examples/seed-000-github-oauth.json"))],
  ["seed 001 (database, customer-managed key)", () => synthFile(("examples/seed-001-postgres-codestar.json"))],
  ["seed 002 (two environments, approval, full clone, S3 cache)", () => synthFile(("examples/seed-002-staging-production.json"))],
  ["seed 003 (CodeCommit, manual reroute)", () => synthFile(("examples/seed-003-codecommit-manual-reroute.json"))],
  ["S3 source", () => synth({ source: { kind: "s3" } })],
];

describe("CodePipeline delivery, call by call (pipeline, build, CodeDeploy and task execution roles)", () => {
  for (const [name, make] of PIPELINE_CONFIGS) {
    describe(name, () => {
      let s: Stack;
      let principals: ReturnType<typeof pipelineCalls>;
      beforeAll(() => {
        s = make();
        principals = pipelineCalls(s);
      });

      it("each role is assumable by its service", async () => {
        const roles = stackRoles(s);
        for (const p of principals) expect(await admitsService(roleNamed(roles, p.role), p.service), p.role).toBe("Allowed");
      });

      it("every call each role makes is allowed", async () => {
        const roles = stackRoles(s);
        for (const p of principals) {
          const role = roleNamed(roles, p.role);
          for (const call of p.calls) expect(await decide(role, call), `${p.role}: ${call.action} on ${call.resource}`).toBe("Allowed");
        }
      });
    });
  }

  it("the pipeline role may not register another family's task definitions nor deploy to another group", async () => {
    const s = synth();
    const roles = stackRoles(s);
    const role = roleNamed(roles, valuesOf(s).get(pipelineOf(s.stack).pipeline.role.role.name));
    const t = environmentTargets(s);
    expect(await decide(role, { action: "ecs:RegisterTaskDefinition", resource: t.nextRevision.replace(t.family, "other") })).toBe("ImplicitlyDenied");
    expect(await decide(role, { action: "codedeploy:CreateDeployment", resource: t.group.replace(/\/[^/]+$/, "/other") })).toBe("ImplicitlyDenied");
  });
});
