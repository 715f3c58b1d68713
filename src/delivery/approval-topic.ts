import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { ServiceRole } from "../security/iam";
import { stackOutput } from "../core/stack-output";
import { perItem } from "../core/stable-ids";

export interface ApprovalTopicProps {
  /** Topic name. */
  readonly name: string;
  /** Addresses notified of each approval request; each confirms its subscription once. @default [] */
  readonly emails?: string[];
}

/** SNS topic that the pipeline's manual approval actions announce themselves on. */
export class ApprovalTopic extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, props: ApprovalTopicProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, "topic", { name: props.name });
    perItem(props.emails ?? [], "email", (itemId, email) => new SnsTopicSubscription(this, itemId, { topicArn: this.topic.arn, protocol: "email", endpoint: email }));
    stackOutput(this, "approval_topic_arn", this.topic.arn, "SNS topic announcing approval requests (subscribers confirm by e-mail once)");
  }

  grantPublish(role: ServiceRole): void {
    role.addPolicy("approval-notify", [{ sid: "NotifyApprovers", actions: ["sns:Publish"], resources: [this.topic.arn] }]);
  }
}
