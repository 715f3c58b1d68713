import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { EncryptionKey } from "../security/encryption-key";
import { arnInAccountOf, logWriteStatement, ServiceRole } from "../security/iam";
import { logGroupName, physicalName } from "../core/naming";
import { functionZip } from "./function-zip";
import { SMOKE_TEST_DEFAULTS } from "./release-safety-config";
import { SERVICE_DEFAULTS } from "../service/service-config";

/** The handler's source folder: index.mjs, which needs nothing but Node and the runtime's AWS SDK. */
export const SMOKE_TEST_SOURCE_DIR = join(__dirname, "smoke-test");
/** A runtime AWS keeps supporting well past nodejs20.x's end of support; it ships @aws-sdk/client-codedeploy. */
export const SMOKE_TEST_RUNTIME = "nodejs22.x";
/** Seconds the function may run beyond its time budget: start-up, and the report to CodeDeploy. */
export const SMOKE_TEST_TIMEOUT_MARGIN_SECONDS = 30;

let zipOfThisProcess: { path: string; sha256: string } | undefined;

/**
 * The handler zipped once per synth (every environment shares the file; its bytes depend on its content only).
 * The synth copies it into the stack's assets; its temporary folder goes when the process ends.
 */
function handlerZip(): { path: string; sha256: string } {
  if (!zipOfThisProcess) {
    const dir = mkdtempSync(join(tmpdir(), "smoke-test-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    zipOfThisProcess = functionZip(SMOKE_TEST_SOURCE_DIR, join(dir, "smoke-test.zip"));
  }
  return zipOfThisProcess;
}

/** Where the function runs, so that it can reach the test listener. */
export type SmokeTestPlacement =
  /** Outside any VPC: the test listener is open to the internet. */
  | { readonly kind: "internet" }
  /** In the private subnets: it reaches the test listener from the NAT gateways' addresses, which the caller admits. */
  | { readonly kind: "vpc"; readonly vpcId: string; readonly subnetIds: string[] };

export interface SmokeTestHookProps {
  /** Prefix of every physical name: the app name, and the environment's. */
  readonly namePrefix: string;
  /** Base URL of the test listener, e.g. http://my-alb-123.eu-west-1.elb.amazonaws.com:8080 */
  readonly testUrl: string;
  /** The Host header to send, when the listener routes by host to another name than testUrl's. @default testUrl's host */
  readonly hostHeader?: string;
  /** The test listener's port (the VPC placement's egress). */
  readonly testPort: number;
  /** Paths requested through the test listener. */
  readonly paths: string[];
  /** Expected status codes as an ALB matcher ("200", "200-399"). */
  readonly expectedStatus: string;
  /** Seconds for all requests, retries and backoff together. @default SMOKE_TEST_DEFAULTS.timeBudgetSeconds */
  readonly timeBudgetSeconds?: number;
  /** Tries per path. @default SMOKE_TEST_DEFAULTS.attempts */
  readonly attempts?: number;
  /** X-Ray active tracing of each run. @default SMOKE_TEST_DEFAULTS.tracing */
  readonly tracing?: boolean;
  readonly placement: SmokeTestPlacement;
  /** @default SERVICE_DEFAULTS.logRetentionDays */
  readonly logRetentionDays?: number;
  /** Customer-managed key for the log group. @default CloudWatch Logs' own encryption */
  readonly encryptionKey?: EncryptionKey;
}

/**
 * The CodeDeploy lifecycle hook that smoke-tests the replacement tasks through the test listener
 * (AfterAllowTestTraffic) and reports Succeeded or Failed, so that a release answering wrongly is
 * rolled back before it takes production traffic.
 */
export class SmokeTestHook extends Construct {
  readonly function: LambdaFunction;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;
  /** The function's own security group, in the VPC placement. */
  readonly securityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: SmokeTestHookProps) {
    super(scope, id);
    const name = physicalName("lambdaFunction", props.namePrefix, "smoke-test");
    const budget = props.timeBudgetSeconds ?? SMOKE_TEST_DEFAULTS.timeBudgetSeconds;

    // Lambda's own log group name for the function (/aws/lambda/<name>), created here rather than by Lambda
    // on the first run, so that it has a retention and is destroyed with the stack.
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: logGroupName("function", name),
      retentionInDays: props.logRetentionDays ?? SERVICE_DEFAULTS.logRetentionDays,
      kmsKeyId: props.encryptionKey?.keyArn,
    });
    this.role = new ServiceRole(this, "role", {
      name: physicalName("iamRole", props.namePrefix, "smoke-test"),
      servicePrincipal: "lambda.amazonaws.com",
      description: "CodeDeploy hook: smoke-test the replacement tasks, report the result",
    });
    const policies = [
      this.role.addPolicy("report", [
        logWriteStatement(this.logGroup),
        {
          sid: "ReportHookResult",
          actions: ["codedeploy:PutLifecycleEventHookExecutionStatus"],
          // PutLifecycleEventHookExecutionStatus supports no resource-level permission (no resource type, no
          // condition key); the call itself is bound to one deployment's hook execution id.
          resources: ["*"],
        },
      ]),
    ];

    const tracing = props.tracing ?? SMOKE_TEST_DEFAULTS.tracing;
    if (tracing) {
      policies.push(
        this.role.addPolicy("tracing", [
          {
            sid: "WriteTraces",
            actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            // X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permission.
            resources: ["*"],
          },
        ]),
      );
    }

    let vpcConfig: LambdaFunction["vpcConfigInput"];
    if (props.placement.kind === "vpc") {
      const { vpcId, subnetIds } = props.placement;
      this.securityGroup = new SecurityGroup(this, "sg", {
        name: physicalName("securityGroup", props.namePrefix, "smoke-test"),
        description: "Smoke-test hook: out to the test listener and the CodeDeploy API",
        vpcId,
        tags: { Name: physicalName("securityGroup", props.namePrefix, "smoke-test") },
      });
      // Both through NAT: the test listener at the ALB's public addresses, and CodeDeploy's HTTPS API.
      for (const port of [...new Set([props.testPort, 443])]) {
        new VpcSecurityGroupEgressRule(this, `out-${port}`, {
          securityGroupId: this.securityGroup.id,
          description: port === 443 ? "HTTPS: CodeDeploy API (and the test listener on 443)" : "test listener",
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: "0.0.0.0/0",
        });
      }
      const sg = this.securityGroup;
      const accountArn = sg.arn;
      const interfaces = arnInAccountOf(accountArn, "ec2", "network-interface/*");
      policies.push(
        // What Lambda does with the function's role to attach it to the VPC.
        this.role.addPolicy("vpc-access", [
          {
            sid: "CreateInterfacesInTheseSubnets",
            actions: ["ec2:CreateNetworkInterface"],
            resources: [interfaces, sg.arn, ...subnetIds.map((subnetId) => arnInAccountOf(accountArn, "ec2", `subnet/${subnetId}`))],
          },
          {
            sid: "ManageInterfaces",
            actions: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
            resources: [interfaces],
          },
          {
            sid: "DescribeInterfaces",
            actions: ["ec2:DescribeNetworkInterfaces"],
            // EC2 Describe* calls support no resource-level permissions.
            resources: ["*"],
          },
        ]),
      );
      vpcConfig = { subnetIds, securityGroupIds: [sg.id] };
    }

    const zip = handlerZip();
    const code = new TerraformAsset(this, "code", { path: zip.path, type: AssetType.FILE });
    this.function = new LambdaFunction(this, "function", {
      functionName: name,
      description: `Smoke test of ${props.testUrl} before traffic is rerouted (CodeDeploy AfterAllowTestTraffic hook)`,
      role: this.role.role.arn,
      runtime: SMOKE_TEST_RUNTIME,
      handler: "index.handler",
      architectures: ["arm64"],
      memorySize: 128,
      timeout: budget + SMOKE_TEST_TIMEOUT_MARGIN_SECONDS,
      filename: code.path,
      sourceCodeHash: Buffer.from(zip.sha256, "hex").toString("base64"),
      vpcConfig,
      // PassThrough when off: the provider keeps a mode it no longer sees, so off must be said.
      tracingConfig: { mode: tracing ? "Active" : "PassThrough" },
      environment: {
        variables: {
          TARGET_URL: props.testUrl,
          PATHS: JSON.stringify(props.paths),
          EXPECTED_STATUS: props.expectedStatus,
          TIME_BUDGET_SECONDS: String(budget),
          ATTEMPTS: String(props.attempts ?? SMOKE_TEST_DEFAULTS.attempts),
          ...(props.hostHeader ? { HOST_HEADER: props.hostHeader } : {}),
        },
      },
      // The role must be able to write logs (and, in a VPC, create interfaces) before the first call.
      dependsOn: [this.logGroup, ...policies],
    });
  }
}
