import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CodeDeployClient, GetDeploymentGroupCommand } from "@aws-sdk/client-codedeploy";
import { CodePipelineClient, GetPipelineCommand } from "@aws-sdk/client-codepipeline";
import { CodeStarConnectionsClient, GetConnectionCommand } from "@aws-sdk/client-codestar-connections";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeListenersCommand, DescribeLoadBalancerAttributesCommand, ElasticLoadBalancingV2Client, Listener } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetBucketLoggingCommand, GetPublicAccessBlockCommand, S3Client } from "@aws-sdk/client-s3";
import { GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { StackConfig } from "../../src/config";
import { stageName } from "../../src/delivery/delivery-pipeline";
import { githubEnvironmentsOf } from "../../src/delivery/delivery-config";
import { deployRoleNames, oidcSubjects } from "../../src/delivery/github-actions-delivery";
import { physicalName } from "../../src/core/naming";
import { TLS_POLICY } from "../../src/network/load-balancer";
import { DEPLOYMENT_TRIGGER_EVENTS } from "../../src/release-safety/release-notifications";
import { writableVolumeName } from "../../src/service/service-config";
import { one, StateResource } from "./state";

/** How every SDK client reaches moto. */
export interface ClientConfig {
  readonly region: string;
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** One environment's key objects, located through the Terraform state. */
export interface Deployed {
  readonly environment: string;
  readonly clusterArn: string;
  readonly serviceName: string;
  readonly blueTargetGroupArn: string;
  readonly greenTargetGroupArn: string;
  readonly blueTargetGroupName: string;
  readonly greenTargetGroupName: string;
  readonly productionListenerArn: string;
  readonly testListenerArn: string;
  readonly codedeployApp: string;
  readonly deploymentGroup: string;
  readonly taskFamily: string;
  readonly containerName: string;
  /** The smoke-test function and the test listener URL it must call; absent when the smoke test is off. */
  readonly smokeTest?: { readonly functionName: string; readonly testUrl: string };
  /** Every alarm the deployment group must watch (built-in and the user's), sorted. */
  readonly alarmNames: string[];
  /** The stack's own alarms for this environment, sorted. */
  readonly builtInAlarms: string[];
  /** The deployment group's CodeDeploy role. */
  readonly codedeployRoleArn: string;
  /** With a domain: the load balancer and the ports that serve TLS, and the one that redirects. */
  readonly https?: { readonly loadBalancerArn: string; readonly port: number; readonly redirectPort: number; readonly testPort: number };
  /** With `accessLogs`: the load balancer and the prefix of the log bucket it logs under. */
  readonly accessLogs?: { readonly loadBalancerArn: string; readonly prefix: string };
  /** With a read-only root filesystem: the volumes the task definition keeps writable. */
  readonly writableVolumes?: string[];
}

/** What the whole stack shares. */
export interface DeployedStack {
  /** Absent with GitHub Actions delivery, as are the stages and bucket. */
  readonly pipelineName?: string;
  readonly expectedStages: string[];
  readonly bucket?: string;
  /** With GitHub Actions delivery: the push and deploy roles and the OIDC subject each trust must name. */
  readonly githubRoles?: Array<{ readonly name: string; readonly subject: string }>;
  readonly connectionArn?: string;
  readonly releaseTopicArn: string;
  /** The EventBridge rule announcing pipeline outcomes, with CodePipeline. */
  readonly pipelineRule?: { readonly name: string; readonly arn: string };
  /** With `accessLogs`: the log bucket. */
  readonly accessLogBucket?: string;
  readonly environments: Deployed[];
}

/** Finds each environment's objects by the physical names the stack gives them. */
export function locate(resources: StateResource[], config: StackConfig): DeployedStack {
  const environments = config.environments.map((env): Deployed => {
    const prefix = `${config.appName}-${env.name}`;
    const tg = (color: string) => one(resources, "aws_lb_target_group", (v) => v.name === physicalName("targetGroup", prefix, color));
    const alb = one(resources, "aws_lb", (v) => v.name === physicalName("loadBalancer", prefix, "alb"));
    const listener = (port: number) =>
      one(resources, "aws_lb_listener", (v) => v.load_balancer_arn === alb.arn && Number(v.port) === port);
    const service = one(resources, "aws_ecs_service", (v) => v.name === physicalName("ecsService", prefix));
    const group = one(resources, "aws_codedeploy_deployment_group", (v) => v.ecs_service[0].service_name === service.name);
    const smokeTestName = physicalName("lambdaFunction", prefix, "smoke-test");
    const alarms = resources.filter((r) => r.type === "aws_cloudwatch_metric_alarm" && String(r.values.alarm_name).startsWith(`${prefix}-`));
    return {
      environment: env.name,
      clusterArn: service.cluster,
      serviceName: service.name,
      blueTargetGroupArn: tg("blue").arn,
      greenTargetGroupArn: tg("green").arn,
      blueTargetGroupName: tg("blue").name,
      greenTargetGroupName: tg("green").name,
      productionListenerArn: listener(env.loadBalancer.domainName ? env.loadBalancer.httpsPort : env.loadBalancer.productionPort).arn,
      testListenerArn: listener(env.loadBalancer.testPort).arn,
      codedeployApp: group.app_name,
      deploymentGroup: group.deployment_group_name,
      taskFamily: one(resources, "aws_ecs_task_definition", (v) => v.family === physicalName("taskFamily", prefix)).family,
      containerName: service.load_balancer[0].container_name,
      smokeTest: env.deployment.smokeTest.enabled
        ? {
            functionName: smokeTestName,
            testUrl: env.loadBalancer.domainName
              ? `https://${env.loadBalancer.domainName}:${env.loadBalancer.testPort}`
              : `http://${alb.dns_name}:${env.loadBalancer.testPort}`,
          }
        : undefined,
      https: env.loadBalancer.domainName
        ? { loadBalancerArn: alb.arn, port: env.loadBalancer.httpsPort, redirectPort: env.loadBalancer.productionPort, testPort: env.loadBalancer.testPort }
        : undefined,
      alarmNames: [...alarms.map((a) => a.values.alarm_name as string), ...env.deployment.alarmNames].sort(),
      builtInAlarms: alarms.map((a) => a.values.alarm_name as string).sort(),
      codedeployRoleArn: group.service_role_arn,
      accessLogs: config.accessLogs.enabled ? { loadBalancerArn: alb.arn, prefix: `alb/${env.name}` } : undefined,
      writableVolumes: env.service.readonlyRootFilesystem ? env.service.writablePaths.map(writableVolumeName) : undefined,
    };
  });
  const topic = one(resources, "aws_sns_topic", (v) => v.name === physicalName("snsTopic", config.appName, "releases"));
  const rule = resources.find((r) => r.type === "aws_cloudwatch_event_rule" && r.values.name === physicalName("eventRule", config.appName, "pipeline-outcome"));
  const logBucket = resources.find((r) => r.type === "aws_s3_bucket" && String(r.values.bucket).startsWith(physicalName("bucketPrefix", config.appName, "logs-")));
  const release = {
    releaseTopicArn: topic.arn as string,
    pipelineRule: rule ? { name: rule.values.name as string, arn: rule.values.arn as string } : undefined,
    accessLogBucket: logBucket?.values.bucket as string | undefined,
  };
  const connection = resources.find((r) => r.type === "aws_codestarconnections_connection");
  const delivery = config.delivery;
  if (delivery.mode === "github-actions") {
    return {
      expectedStages: [],
      githubRoles: (() => {
        const subjects = oidcSubjects({ ...delivery, repository: delivery.repository! }, githubEnvironmentsOf(config.environments, delivery.githubEnvironment));
        const deployRoles = deployRoleNames(config.appName, config.environments.map((env) => env.name));
        return [
          { name: physicalName("iamRole", config.appName, "github-push"), subject: subjects.push },
          ...deployRoles.map((name, i) => ({ name, subject: subjects.deploy[i] })),
        ];
      })(),
      ...release,
      environments,
    };
  }
  return {
    pipelineName: one(resources, "aws_codepipeline").name,
    expectedStages: [
      "Source",
      "Build",
      ...config.environments.flatMap((env) => [...(env.approval ? [stageName("Approve", env.name)] : []), stageName("Deploy_to", env.name)]),
    ],
    bucket: one(resources, "aws_s3_bucket", (v) => v.bucket.startsWith(physicalName("bucketPrefix", config.appName, "artifacts-"))).bucket,
    connectionArn: connection?.values.arn,
    ...release,
    environments,
  };
}

/**
 * One environment's release safety as the APIs report it: the smoke-test function calls this environment's
 * test listener; the deployment group watches its alarms, rolls back on failure and on alarm, and announces
 * its deployments on the release topic.
 */
function releaseSafetyChecks(stack: DeployedStack, d: Deployed, clientConfig: ClientConfig): Array<Promise<Check>> {
  const named = (what: string) => `${d.environment}: ${what}`;
  const group = async () =>
    (await new CodeDeployClient(clientConfig).send(new GetDeploymentGroupCommand({ applicationName: d.codedeployApp, deploymentGroupName: d.deploymentGroup })))
      .deploymentGroupInfo;
  const checks = [
    check(named("deployment group watches its alarms and rolls back on failure and on alarm"), async () => {
      const g = await group();
      return (
        differs("alarms", (g?.alarmConfiguration?.alarms ?? []).map((a) => a.name).sort(), d.alarmNames) ??
        // Events are a set: AWS returns them in any order.
        differs("rollback", [g?.autoRollbackConfiguration?.enabled, [...(g?.autoRollbackConfiguration?.events ?? [])].sort()], [
          true,
          d.alarmNames.length ? ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] : ["DEPLOYMENT_FAILURE"],
        ])
      );
    }),
    check(named("deployment group announces start, success, failure, stop and rollback on the release topic"), async () => {
      const trigger = (await group())?.triggerConfigurations?.[0];
      return differs("trigger", [trigger?.triggerTargetArn, [...(trigger?.triggerEvents ?? [])].sort()], [stack.releaseTopicArn, [...DEPLOYMENT_TRIGGER_EVENTS].sort()]);
    }),
    check(named("its alarms exist, on its load balancer's target groups"), async () => {
      const own = d.builtInAlarms;
      if (!own.length) return undefined;
      const { MetricAlarms } = await new CloudWatchClient(clientConfig).send(new DescribeAlarmsCommand({ AlarmNames: own }));
      const groups = new Set([d.blueTargetGroupArn, d.greenTargetGroupArn].map((arn) => arn.split(":").pop()));
      const onTargetGroups = (MetricAlarms ?? []).filter((a) => groups.has(a.Dimensions?.find((x) => x.Name === "TargetGroup")?.Value));
      return differs("alarms on the target groups", onTargetGroups.map((a) => a.AlarmName).sort(), own);
    }),
  ];
  const smokeTest = d.smokeTest;
  if (smokeTest) {
    checks.push(
      check(named("smoke-test function calls this environment's test listener"), async () => {
        const fn = await new LambdaClient(clientConfig).send(new GetFunctionConfigurationCommand({ FunctionName: smokeTest.functionName }));
        return differs("TARGET_URL", fn.Environment?.Variables?.TARGET_URL, smokeTest.testUrl) ?? differs("handler", fn.Handler, "index.handler");
      }),
    );
  }
  return checks;
}

/** With a domain: production and test serve TLS with the stack's policy and a certificate; the HTTP port redirects. */
/** The load balancer's access logs and the task's read-only root filesystem, as ELB and ECS report them (issue 22). */
function securityBaselineChecks(stack: DeployedStack, d: Deployed, clientConfig: ClientConfig): Array<Promise<Check>> {
  const named = (what: string) => `${d.environment}: ${what}`;
  const checks: Array<Promise<Check>> = [];
  const logs = d.accessLogs;
  if (logs) {
    checks.push(
      check(named(`load balancer logs its requests to the log bucket under ${logs.prefix}`), async () => {
        const { Attributes } = await new ElasticLoadBalancingV2Client(clientConfig).send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: logs.loadBalancerArn }));
        const value = (key: string) => Attributes?.find((a) => a.Key === key)?.Value;
        return differs("access logs", ["enabled", "bucket", "prefix"].map((k) => value(`access_logs.s3.${k}`)), ["true", stack.accessLogBucket, logs.prefix]);
      }),
    );
  }
  const volumes = d.writableVolumes;
  if (volumes) {
    checks.push(
      check(named(`task definition runs the container read-only, writing only to ${volumes.join(", ")}`), async () => {
        const { taskDefinition } = await new ECSClient(clientConfig).send(new DescribeTaskDefinitionCommand({ taskDefinition: d.taskFamily }));
        const container = taskDefinition?.containerDefinitions?.[0];
        return (
          differs("readonlyRootFilesystem", container?.readonlyRootFilesystem, true) ??
          differs("volumes", taskDefinition?.volumes?.map((v) => v.name), volumes) ??
          differs("mount points", container?.mountPoints?.map((m) => m.sourceVolume), volumes)
        );
      }),
    );
  }
  return checks;
}

