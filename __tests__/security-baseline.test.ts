import { describe, expect, it } from "vitest";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { Network } from "../src/network/network";
import { configErrorFor, configErrorForRaw, policyDocument, resourcesOf, synth, synthFile } from "./helpers";
import { decide, roleNamed, stackRoles } from "./iam-simulation";
import { TerraformValues } from "./terraform-values";

/**
 * The security baseline the IaC scanners audit (issue 22), rule by rule: each resource exists with the
 * secure setting when on, and the default is what README's *Security* says.
 */

describe("CKV2_AWS_12: the VPC's default security group holds no rule", () => {
  it("is managed with no ingress and no egress by default, in the stack's VPC", () => {
    const s = synth();
    const [group] = Object.values(resourcesOf(s.tf, DefaultSecurityGroup.tfResourceType));
    expect(group.vpc_id).toBe(s.ref((s.stack.network as Network).vpc.id));
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });

  it("is left alone when turned off, and with an existing network (whose default group is its owner's)", () => {
    expect(resourcesOf(synth({ network: { emptyDefaultSecurityGroup: false } }).tf, DefaultSecurityGroup.tfResourceType)).toEqual({});
    const existing = { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: [], privateSubnetIds: [] };
    expect(configErrorForRaw({ appName: "shop", region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b"], source: { kind: "s3" }, network: { existing, emptyDefaultSecurityGroup: true } })).toMatch(
      /^Invalid config: network\.emptyDefaultSecurityGroup: must be left out with network\.existing/,
    );
  });
});

describe("CKV2_AWS_11: the VPC's flow logs", () => {
  it("records all traffic to a log group of its own by default, kept 30 days, through a role that may write there only", async () => {
    const s = synth();
    const network = s.stack.network as Network;
    const flowLogs = network.flowLogs!;
    const [flowLog] = Object.values(resourcesOf(s.tf, FlowLog.tfResourceType));
    expect(flowLog).toMatchObject({
      vpc_id: s.ref(network.vpc.id),
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      log_destination: s.ref(flowLogs.logGroup.arn),
      iam_role_arn: s.ref(flowLogs.role.role.arn),
    });
    const values = new TerraformValues(s.tf);
    const group = resourcesOf(s.tf, "aws_cloudwatch_log_group")[flowLogs.logGroup.friendlyUniqueId];
    expect(group).toMatchObject({ name: "/vpc/flow-logs/bluegreen-demo-vpc", retention_in_days: 30 });
    const role = roleNamed(stackRoles(s), values.evaluate(s.ref(flowLogs.role.role.name)) as string);
    const arn = values.evaluate(s.ref(flowLogs.logGroup.arn)) as string;
    for (const action of ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]) {
      expect(await decide(role, { action, resource: `${arn}:log-stream:eni-0123456789abcdef0-all` }), action).toBe("Allowed");
      expect(await decide(role, { action, resource: `${arn.replace("/vpc/flow-logs/bluegreen-demo-vpc", "/ecs/bluegreen-demo-production")}:log-stream:x` }), `${action} elsewhere`).toBe("ImplicitlyDenied");
    }
    expect(await decide(role, { action: "logs:DeleteLogGroup", resource: arn })).toBe("ImplicitlyDenied");
  });

  it("records only what is asked, keeps it as long as asked, uses the customer-managed key, and can be turned off", () => {
    const s = synth({ network: { flowLogs: { trafficType: "REJECT", retentionDays: 365 } }, encryption: { customerManagedKey: "create" } });
    const network = s.stack.network as Network;
    expect(Object.values(resourcesOf(s.tf, FlowLog.tfResourceType))[0].traffic_type).toBe("REJECT");
    const group = resourcesOf(s.tf, "aws_cloudwatch_log_group")[network.flowLogs!.logGroup.friendlyUniqueId];
    expect(group.retention_in_days).toBe(365);
    expect(group.kms_key_id).toBe(s.ref(s.stack.encryptionKey!.keyArn));
    expect(resourcesOf(synth({ network: { flowLogs: { enabled: false } } }).tf, FlowLog.tfResourceType)).toEqual({});
    expect(configErrorFor({ network: { flowLogs: { retentionDays: 10 } } })).toMatch(/^Invalid config: network\.flowLogs\.retentionDays: must be one of 1, 3, 5, 7, 14, 30/);
  });

  it("admits CloudWatch Logs to the customer-managed key for the flow-log group's name", () => {
    const s = synth({ encryption: { customerManagedKey: "create" } });
    const name = resourcesOf(s.tf, "aws_cloudwatch_log_group")[(s.stack.network as Network).flowLogs!.logGroup.friendlyUniqueId].name as string;
    const [keyPolicy] = Object.values(resourcesOf(s.tf, "aws_kms_key_policy"));
    const logsStatement = policyDocument(s.tf, keyPolicy.policy).statement.find((st: any) => st.sid === "CloudWatchLogsForThisAppsLogGroups");
    // Each admitted ARN pattern is a format() of the account's ARN with a name prefix: the group's name must start with one.
    const prefixes: string[] = logsStatement.condition.flatMap((c: any) => c.values).flatMap((v: string) => [...v.matchAll(/"(\/[^"]+-)"/g)].map((m) => m[1]));
    expect(prefixes).toContain("/vpc/flow-logs/bluegreen-demo-");
    expect(prefixes.some((prefix) => name.startsWith(prefix))).toBe(true);
  });
});

describe("CKV_AWS_50: X-Ray tracing of the smoke-test function", () => {
  it("traces actively by default, its role may write traces only (X-Ray has no resource-level permission for it), and can be turned off", async () => {
    const s = synth();
    const hook = s.stack.environments[0].smokeTest!;
    const fn = resourcesOf(s.tf, "aws_lambda_function")[hook.function.friendlyUniqueId];
    expect(fn.tracing_config).toEqual({ mode: "Active" });
    const values = new TerraformValues(s.tf);
    const role = roleNamed(stackRoles(s), values.evaluate(s.ref(hook.role.role.name)) as string);
    expect(await decide(role, { action: "xray:PutTraceSegments", resource: "*" })).toBe("Allowed");
    expect(await decide(role, { action: "xray:GetTraceSummaries", resource: "*" })).toBe("ImplicitlyDenied");
    const off = synth({ deployment: { smokeTest: { tracing: false } } });
    const offHook = off.stack.environments[0].smokeTest!;
    // Said, not left out: the provider keeps a tracing mode it no longer sees.
    expect(resourcesOf(off.tf, "aws_lambda_function")[offHook.function.friendlyUniqueId].tracing_config).toEqual({ mode: "PassThrough" });
    expect(JSON.stringify(resourcesOf(off.tf, "aws_iam_role_policy"))).not.toContain("tracing");
  });
});

describe("CKV_AWS_26: SNS topics encrypted", () => {
  it("encrypts the approval topic with SNS's AWS-managed key without a customer-managed one, with that key when there is one", () => {
    const withApproval = { environments: [{ name: "staging" }, { name: "production", approval: {} }] };
    const s = synth(withApproval);
    expect(Object.values(resourcesOf(s.tf, "aws_sns_topic")).find((t) => String(t.name).endsWith("approvals"))!.kms_master_key_id).toBe("alias/aws/sns");
    const cmk = synth({ ...withApproval, encryption: { customerManagedKey: "create" } });
    expect(Object.values(resourcesOf(cmk.tf, "aws_sns_topic")).find((t) => String(t.name).endsWith("approvals"))!.kms_master_key_id).toBe(cmk.ref(cmk.stack.encryptionKey!.keyArn));
  });

  it("leaves the release topic to a customer-managed key: EventBridge cannot publish to a topic under the AWS-managed key", () => {
    const s = synth();
    const release = Object.values(resourcesOf(s.tf, "aws_sns_topic")).find((t) => String(t.name).endsWith("releases"))!;
    expect(release.kms_master_key_id).toBeUndefined();
  });
});

describe("CKV_AWS_161 / CKV_AWS_129 / CKV_AWS_353: the database's IAM authentication, log exports and Performance Insights", () => {
  const DB = { database: { enabled: true } };

  it("turns IAM authentication and the postgresql and upgrade log exports on by default, each export into a log group of the stack's", () => {
    const s = synth(DB);
    const db = s.stack.environments[0].database!;
    const instance = resourcesOf(s.tf, "aws_db_instance")[db.instance.friendlyUniqueId];
    expect(instance.iam_database_authentication_enabled).toBe(true);
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    expect(instance.performance_insights_enabled).toBeUndefined();
    const groups = db.logGroups.map((g) => resourcesOf(s.tf, "aws_cloudwatch_log_group")[g.friendlyUniqueId]);
    expect(groups.map((g) => g.name)).toEqual([`/aws/rds/instance/${instance.identifier}/postgresql`, `/aws/rds/instance/${instance.identifier}/upgrade`]);
    expect(groups.every((g) => g.retention_in_days === 30)).toBe(true);
    // The groups exist before RDS starts exporting into them (it would create them itself, without retention).
    expect(instance.depends_on).toEqual(db.logGroups.map((g) => `aws_cloudwatch_log_group.${g.friendlyUniqueId}`));
  });

  it("takes Performance Insights (7 days, the stack's key) and other exports when asked, and none when turned off", () => {
    const s = synth({ database: { enabled: true, performanceInsights: true, logExports: ["postgresql", "iam-db-auth-error"], iamAuthentication: false }, encryption: { customerManagedKey: "create" } });
    const db = s.stack.environments[0].database!;
    const instance = resourcesOf(s.tf, "aws_db_instance")[db.instance.friendlyUniqueId];
    expect(instance).toMatchObject({ performance_insights_enabled: true, performance_insights_retention_period: 7, performance_insights_kms_key_id: s.ref(s.stack.encryptionKey!.keyArn), iam_database_authentication_enabled: false });
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "iam-db-auth-error"]);
    const none = synth({ database: { enabled: true, logExports: [] } });
    expect(resourcesOf(none.tf, "aws_db_instance")[none.stack.environments[0].database!.instance.friendlyUniqueId].enabled_cloudwatch_logs_exports).toEqual([]);
    expect(none.stack.environments[0].database!.logGroups).toEqual([]);
    expect(configErrorFor({ database: { enabled: true, logExports: ["slowquery"] } })).toMatch(/^Invalid config: database\.logExports\.0: must be one of "postgresql", "upgrade", "iam-db-auth-error"/);
  });
});

