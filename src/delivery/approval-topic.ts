import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { ServiceRole } from "../security/iam";
import { stackOutput } from "../core/stack-output";
import { perItem } from "../core/stable-ids";
import { EncryptionKey } from "../security/encryption-key";

export interface ApprovalTopicProps {
  /** Topic name. */
  readonly name: string;
  /** Addresses notified of each approval request; each confirms its subscription once. @default [] */
  readonly emails?: string[];
  /** Customer-managed key the topic is encrypted with. @default AWS_MANAGED_SNS_KEY */
  readonly encryptionKey?: EncryptionKey;
}

/**
 * SNS's AWS-managed key: its policy lets any principal of the account use it through SNS, so the
 * pipeline's role (the approval actions' publisher) needs no grant (CKV_AWS_26 without a customer-managed key).
 */
export const AWS_MANAGED_SNS_KEY = "alias/aws/sns";

/** SNS topic that the pipeline's manual approval actions announce themselves on. */
export class ApprovalTopic extends Construct {
  readonly topic: SnsTopic;
  private readonly encryptionKey?: EncryptionKey;

  constructor(scope: Construct, id: string, props: ApprovalTopicProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.topic = new SnsTopic(this, "topic", { name: props.name, kmsMasterKeyId: props.encryptionKey?.keyArn ?? AWS_MANAGED_SNS_KEY });
    perItem(props.emails ?? [], "email", (itemId, email) => new SnsTopicSubscription(this, itemId, { topicArn: this.topic.arn, protocol: "email", endpoint: email }));
    stackOutput(this, "approval_topic_arn", this.topic.arn, "SNS topic announcing approval requests (subscribers confirm by e-mail once)");
  }

  /** Lets the role announce approval requests here (and use the topic's key, unless it already may). */
  grantPublish(role: ServiceRole): void {
    this.encryptionKey?.grantUse(role, "approval-notify-kms", { unlessGranted: true });
    role.addPolicy("approval-notify", [{ sid: "NotifyApprovers", actions: ["sns:Publish"], resources: [this.topic.arn] }]);
  }
}
