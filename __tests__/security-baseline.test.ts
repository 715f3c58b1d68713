import { describe, expect, it } from "vitest";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { Network } from "../src/network/network";
import { configErrorFor, configErrorForRaw, policyDocument, resourcesOf, synth } from "./helpers";
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
