import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { EncryptionKey } from "../security/encryption-key";
import { PolicyStatement, ServiceRole } from "../security/iam";
import { physicalName } from "../core/naming";
import { renderAtSynth } from "../core/render-at-synth";
import { stackOutput } from "../core/stack-output";
import { perItem } from "../core/stable-ids";

/** What CodeDeploy announces on the release topic. */
export const DEPLOYMENT_TRIGGER_EVENTS = ["DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback"] as const;
/** Pipeline execution states announced on the release topic. */
export const PIPELINE_NOTICE_STATES = ["FAILED", "SUCCEEDED"] as const;

export interface ReleaseNotificationsProps {
  readonly appName: string;
  /** Addresses subscribed to the topic; each confirms once. @default [] */
  readonly emails?: string[];
  /** Customer-managed key the topic is encrypted with. @default none (SNS's own encryption at rest) */
  readonly encryptionKey?: EncryptionKey;
}

/**
 * One SNS topic for release events: CodeDeploy's deployment triggers and, with CodePipeline, failed and
 * succeeded pipeline executions through an EventBridge rule. Its policy admits those publishers only:
 * each registers itself (`grantPublish`, `announcePipeline`), and the policy is written when the stack
 * is synthesized.
 */
export class ReleaseNotifications extends Construct {
  readonly topic: SnsTopic;
  /** The rule that forwards pipeline executions' outcomes, once a pipeline is announced here. */
  readonly pipelineRules: CloudwatchEventRule[] = [];
  private readonly appName: string;
  private readonly encryptionKey?: EncryptionKey;
  private readonly publishers: ServiceRole[] = [];

  constructor(scope: Construct, id: string, props: ReleaseNotificationsProps) {
    super(scope, id);
    this.appName = props.appName;
    this.encryptionKey = props.encryptionKey;
    this.topic = new SnsTopic(this, "topic", {
      name: physicalName("snsTopic", props.appName, "releases"),
      kmsMasterKeyId: props.encryptionKey?.keyArn,
    });
    perItem(props.emails ?? [], "email", (itemId, email) => new SnsTopicSubscription(this, itemId, { topicArn: this.topic.arn, protocol: "email", endpoint: email }));
    stackOutput(this, "release_topic_arn", this.topic.arn, "SNS topic announcing deployments and pipeline outcomes (subscribers confirm by e-mail once)");
    renderAtSynth(this, () => this.admitPublishers());
  }

  /** Lets a CodeDeploy service role publish its deployment group's triggers here. */
  grantPublish(role: ServiceRole): void {
    role.addPolicy("release-notices", [{ sid: "PublishReleaseEvents", actions: ["sns:Publish"], resources: [this.topic.arn] }]);
    this.encryptionKey?.grantUse(role, "release-notices-key");
    this.publishers.push(role);
  }

  /**
   * Forwards a pipeline's failed and succeeded executions to the topic. `owner` is the app name the
   * pipeline's names start with: one of several services' (`<app>-<service>`) gets rules of its own.
   */
  announcePipeline(pipeline: Codepipeline, owner: string = this.appName): void {
    const key = owner === this.appName ? "" : `${owner.slice(this.appName.length + 1)}-`;
    const rule = new CloudwatchEventRule(this, `${key}pipeline-rule`, {
      name: physicalName("eventRule", owner, "pipeline-outcome"),
      description: "Pipeline executions that failed or succeeded, to the release topic",
      // jsonencode, not JSON.stringify: a reference inside a JSON string literal breaks the HCL rendering (`cdktf synth --hcl`, `npm run export`).
      eventPattern: Fn.jsonencode({
        source: ["aws.codepipeline"],
        "detail-type": ["CodePipeline Pipeline Execution State Change"],
        detail: { pipeline: [pipeline.name], state: [...PIPELINE_NOTICE_STATES] },
      }),
    });
    this.pipelineRules.push(rule);
    new CloudwatchEventTarget(this, `${key}pipeline-target`, {
      rule: rule.name,
      arn: this.topic.arn,
      inputTransformer: {
        inputPaths: { pipeline: "$.detail.pipeline", state: "$.detail.state", execution: "$.detail.execution-id", region: "$.region" },
        inputTemplate:
          '"Pipeline <pipeline>: execution <execution> <state>. https://<region>.console.aws.amazon.com/codesuite/codepipeline/pipelines/<pipeline>/executions/<execution>/timeline"',
      },
    });
    // EventBridge encrypts what it publishes to an encrypted topic with the topic's key.
    this.encryptionKey?.admitEventRule(rule.arn);
  }

  /** The topic policy: exactly the publishers registered above, and the pipeline rule. */
  private admitPublishers(): void {
    const statements: PolicyStatement[] = [];
    if (this.publishers.length) {
      statements.push({
        sid: "CodeDeployTriggers",
        principals: [{ type: "AWS", identifiers: this.publishers.map((r) => r.role.arn) }],
        actions: ["sns:Publish"],
        resources: [this.topic.arn],
      });
    }
    if (this.pipelineRules.length) {
      statements.push({
        sid: "PipelineOutcomes",
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [this.topic.arn],
        condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: this.pipelineRules.map((rule) => rule.arn) }],
      });
    }
    if (!statements.length) return;
    const document = new DataAwsIamPolicyDocument(this, "policy-doc", { statement: statements });
    new SnsTopicPolicy(this, "policy", { arn: this.topic.arn, policy: document.json });
  }
}
