import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { logGroupName, physicalName } from "../core/naming";
import { EncryptionKey } from "../security/encryption-key";
import { ServiceRole } from "../security/iam";
import { NETWORK_DEFAULTS } from "./network-config";

export interface VpcFlowLogsProps {
  /** Prefix of the log group's and role's names: the app name. */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** @default NETWORK_DEFAULTS.flowLogs.trafficType */
  readonly trafficType?: "ALL" | "ACCEPT" | "REJECT";
  /** @default NETWORK_DEFAULTS.flowLogs.retentionDays */
  readonly retentionDays?: number;
  /** Customer-managed key for the log group. @default CloudWatch Logs' own encryption */
  readonly encryptionKey?: EncryptionKey;
}

/**
 * The VPC's flow logs, delivered to a CloudWatch log group through a role that the flow-logs service
 * assumes and that may write to that log group only.
 */
export class VpcFlowLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly role: ServiceRole;
  readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: VpcFlowLogsProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      // `<app>-…`, as the customer-managed key admits CloudWatch Logs for the stack's log groups.
      name: logGroupName("network", `${props.namePrefix}-vpc`),
      retentionInDays: props.retentionDays ?? NETWORK_DEFAULTS.flowLogs.retentionDays,
      kmsKeyId: props.encryptionKey?.keyArn,
    });
    this.role = new ServiceRole(this, "role", {
      name: physicalName("iamRole", props.namePrefix, "flow-logs"),
      servicePrincipal: "vpc-flow-logs.amazonaws.com",
      description: "VPC flow logs: deliver to the stack's flow-log group",
    });
    // What the flow-logs service calls to deliver (Amazon VPC User Guide, "IAM role for publishing flow
    // logs to CloudWatch Logs"), on this log group only; the group exists, so no CreateLogGroup.
    this.role.addPolicy("deliver", [
      {
        sid: "DeliverFlowLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [this.logGroup.arn, `${this.logGroup.arn}:*`],
      },
      {
        sid: "FindLogGroups",
        actions: ["logs:DescribeLogGroups"],
        // DescribeLogGroups acts on no resource type (the service authorization reference lists none).
        resources: ["*"],
      },
    ]);
    this.flowLog = new FlowLog(this, "flow-log", {
      vpcId: props.vpcId,
      trafficType: props.trafficType ?? NETWORK_DEFAULTS.flowLogs.trafficType,
      logDestinationType: "cloud-watch-logs",
      logDestination: this.logGroup.arn,
      iamRoleArn: this.role.role.arn,
      tags: { Name: `${props.namePrefix}-flow-logs` },
    });
  }
}