function httpsCheck(d: Deployed, elb: ElasticLoadBalancingV2Client): Promise<Check> {
  const https = d.https!;
  return check(`${d.environment}: production (${https.port}) and test (${https.testPort}) serve HTTPS, ${https.redirectPort} redirects to HTTPS`, async () => {
    const { Listeners } = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: https.loadBalancerArn }));
    const byPort = new Map((Listeners ?? []).map((l) => [l.Port, l]));
    const tls = (port: number) => {
      const l = byPort.get(port);
      return [l?.Protocol, l?.SslPolicy, !!l?.Certificates?.[0]?.CertificateArn];
    };
    const redirect = byPort.get(https.redirectPort)?.DefaultActions?.[0];
    return (
      differs("production", tls(https.port), ["HTTPS", TLS_POLICY, true]) ??
      differs("test", tls(https.testPort), ["HTTPS", TLS_POLICY, true]) ??
      differs("redirect", [redirect?.Type, redirect?.RedirectConfig?.Protocol, redirect?.RedirectConfig?.Port, redirect?.RedirectConfig?.StatusCode], [
        "redirect",
        "HTTPS",
        String(https.port),
        "HTTP_301",
      ])
    );
  });
}

/** Where a listener's default action forwards to. */
export function forwardTarget(listener: Listener | undefined): string | undefined {
  const action = listener?.DefaultActions?.[0];
  return action?.TargetGroupArn ?? action?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
}

