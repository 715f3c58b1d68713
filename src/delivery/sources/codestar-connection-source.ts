import { Construct } from "constructs";
import { CodepipelineStageAction, CodepipelineTrigger } from "@cdktf/provider-aws/lib/codepipeline";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { ServiceRole } from "../../security/iam";
import { physicalName } from "../../core/naming";
import { PipelineSourceBase, sourceStageAction, SourceContext, SourceOutput } from "./pipeline-source";
import { SOURCE_DEFAULTS } from "./source-config";

export interface CodeStarConnectionSourceProps {
  readonly context: SourceContext;
  /** @default SOURCE_DEFAULTS.providerType */
  readonly providerType?: "GitHub" | "Bitbucket" | "GitLab";
  /** owner/name of the repository. */
  readonly repositoryId: string;
  /** @default SOURCE_DEFAULTS.branchName */
  readonly branchName?: string;
  /** An existing connection to use instead of creating one. */
  readonly connectionArn?: string;
  /** Hand CodeBuild a full clone (CODEBUILD_CLONE_REF) rather than a zip. @default SOURCE_DEFAULTS.fullClone */
  readonly fullClone?: boolean;
}

/** A connection several services' pipelines share (a repository with a folder per service), created once. */
export function sharedConnection(scope: Construct, id: string, props: { readonly appName: string; readonly providerType?: CodeStarConnectionSourceProps["providerType"] }): CodestarconnectionsConnection {
  return new CodestarconnectionsConnection(scope, id, {
    name: physicalName("codestarConnection", props.appName, "source"),
    providerType: props.providerType ?? SOURCE_DEFAULTS.providerType,
  });
}

/**
 * Source from GitHub, Bitbucket or GitLab through a CodeStar (CodeConnections) connection. A connection
 * created here starts PENDING: someone must complete the handshake with the Git host once, in the console.
 */
export class CodeStarConnectionSource extends PipelineSourceBase {
  readonly connectionArn: string;
  /** The connection this stack created; undefined when an existing one was given. */
  readonly connection?: CodestarconnectionsConnection;
  private readonly props: CodeStarConnectionSourceProps;

  constructor(scope: Construct, id: string, props: CodeStarConnectionSourceProps) {
    super(scope, id);
    this.props = props;
    if (props.connectionArn) {
      this.connectionArn = props.connectionArn;
    } else {
      this.connection = new CodestarconnectionsConnection(this, "connection", {
        name: physicalName("codestarConnection", props.context.appName, "source"),
        providerType: props.providerType ?? SOURCE_DEFAULTS.providerType,
      });
      this.connectionArn = this.connection.arn;
    }
  }

  sourceAction(outputArtifact: string): CodepipelineStageAction {
    return sourceStageAction("AWS", "CodeStarSourceConnection", outputArtifact, {
      ConnectionArn: this.connectionArn,
      FullRepositoryId: this.props.repositoryId,
      BranchName: this.props.branchName ?? SOURCE_DEFAULTS.branchName,
      OutputArtifactFormat: (this.props.fullClone ?? SOURCE_DEFAULTS.fullClone) ? "CODEBUILD_CLONE_REF" : "CODE_ZIP",
      DetectChanges: "true",
    });
  }

  /**
   * Pushes to the branch that change the folder. CodePipeline documents triggers for
   * CodeStarSourceConnection actions of V2 pipelines only, and that a trigger replaces the default change
   * detection (User Guide, "Add trigger with code push or pull request event types"; CloudFormation,
   * PipelineTriggerDeclaration).
   */
  folderTrigger(folder: string): CodepipelineTrigger {
    return {
      providerType: "CodeStarSourceConnection",
      gitConfiguration: {
        sourceActionName: "Source",
        push: [{ branches: { includes: [this.props.branchName ?? SOURCE_DEFAULTS.branchName] }, filePaths: { includes: [`${folder}/**`] } }],
      },
    };
  }

  grantPipeline(role: ServiceRole): void {
    role.addPolicy("source-connection", [this.useConnection()]);
  }

  /** With a full clone, CodeBuild itself pulls from the Git host through the connection. */
  grantBuild(role: ServiceRole): void {
    if (this.props.fullClone ?? SOURCE_DEFAULTS.fullClone) role.addPolicy("source-connection", [this.useConnection()]);
  }

  private useConnection() {
    return {
      sid: "UseConnection",
      actions: ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
      resources: [this.connectionArn],
    };
  }

  get outputs(): Record<string, SourceOutput> {
    const region = this.props.context.region;
    return {
      connection_arn: { value: this.connectionArn, description: "CodeStar connection used by the Source stage" },
      connection_activation_url: {
        value: `https://${region}.console.aws.amazon.com/codesuite/settings/connections?region=${region}`,
        description:
          "A new connection is PENDING: open this page, choose the connection, 'Update pending connection' and authorize the Git host once. Then release a change in the pipeline.",
      },
    };
  }
}