describe("examples/strict.json: every rule the stack meets, met", () => {
  const s = synthFile("examples/strict.json");
  const all = (type: string) => Object.values(resourcesOf(s.tf, type));

  it("empties the default security group, logs the VPC's flows, keeps every log group a year, encrypts every topic with the stack's key", () => {
    expect(all("aws_default_security_group")).toHaveLength(1);
    expect(all("aws_flow_log")).toHaveLength(1);
    const groups = all("aws_cloudwatch_log_group");
    expect(groups.length).toBeGreaterThan(5);
    for (const group of groups) expect(group.retention_in_days, group.name).toBeGreaterThanOrEqual(365);
    for (const topic of all("aws_sns_topic")) expect(topic.kms_master_key_id, topic.name).toBe(s.ref(s.stack.encryptionKey!.keyArn));
  });

  it("traces every function, and gives every database IAM authentication, its log exports and Performance Insights", () => {
    for (const fn of all("aws_lambda_function")) expect(fn.tracing_config).toEqual({ mode: "Active" });
    const databases = all("aws_db_instance");
    expect(databases).toHaveLength(2);
    for (const db of databases) {
      expect(db).toMatchObject({ iam_database_authentication_enabled: true, performance_insights_enabled: true });
      expect(db.enabled_cloudwatch_logs_exports.length).toBeGreaterThan(0);
    }
  });

  it("logs every load balancer's requests and every bucket's but the log bucket's own, and runs every container read-only", () => {
    const logBucket = s.stack.accessLogs!.bucket;
    for (const lb of all("aws_lb")) expect(lb.access_logs, lb.name).toMatchObject({ enabled: true, bucket: s.ref(logBucket.id) });
    const logged = all("aws_s3_bucket_logging").map((l) => l.bucket);
    const buckets = Object.keys(resourcesOf(s.tf, "aws_s3_bucket")).filter((id) => id !== logBucket.friendlyUniqueId);
    expect(buckets.length).toBeGreaterThan(0);
    expect(logged.sort()).toEqual(buckets.map((id) => `\${aws_s3_bucket.${id}.id}`).sort());
    const values = new TerraformValues(s.tf);
    for (const task of all("aws_ecs_task_definition")) expect(JSON.parse(values.evaluate(task.container_definitions))[0].readonlyRootFilesystem).toBe(true);
  });
});