export async function describeListener(elb: ElasticLoadBalancingV2Client, arn: string): Promise<Listener | undefined> {
  const out = await elb.send(new DescribeListenersCommand({ ListenerArns: [arn] }));
  return out.Listeners?.[0];
}

export async function check(name: string, body: () => Promise<string | undefined>): Promise<Check> {
  try {
    const problem = await body();
    return { name, ok: problem === undefined, detail: problem };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message };
  }
}

export function differs(what: string, actual: unknown, expected: unknown): string | undefined {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  return a === e ? undefined : `${what}: got ${a}, expected ${e}`;
}

/** Checks, through the AWS API, that what the apply created is wired as the stack intends. */
/**
 * The stack's wiring as the AWS APIs report it. A fresh stack serves from blue; after deployments
 * (`deployed`) either group may serve, as long as the service, production and test agree.
 */
export async function checkWiring(stack: DeployedStack, clientConfig: ClientConfig, deployed = false): Promise<Check[]> {
  const ecs = new ECSClient(clientConfig);
  const elb = new ElasticLoadBalancingV2Client(clientConfig);
  const codedeploy = new CodeDeployClient(clientConfig);
  const pipeline = new CodePipelineClient(clientConfig);
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const codestar = new CodeStarConnectionsClient(clientConfig);

  const perEnvironment = stack.environments.flatMap((d) => {
    const named = (what: string) => `${d.environment}: ${what}`;
    const serving = async () => {
      const production = forwardTarget(await describeListener(elb, d.productionListenerArn));
      return deployed && production === d.greenTargetGroupArn
        ? { side: "green", arn: d.greenTargetGroupArn, other: d.blueTargetGroupArn }
        : { side: "blue", arn: d.blueTargetGroupArn, other: d.greenTargetGroupArn };
    };
    const servingName = deployed ? "the serving" : "the blue";
    return [
      check(named("ECS service uses the CODE_DEPLOY controller"), async () => {
        const { services } = await ecs.send(new DescribeServicesCommand({ cluster: d.clusterArn, services: [d.serviceName] }));
        return differs("deploymentController", services?.[0]?.deploymentController?.type, "CODE_DEPLOY");
      }),
      check(named(`ECS service is attached to ${servingName} target group only`), async () => {
        const { services } = await ecs.send(new DescribeServicesCommand({ cluster: d.clusterArn, services: [d.serviceName] }));
        return differs("loadBalancers", services?.[0]?.loadBalancers?.map((lb) => lb.targetGroupArn), [(await serving()).arn]);
      }),
      check(named(`production listener forwards to ${deployed ? "blue or green" : "blue"}`), async () =>
        differs("production", forwardTarget(await describeListener(elb, d.productionListenerArn)), (await serving()).arn),
      ),
      check(named(`test listener forwards to ${deployed ? "the other group" : "green"}`), async () =>
        differs("test", forwardTarget(await describeListener(elb, d.testListenerArn)), (await serving()).other),
      ),
      check(named("deployment group names both target groups and both listeners, BLUE_GREEN with traffic control"), async () => {
        const { deploymentGroupInfo: g } = await codedeploy.send(
          new GetDeploymentGroupCommand({ applicationName: d.codedeployApp, deploymentGroupName: d.deploymentGroup }),
        );
        const pair = g?.loadBalancerInfo?.targetGroupPairInfoList?.[0];
        return (
          differs("target groups", pair?.targetGroups?.map((t) => t.name), [d.blueTargetGroupName, d.greenTargetGroupName]) ??
          differs("prod route", pair?.prodTrafficRoute?.listenerArns, [d.productionListenerArn]) ??
          differs("test route", pair?.testTrafficRoute?.listenerArns, [d.testListenerArn]) ??
          differs("style", g?.deploymentStyle, { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" })
        );
      }),
      ...releaseSafetyChecks(stack, d, clientConfig),
      ...(d.https ? [httpsCheck(d, elb)] : []),
      ...securityBaselineChecks(stack, d, clientConfig),
    ];
  });

  perEnvironment.push(
    check("release topic admits only the CodeDeploy roles and the pipeline-outcome rule", async () => {
      const { Attributes } = await new SNSClient(clientConfig).send(new GetTopicAttributesCommand({ TopicArn: stack.releaseTopicArn }));
      const statements = JSON.parse(Attributes?.Policy ?? "{}").Statement ?? [];
      const principals = (st: any) => [st.Principal?.AWS ?? st.Principal?.Service].flat().sort();
      const expected: Array<[string[], string | undefined]> = [[stack.environments.map((e) => e.codedeployRoleArn).sort(), undefined]];
      if (stack.pipelineRule) expected.push([["events.amazonaws.com"], stack.pipelineRule.arn]);
      return differs(
        "publishers",
        statements.map((st: any) => [principals(st), st.Condition?.ArnEquals?.["aws:SourceArn"]]),
        expected,
      );
    }),
  );
  if (stack.pipelineRule) {
    const rule = stack.pipelineRule;
    perEnvironment.push(
      check("pipeline outcomes reach the release topic (EventBridge target)", async () => {
        const { Targets } = await new EventBridgeClient(clientConfig).send(new ListTargetsByRuleCommand({ Rule: rule.name }));
        return differs("targets", Targets?.map((t) => t.Arn), [stack.releaseTopicArn]);
      }),
    );
  }

  if (stack.githubRoles) {
    return Promise.all([
      ...perEnvironment,
      ...stack.githubRoles.map((role) => check(`GitHub role ${role.name} trusts only ${role.subject}`, async () => {
        const { Role } = await new IAMClient(clientConfig).send(new GetRoleCommand({ RoleName: role.name }));
        const trust = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? "{}"));
        const subjects = trust.Statement?.flatMap((st: any) => Object.values(st.Condition ?? {}).map((c: any) => c["token.actions.githubusercontent.com:sub"]));
        return differs("subjects", subjects.filter(Boolean), [role.subject]);
      })),
    ]);
  }
  return Promise.all([
    ...perEnvironment,
    check(`pipeline stages are ${stack.expectedStages.join(", ")} in order`, async () => {
      const { pipeline: p } = await pipeline.send(new GetPipelineCommand({ name: stack.pipelineName }));
      return differs("stages", p?.stages?.map((s) => s.name), stack.expectedStages);
    }),
    check("artifact bucket blocks all public access", async () => {
      const out = await s3.send(new GetPublicAccessBlockCommand({ Bucket: stack.bucket }));
      return differs("public access block", out.PublicAccessBlockConfiguration, {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
    }),
    ...(stack.accessLogBucket
      ? [
          check("artifact bucket logs its requests to the log bucket under s3/artifacts/", async () => {
            const { LoggingEnabled } = await s3.send(new GetBucketLoggingCommand({ Bucket: stack.bucket }));
            return differs("logging", [LoggingEnabled?.TargetBucket, LoggingEnabled?.TargetPrefix], [stack.accessLogBucket, "s3/artifacts/"]);
          }),
        ]
      : []),
    ...(stack.connectionArn
      ? [
          check("CodeStar connection exists and awaits activation (PENDING)", async () => {
            const out = await codestar.send(new GetConnectionCommand({ ConnectionArn: stack.connectionArn }));
            return differs("status", out.Connection?.ConnectionStatus, "PENDING");
          }),
        ]
      : []),
  ]);
}
