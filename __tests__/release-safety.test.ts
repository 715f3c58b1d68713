import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { parseConfig } from "../src/config";
import { functionZip } from "../src/release-safety/function-zip";
import { SMOKE_TEST_RUNTIME, SMOKE_TEST_SOURCE_DIR } from "../src/release-safety/smoke-test-hook";
import { pipelineOf, policyDocument, rawConfig, resourceByRef, resourcesOf, roleStatements, synth, Synthesized } from "./helpers";
import { decide, roleNamed, stackRoles } from "./iam-simulation";
import { TerraformValues } from "./terraform-values";
import { appSpecHooksLine } from "../src/traffic-control/appspec";

const OPEN_TEST_LISTENER = { loadBalancer: { testAllowedCidrs: ["0.0.0.0/0"] } };

function bad(overrides: Record<string, unknown>): string {
  try {
    parseConfig(rawConfig(overrides));
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("config was accepted");
}

const get = (s: Synthesized, token: unknown) => new TerraformValues(s.tf).evaluate(s.ref(token));

describe("smoke-test hook", () => {
  it("runs the handler from a zip asset whose hash Terraform checks, on a current runtime, with a timeout beyond its budget", () => {
    const s = synth(OPEN_TEST_LISTENER);
    const hook = s.stack.environments[0].smokeTest!;
    const fn = resourceByRef(s.tf, s.ref(hook.function.arn));
    const zip = functionZip(SMOKE_TEST_SOURCE_DIR, `${process.cwd()}/.tmp/test-smoke-test.zip`);
    expect(fn).toMatchObject({
      runtime: SMOKE_TEST_RUNTIME,
      handler: "index.handler",
      timeout: 60 + 30,
      source_code_hash: Buffer.from(zip.sha256, "hex").toString("base64"),
    });
    // Lambda writes to /aws/lambda/<function name>: the log group the stack creates, with its retention.
    expect(resourceByRef(s.tf, s.ref(hook.logGroup.arn)).name).toBe(`/aws/lambda/${fn.function_name}`);
    expect(SMOKE_TEST_RUNTIME).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    // cdktf copies the asset into the stack's output folder; the path is relative to it.
    expect(fn.filename).toMatch(/^assets\/.+\/smoke-test\.zip$/);
    expect(createHash("sha256").update(readFileSync(zip.path)).digest("hex")).toBe(zip.sha256);
  });

  it("requests the test listener on the health-check path and expects the health-check codes, unless told otherwise", () => {
    const s = synth({ ...OPEN_TEST_LISTENER, loadBalancer: { ...OPEN_TEST_LISTENER.loadBalancer, healthCheckPath: "/health", healthCheckMatcher: "200-299" } });
    const env = s.stack.environments[0];
    const variables = resourceByRef(s.tf, s.ref(env.smokeTest!.function.arn)).environment.variables;
    expect(variables).toEqual({
      TARGET_URL: s.ref(env.testUrl),
      PATHS: '["/health"]',
      EXPECTED_STATUS: "200-299",
      TIME_BUDGET_SECONDS: "60",
      ATTEMPTS: "3",
    });
    const custom = synth({ deployment: { smokeTest: { paths: ["/", "/api/ping"], expectedStatus: "204", timeBudgetSeconds: 120, attempts: 5 } } });
    const fn = resourceByRef(custom.tf, custom.ref(custom.stack.environments[0].smokeTest!.function.arn));
    expect(fn.environment.variables).toMatchObject({ PATHS: '["/","/api/ping"]', EXPECTED_STATUS: "204", TIME_BUDGET_SECONDS: "120", ATTEMPTS: "5" });
    expect(fn.timeout).toBe(150);
  });

  it("its role reports hook results and writes its own log group, nothing else", async () => {
    const s = synth(OPEN_TEST_LISTENER);
    const hook = s.stack.environments[0].smokeTest!;
    const statements = roleStatements(s.tf, s.ref(hook.role.role.id) as string);
    expect(statements.flatMap((st) => st.actions).sort()).toEqual([
      "codedeploy:PutLifecycleEventHookExecutionStatus",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      // X-Ray active tracing (CKV_AWS_50), on by default.
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
    const role = roleNamed(stackRoles(s), get(s, hook.role.role.name));
    const otherGroup = (get(s, hook.logGroup.arn) as string).replace("smoke-test", "other");
    expect(await decide(role, { action: "logs:PutLogEvents", resource: `${otherGroup}:log-stream:x` })).toBe("ImplicitlyDenied");
    expect(await decide(role, { action: "codedeploy:CreateDeployment", resource: get(s, s.stack.environments[0].deployment.deploymentGroup.arn) })).toBe("ImplicitlyDenied");
    expect(await decide(role, { action: "lambda:InvokeFunction", resource: get(s, hook.function.arn) })).toBe("ImplicitlyDenied");
  });

  it("outside the VPC when the test listener admits the internet: no VPC config, no extra ingress", () => {
    const s = synth(OPEN_TEST_LISTENER);
    const env = s.stack.environments[0];
    expect(resourceByRef(s.tf, s.ref(env.smokeTest!.function.arn)).vpc_config).toBeUndefined();
    expect(env.smokeTest!.securityGroup).toBeUndefined();
    const testRules = Object.values(resourcesOf(s.tf, VpcSecurityGroupIngressRule.tfResourceType)).filter((r) => r.from_port === 8080);
    expect(testRules.map((r) => r.cidr_ipv4)).toEqual(["0.0.0.0/0"]);
  });

  it("with testAllowedCidrs narrowed: in the private subnets, and the test listener admits exactly the NAT gateways' addresses", () => {
    const s = synth({ network: { natGateways: "one-per-az" }, loadBalancer: { testAllowedCidrs: ["198.51.100.0/24"] } });
    const env = s.stack.environments[0];
    const hook = env.smokeTest!;
    const fn = resourceByRef(s.tf, s.ref(hook.function.arn));
    expect(fn.vpc_config).toEqual({
      subnet_ids: s.stack.network.privateSubnetIds.map((id) => s.ref(id)),
      security_group_ids: [s.ref(hook.securityGroup!.id)],
    });
    const testRules = Object.values(resourcesOf(s.tf, VpcSecurityGroupIngressRule.tfResourceType))
      .filter((r) => r.security_group_id === s.ref(env.loadBalancer.securityGroup.id) && r.from_port === 8080)
      .map((r) => r.cidr_ipv4)
      .sort();
    const natIps = s.stack.network.natPublicIps.map((ip) => `${s.ref(ip)}/32`);
    expect(natIps).toHaveLength(2);
    expect(testRules).toEqual(["198.51.100.0/24", ...natIps].sort());
    // Lambda attaches the function to the VPC with its role: interfaces in these subnets only.
    const statements = roleStatements(s.tf, s.ref(hook.role.role.id) as string);
    const create = statements.find((st) => st.actions.includes("ec2:CreateNetworkInterface"));
    expect(new TerraformValues(s.tf).evaluate(create.resources).slice(1)).toEqual([
      get(s, hook.securityGroup!.arn),
      ...s.stack.network.privateSubnetIds.map((id) => `arn:aws:ec2:eu-central-1:123456789012:subnet/${get(s, id)}`),
    ]);
    // The function waits for its permissions before Lambda creates it.
    // The log group, the report, tracing and VPC-access policies.
    expect(fn.depends_on).toHaveLength(4);
  });

  it("without NAT, a narrowed test listener is refused naming the field (the function would have no fixed address)", () => {
    expect(bad({ network: { natGateways: "none" }, loadBalancer: { testAllowedCidrs: ["198.51.100.0/24"] } })).toMatch(
      /^Invalid config: loadBalancer\.testAllowedCidrs: shuts out the smoke test: .*natGateways "none"/,
    );
    expect(bad({ network: { natGateways: "none" }, environments: [{ name: "production", loadBalancer: { testAllowedCidrs: ["198.51.100.0/24"] } }] })).toMatch(
      /^Invalid config: environments\.0\.loadBalancer\.testAllowedCidrs: shuts out the smoke test/,
    );
    // Accepted with the smoke test off.
    expect(() => parseConfig(rawConfig({ network: { natGateways: "none" }, loadBalancer: { testAllowedCidrs: ["198.51.100.0/24"] }, deployment: { smokeTest: { enabled: false } } }))).not.toThrow();
  });

  it("is left out when disabled, per environment", () => {
    const s = synth({ environments: [{ name: "staging", deployment: { smokeTest: { enabled: false } } }, { name: "production" }] });
    expect(s.stack.environments.map((e) => !!e.smokeTest)).toEqual([false, true]);
    expect(Object.values(resourcesOf(s.tf, LambdaFunction.tfResourceType)).map((f) => f.function_name)).toEqual(["bluegreen-demo-production-smoke-test"]);
    expect(s.json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/lambda/bluegreen-demo-production-smoke-test", retention_in_days: 30 });
  });
});

describe("lifecycle hooks", () => {
  const hooked = () =>
    synth({
      ...OPEN_TEST_LISTENER,
      deployment: { hooks: { BeforeInstall: "prepare", BeforeAllowTraffic: "arn:aws:lambda:eu-central-1:123456789012:function:check:live" } },
    });

  it("CodeDeploy's role may invoke exactly the AppSpec's hooks, and no other function", async () => {
    const s = hooked();
    const env = s.stack.environments[0];
    const invoke = roleStatements(s.tf, s.ref(env.deployment.role.role.id) as string).find((st) => st.actions.includes("lambda:InvokeFunction"));
    expect(invoke.actions).toEqual(["lambda:InvokeFunction"]);
    const resources = new TerraformValues(s.tf).evaluate(invoke.resources);
    expect(resources).toEqual([
      "arn:aws:lambda:eu-central-1:123456789012:function:prepare",
      get(s, env.smokeTest!.function.arn),
      "arn:aws:lambda:eu-central-1:123456789012:function:check:live",
    ]);
    const role = roleNamed(stackRoles(s), get(s, env.deployment.role.role.name));
    for (const resource of resources) expect(await decide(role, { action: "lambda:InvokeFunction", resource }), resource).toBe("Allowed");
    expect(await decide(role, { action: "lambda:InvokeFunction", resource: "arn:aws:lambda:eu-central-1:123456789012:function:other" })).toBe("ImplicitlyDenied");
    expect(await decide(role, { action: "lambda:InvokeFunction", resource: "arn:aws:lambda:eu-central-1:123456789012:function:check:other-alias" })).toBe("ImplicitlyDenied");
  });

  it("the AppSpec's Hooks line lists them in event order", () => {
    const s = hooked();
    const env = s.stack.environments[0];
    expect(JSON.parse(String(get(s, appSpecHooksLine(env.deployment.hooks))).replace(/^Hooks: /, ""))).toEqual([
      { BeforeInstall: "prepare" },
      { AfterAllowTestTraffic: get(s, env.smokeTest!.function.arn) },
      { BeforeAllowTraffic: "arn:aws:lambda:eu-central-1:123456789012:function:check:live" },
    ]);
  });

  it("bad hooks are refused naming the field", () => {
    expect(bad({ deployment: { hooks: { AfterDeploy: "x" } } })).toMatch(
      /^Invalid config: deployment\.hooks\.AfterDeploy: is not an ECS lifecycle event; allowed: BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic/,
    );
    expect(bad({ deployment: { hooks: { BeforeInstall: "arn:aws:s3:::bucket" } } })).toMatch(/^Invalid config: deployment\.hooks\.BeforeInstall: must be a Lambda function name/);
    expect(bad({ deployment: { hooks: { BeforeInstall: "has spaces" } } })).toMatch(/^Invalid config: deployment\.hooks\.BeforeInstall: must be a Lambda function name/);
    expect(bad({ deployment: { hooks: { AfterAllowTestTraffic: "mine" } } })).toMatch(/^Invalid config: deployment\.hooks\.AfterAllowTestTraffic: is taken by the smoke test/);
    expect(() => parseConfig(rawConfig({ deployment: { smokeTest: { enabled: false }, hooks: { AfterAllowTestTraffic: "mine" } } }))).not.toThrow();
  });

  it("an environment's hooks add to the top-level ones", () => {
    const c = parseConfig(rawConfig({ deployment: { hooks: { BeforeInstall: "a" } }, environments: [{ name: "production", deployment: { hooks: { AfterInstall: "b" } } }] }));
    expect(c.environments[0].deployment.hooks).toEqual({ BeforeInstall: "a", AfterInstall: "b" });
  });
});

describe("release alarms", () => {
  it("alarm on 5xx, unhealthy hosts and response time for both target groups, with the configured thresholds", () => {
    const s = synth({ deployment: { alarms: { target5xxCount: 10, periodSeconds: 120, evaluationPeriods: 3, responseTimePercentile: "p95" } } });
    const env = s.stack.environments[0];
    const lb = env.loadBalancer;
    for (const tg of [lb.blueTargetGroup, lb.greenTargetGroup]) {
      const dimensions = { LoadBalancer: s.ref(lb.loadBalancer.arnSuffix), TargetGroup: s.ref(tg.arnSuffix) };
      const common = { namespace: "AWS/ApplicationELB", dimensions, period: 120, evaluation_periods: 3, treat_missing_data: "notBreaching" };
      expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { ...common, metric_name: "HTTPCode_Target_5XX_Count", statistic: "Sum", threshold: 10 });
      expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { ...common, metric_name: "UnHealthyHostCount", statistic: "Maximum", threshold: 1 });
      expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        ...common,
        metric_name: "TargetResponseTime",
        extended_statistic: "p95",
        comparison_operator: "GreaterThanThreshold",
        threshold: 2,
      });
    }
    expect(Object.keys(resourcesOf(s.tf, CloudwatchMetricAlarm.tfResourceType))).toHaveLength(6);
  });

  it("the deployment group watches them and the user's alarms, and stops and rolls back when one fires", async () => {
    const s = synth({ deployment: { alarms: { responseTimeSeconds: false }, alarmNames: ["my-app-errors"] } });
    const env = s.stack.environments[0];
    const group = resourceByRef(s.tf, s.ref(env.deployment.deploymentGroup.arn));
    const names = new TerraformValues(s.tf).evaluate(group.alarm_configuration.alarms) as string[];
    expect(names).toEqual([
      "bluegreen-demo-production-blue-5xx",
      "bluegreen-demo-production-blue-unhealthy",
      "bluegreen-demo-production-green-5xx",
      "bluegreen-demo-production-green-unhealthy",
      "my-app-errors",
    ]);
    expect(group.alarm_configuration.enabled).toBe(true);
    expect(group.auto_rollback_configuration).toEqual({ enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] });
    const role = roleNamed(stackRoles(s), get(s, env.deployment.role.role.name));
    for (const name of names) {
      expect(await decide(role, { action: "cloudwatch:DescribeAlarms", resource: `arn:aws:cloudwatch:eu-central-1:123456789012:alarm:${name}` })).toBe("Allowed");
    }
    expect(await decide(role, { action: "cloudwatch:DescribeAlarms", resource: "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:someone-elses" })).toBe("ImplicitlyDenied");
  });

  it("bad alarm settings are refused naming the field", () => {
    expect(bad({ deployment: { alarms: { target5xxCount: 0 } } })).toMatch(/^Invalid config: deployment\.alarms\.target5xxCount: /);
    expect(bad({ deployment: { alarms: { responseTimeSeconds: -1 } } })).toMatch(/^Invalid config: deployment\.alarms\.responseTimeSeconds: /);
    expect(bad({ deployment: { alarms: { periodSeconds: 45 } } })).toMatch(/^Invalid config: deployment\.alarms\.periodSeconds: /);
    expect(bad({ deployment: { alarms: { evaluationPeriods: 11 } } })).toMatch(/^Invalid config: deployment\.alarms\.evaluationPeriods: must be at most 10/);
    expect(bad({ deployment: { alarms: { responseTimePercentile: "median" } } })).toMatch(/^Invalid config: deployment\.alarms\.responseTimePercentile: must be a percentile/);
    expect(bad({ deployment: { alarmNames: ["a", "b", "c", "d", "e"] } })).toMatch(
      /^Invalid config: deployment\.alarmNames: makes 11 alarms with the built-in ones .* CodeDeploy watches at most 10/,
    );
  });
});

