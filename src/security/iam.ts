import { Fn } from "cdktf";
import { Construct } from "constructs";
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";

export type PolicyStatement = DataAwsIamPolicyDocumentStatement;

export interface ServiceRoleProps {
  /** Physical role name (at most 64 characters). */
  readonly name: string;
  /** Service principal allowed to assume the role, e.g. codebuild.amazonaws.com. */
  readonly servicePrincipal?: string;
  /** Who may assume the role, when it is not a service (e.g. a federated web identity); replaces servicePrincipal. */
  readonly trust?: PolicyStatement[];
  /** What the role is for, shown in the IAM console. */
  readonly description: string;
}

/**
 * An IAM role assumable by one AWS service (or the federated principal `trust` names). Permissions are added as named inline policies built from
 * policy documents (evaluated locally by Terraform), so every grant is visible next to its purpose.
 */
export class ServiceRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    if (!props.trust && !props.servicePrincipal) throw new Error(`ServiceRole ${props.name}: give servicePrincipal or trust`);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: props.trust ?? [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [props.servicePrincipal!] }] }],
    });
    this.role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: trust.json,
    });
  }

  /** Attaches an inline policy named `name` holding the given statements. */
  addPolicy(name: string, statements: PolicyStatement[]): IamRolePolicy {
    const document = new DataAwsIamPolicyDocument(this, `${name}-doc`, { statement: statements });
    return new IamRolePolicy(this, `${name}-policy`, { name, role: this.role.id, policy: document.json });
  }
}

/** Statement letting a principal pass exactly these roles, and only to the given service. */
export function passRoleStatement(roles: IamRole[], toService: string): PolicyStatement {
  return {
    sid: "PassTaskRoles",
    actions: ["iam:PassRole"],
    resources: roles.map((r) => r.arn),
    condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: [toService] }],
  };
}

/**
 * An ARN in the same partition, service, region and account as `arn`, with another resource part
 * (e.g. the task sets of a service). Derived from a known ARN so planning needs no account lookup.
 */
export function siblingArn(arn: string, resource: string): string {
  return Fn.format("%s:%s", [Fn.join(":", Fn.slice(Fn.split(":", arn), 0, 5)), resource]);
}

/** An ARN of another service in the same partition, region and account as `arn` (or in `region`, for an IAM ARN, which names none). */
export function arnInAccountOf(arn: string, service: string, resource: string, region?: string): string {
  const part = (i: number) => Fn.element(Fn.split(":", arn), i);
  return Fn.format("arn:%s:%s:%s:%s:%s", [part(1), service, region ?? part(3), part(4), resource]);
}

/** The ARN of an S3 bucket (or `bucket/key`) in the partition of `arn`. */
export function s3ArnInPartitionOf(arn: string, bucketAndKey: string): string {
  return Fn.format("arn:%s:s3:::%s", [Fn.element(Fn.split(":", arn), 1), bucketAndKey]);
}

/** Statement letting a principal write log events into exactly this log group. */
export function logWriteStatement(logGroup: CloudwatchLogGroup): PolicyStatement {
  return {
    sid: "WriteLogs",
    actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
    resources: [`${logGroup.arn}:*`],
  };
}
