import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Codepipeline, CodepipelineStageAction } from "@cdktf/provider-aws/lib/codepipeline";
import { CodecommitRepository } from "@cdktf/provider-aws/lib/codecommit-repository";
import { arnInAccountOf, ServiceRole } from "../../security/iam";
import { physicalName } from "../../core/naming";
import { PipelineSourceBase, sourceStageAction, SourceContext, SourceOutput } from "./pipeline-source";
import { SOURCE_DEFAULTS } from "./source-config";

export interface CodeCommitSourceProps {
  readonly context: SourceContext;
  readonly repositoryName: string;
  /** Create the repository; false uses an existing one of that name. @default SOURCE_DEFAULTS.createRepository */
  readonly createRepository?: boolean;
  /** @default SOURCE_DEFAULTS.branchName */
  readonly branchName?: string;
}

/**
 * Source from a CodeCommit repository, created by the stack or existing. Pushes to the branch start the
 * pipeline through an EventBridge rule (AWS's recommended trigger; polling is off).
 */
export class CodeCommitSource extends PipelineSourceBase {
  readonly repositoryArn: string;
  /** The repository this stack created; undefined for an existing one. */
  readonly repository?: CodecommitRepository;
  private readonly props: CodeCommitSourceProps;

  constructor(scope: Construct, id: string, props: CodeCommitSourceProps) {
    super(scope, id);
    this.props = props;
    if (props.createRepository ?? SOURCE_DEFAULTS.createRepository) {
      this.repository = new CodecommitRepository(this, "repo", {
        repositoryName: props.repositoryName,
        // No default_branch: AWS accepts one only once the branch exists, and a new repository is empty.
        description: `Application source of ${props.context.appName}`,
      });
      this.repositoryArn = this.repository.arn;
    } else {
      this.repositoryArn = arnInAccountOf(props.context.accountArn, "codecommit", props.repositoryName);
    }
  }

  private get branch(): string {
    return this.props.branchName ?? SOURCE_DEFAULTS.branchName;
  }

  sourceAction(outputArtifact: string): CodepipelineStageAction {
    return sourceStageAction("AWS", "CodeCommit", outputArtifact, {
      RepositoryName: this.props.repositoryName,
      BranchName: this.branch,
      OutputArtifactFormat: "CODE_ZIP",
      PollForSourceChanges: "false",
    });
  }

  grantPipeline(role: ServiceRole): void {
    role.addPolicy("source-codecommit", [
      {
        sid: "ReadRepository",
        actions: [
          "codecommit:GetBranch",
          "codecommit:GetCommit",
          "codecommit:UploadArchive",
          "codecommit:GetUploadArchiveStatus",
          "codecommit:CancelUploadArchive",
        ],
        resources: [this.repositoryArn],
      },
    ]);
  }

  bindPipeline(pipeline: Codepipeline): void {
    const app = this.props.context.appName;
    const rule = new CloudwatchEventRule(this, "on-push", {
      name: physicalName("eventRule", app, "source-push"),
      description: `Start ${app}'s pipeline on pushes to ${this.branch}`,
      // jsonencode, not JSON.stringify: a reference inside a JSON string literal breaks the HCL rendering (`cdktf synth --hcl`, `npm run export`).
      eventPattern: Fn.jsonencode({
        source: ["aws.codecommit"],
        "detail-type": ["CodeCommit Repository State Change"],
        resources: [this.repositoryArn],
        detail: { event: ["referenceCreated", "referenceUpdated"], referenceType: ["branch"], referenceName: [this.branch] },
      }),
    });
    const starter = new ServiceRole(this, "starter", {
      name: physicalName("iamRole", app, "source-events"),
      servicePrincipal: "events.amazonaws.com",
      description: "EventBridge: start the pipeline on a push",
    });
    starter.addPolicy("start-pipeline", [
      { sid: "StartPipeline", actions: ["codepipeline:StartPipelineExecution"], resources: [pipeline.arn] },
    ]);
    new CloudwatchEventTarget(this, "start-pipeline", { rule: rule.name, arn: pipeline.arn, roleArn: starter.role.arn });
  }

  get outputs(): Record<string, SourceOutput> {
    if (!this.repository) return {};
    return {
      codecommit_clone_url_http: { value: this.repository.cloneUrlHttp, description: "git clone over HTTPS (git-remote-codecommit or credentials helper)" },
      codecommit_clone_url_ssh: { value: this.repository.cloneUrlSsh, description: "git clone over SSH (an IAM user's SSH key)" },
    };
  }
}