describe("release notifications", () => {
  it("one topic with the e-mail subscribers; CodeDeploy announces start, success, failure, stop and rollback there", () => {
    const s = synth({ notifications: { emails: ["ops@example.com", "dev@example.com"] } });
    const topic = s.ref(s.stack.notifications.topic.arn);
    expect(s.json).toHaveResourceWithProperties(SnsTopic, { name: "bluegreen-demo-releases" });
    for (const endpoint of ["ops@example.com", "dev@example.com"]) {
      expect(s.json).toHaveResourceWithProperties(SnsTopicSubscription, { topic_arn: topic, protocol: "email", endpoint });
    }
    expect(s.json).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      trigger_configuration: [
        {
          trigger_name: "release-events",
          trigger_events: ["DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback"],
          trigger_target_arn: topic,
        },
      ],
    });
  });

  it("an EventBridge rule forwards the pipeline's failed and succeeded executions", () => {
    const s = synth();
    const rule = resourceByRef(s.tf, s.ref(s.stack.notifications.pipelineRules[0].arn));
    expect(JSON.parse(get(s, rule.event_pattern))).toEqual({
      source: ["aws.codepipeline"],
      "detail-type": ["CodePipeline Pipeline Execution State Change"],
      detail: { pipeline: [get(s, pipelineOf(s.stack).pipeline.pipeline.name)], state: ["FAILED", "SUCCEEDED"] },
    });
    expect(s.json).toHaveResourceWithProperties(CloudwatchEventTarget, { rule: s.ref(s.stack.notifications.pipelineRules[0].name), arn: s.ref(s.stack.notifications.topic.arn) });
  });

  it("the topic policy admits only the CodeDeploy roles and that rule", () => {
    const s = synth({ environments: [{ name: "staging" }, { name: "production" }] });
    const policy = policyDocument(s.tf, Object.values(resourcesOf(s.tf, SnsTopicPolicy.tfResourceType))[0].policy);
    const topic = s.ref(s.stack.notifications.topic.arn);
    expect(policy.statement).toEqual([
      {
        sid: "CodeDeployTriggers",
        principals: [{ type: "AWS", identifiers: s.stack.environments.map((e) => s.ref(e.deployment.role.role.arn)) }],
        actions: ["sns:Publish"],
        resources: [topic],
      },
      {
        sid: "PipelineOutcomes",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [topic],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [s.ref(s.stack.notifications.pipelineRules[0].arn)] }],
      },
    ]);
  });

  it("with GitHub Actions there is no pipeline rule; the topic is encrypted with the customer-managed key when there is one", () => {
    const s = synth({ source: undefined, delivery: { mode: "github-actions", repository: "o/r" }, encryption: { customerManagedKey: "create" } });
    expect(s.stack.notifications.pipelineRules[0]).toBeUndefined();
    expect(s.json).not.toHaveResource(CloudwatchEventRule);
    expect(s.json).toHaveResourceWithProperties(SnsTopic, { name: "bluegreen-demo-releases", kms_master_key_id: s.ref(s.stack.encryptionKey!.keyArn) });
    const policy = policyDocument(s.tf, Object.values(resourcesOf(s.tf, SnsTopicPolicy.tfResourceType))[0].policy);
    expect(policy.statement.map((st: { sid: string }) => st.sid)).toEqual(["CodeDeployTriggers"]);
  });

  it("a notification address that is not an e-mail is refused naming the field", () => {
    expect(bad({ notifications: { emails: ["ops@example.com", "not-an-address"] } })).toMatch(/^Invalid config: notifications\.emails\.1: /);
  });
});