describe("CKV_AWS_336: the container's read-only root filesystem", () => {
  const taskOf = (s: ReturnType<typeof synth>, env: string) => {
    const task = resourcesOf(s.tf, "aws_ecs_task_definition")[s.stack.environments.find((e) => e.name === env)!.service.taskDefinition.friendlyUniqueId];
    return { task, container: JSON.parse(new TerraformValues(s.tf).evaluate(task.container_definitions))[0] };
  };

  it("is writable by default (README: most images write outside /tmp), with no volume", () => {
    const { task, container } = taskOf(synth(), "production");
    expect(container).not.toHaveProperty("readonlyRootFilesystem");
    expect(container).not.toHaveProperty("mountPoints");
    expect(task.volume).toBeUndefined();
  });

  it("is read-only when asked, each writable path an empty volume of the task's own, per environment", () => {
    const s = synth({
      service: { readonlyRootFilesystem: true },
      environments: [{ name: "staging", service: { writablePaths: ["/tmp", "/var/run/app"] } }, { name: "production", service: { readonlyRootFilesystem: false } }],
    });
    const staging = taskOf(s, "staging");
    expect(staging.container.readonlyRootFilesystem).toBe(true);
    expect(staging.container.mountPoints).toEqual([
      { sourceVolume: "writable-tmp", containerPath: "/tmp", readOnly: false },
      { sourceVolume: "writable-var-run-app", containerPath: "/var/run/app", readOnly: false },
    ]);
    // No host path and no EFS: on Fargate a bind mount on the task's own ephemeral storage.
    expect(staging.task.volume).toEqual([{ name: "writable-tmp" }, { name: "writable-var-run-app" }]);
    expect(taskOf(s, "production").container).not.toHaveProperty("readonlyRootFilesystem");
    expect(synthFile("examples/strict.json").tf.resource.aws_ecs_task_definition).toSatisfy((tasks: Record<string, { volume?: unknown }>) =>
      Object.values(tasks).every((t) => JSON.stringify(t.volume) === JSON.stringify([{ name: "writable-tmp" }])),
    );
  });

  it("refuses the root itself and two paths that would share a volume name", () => {
    expect(configErrorFor({ service: { writablePaths: ["/"] } })).toMatch(/^Invalid config: service\.writablePaths\.0: must not be \/ \(that is the root filesystem\)/);
    expect(configErrorFor({ service: { writablePaths: ["tmp"] } })).toMatch(/^Invalid config: service\.writablePaths\.0: must be an absolute path/);
    expect(configErrorFor({ service: { writablePaths: ["/var/cache", "/var-cache"] } })).toMatch(
      /^Invalid config: service\.writablePaths\.1: "\/var-cache" gives the same volume name as "\/var\/cache" \(writable-var-cache\); give each path once/,
    );
  });
});
