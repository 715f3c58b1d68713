import { Fn } from "cdktf";
import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { ServiceRole } from "./iam";
import { LOG_GROUP_PATHS, physicalName } from "../core/naming";
import { renderAtSynth } from "../core/render-at-synth";

/** The services that encrypt with the key on a caller's behalf. */
export const KEY_USING_SERVICES = ["ecr", "s3", "rds", "secretsmanager", "sns"] as const;

export interface EncryptionKeyProps {
  readonly appName: string;
  readonly region: string;
  /** An existing key to use instead of creating one (its policy is then its owner's to manage). */
  readonly existingKeyArn?: string;
}

/**
 * One customer-managed KMS key (rotation on) for the stack's ECR repository, artifact bucket, log groups
 * and databases, or an existing key given by ARN.
 */
export class EncryptionKey extends Construct {
  readonly keyArn: string;
  /** The key this stack created; undefined for an existing one. */
  readonly key?: KmsKey;
  private readonly props: EncryptionKeyProps;
  private accountArn?: string;
  private readonly eventRuleArns: string[] = [];
  private readonly users = new Set<ServiceRole>();

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    this.props = props;
    if (props.existingKeyArn) {
      this.keyArn = props.existingKeyArn;
      return;
    }
    this.key = new KmsKey(this, "key", {
      description: `${props.appName}: images, artifacts, logs and databases`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, "alias", { name: physicalName("kmsAlias", `alias/${props.appName}`), targetKeyId: this.key.keyId });
    this.keyArn = this.key.arn;
    renderAtSynth(this, () => this.writePolicy());
  }

  /**
   * Names the account in the key policy by an ARN in it (so planning needs no account lookup): the first
   * ARN registered is used; any ARN of the stack's account will do.
   */
  useAccountOf(arn: string): void {
    this.accountArn ??= arn;
  }

  /** Lets EventBridge use the key for what this rule publishes to an encrypted topic. */
  admitEventRule(ruleArn: string): void {
    this.eventRuleArns.push(ruleArn);
  }

  /**
   * Replaces the created key's default policy: the account administers the key; its principals may use
   * it only through the services that need it; CloudWatch Logs may use it for this app's log groups;
   * EventBridge for the rules admitted.
   */
  private writePolicy(): void {
    if (!this.key) return;
    const accountArn = this.accountArn;
    if (!accountArn) throw new Error(`EncryptionKey ${this.node.path}: no ARN of the account was registered (useAccountOf)`);
    const part = (i: number) => Fn.element(Fn.split(":", accountArn), i);
    const root = Fn.format("arn:%s:iam::%s:root", [part(1), part(4)]);
    const region = this.props.region;
    const logGroupPrefixes = Object.values(LOG_GROUP_PATHS).map((path) => `${path}${this.props.appName}-`);
    const eventRuleArns = this.eventRuleArns;
    const document = new DataAwsIamPolicyDocument(this, "policy-doc", {
      statement: [
        {
          sid: "AccountAdministersTheKey",
          principals: [{ type: "AWS", identifiers: [root] }],
          actions: [
            "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
            "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
            "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
          ],
          // In a key policy "*" means this key.
          resources: ["*"],
        },
        {
          sid: "UseThroughTheServicesThatNeedIt",
          principals: [{ type: "AWS", identifiers: [root] }],
          actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
          // In a key policy "*" means this key.
          resources: ["*"],
          condition: [
            { test: "StringEquals", variable: "kms:ViaService", values: KEY_USING_SERVICES.map((s) => `${s}.${region}.amazonaws.com`) },
          ],
        },
        {
          sid: "CloudWatchLogsForThisAppsLogGroups",
          principals: [{ type: "Service", identifiers: [`logs.${region}.amazonaws.com`] }],
          actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          // In a key policy "*" means this key.
          resources: ["*"],
          condition: [
            {
              test: "ArnLike",
              variable: "kms:EncryptionContext:aws:logs:arn",
              values: logGroupPrefixes.map((prefix) => Fn.format("arn:%s:logs:%s:%s:log-group:%s*", [part(1), region, part(4), prefix])),
            },
          ],
        },
        ...(eventRuleArns.length
          ? [
              {
                sid: "EventBridgeForTheseRules",
                principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
                // Publishing to an encrypted topic: a data key for the message.
                actions: ["kms:GenerateDataKey", "kms:Decrypt"],
                // In a key policy "*" means this key.
                resources: ["*"],
                condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: eventRuleArns }],
              },
            ]
          : []),
      ],
    });
    new KmsKeyPolicy(this, "policy", { keyId: this.key.keyId, policy: document.json });
  }

  /**
   * Lets the role encrypt and decrypt with the key (IAM side; the key policy admits it through a service).
   * With `unlessGranted`, a role this key already granted gets no second policy. (Grants of earlier
   * releases keep their policies, even where one role holds two: removing one would delete a resource
   * of a running stack.)
   */
  grantUse(role: ServiceRole, policyName = "kms-use", options: { readonly unlessGranted?: boolean } = {}): void {
    if (options.unlessGranted && this.users.has(role)) return;
    this.users.add(role);
    role.addPolicy(policyName, [
      { sid: "UseTheStackKey", actions: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], resources: [this.keyArn] },
    ]);
  }
}
