import { Construct } from "constructs";
import { CodepipelineStageAction } from "@cdktf/provider-aws/lib/codepipeline";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { ServiceRole } from "../../security/iam";
import { PipelineSourceBase, sourceStageAction, SourceContext } from "./pipeline-source";
import { SOURCE_DEFAULTS } from "./source-config";

export interface GitHubOAuthSourceProps {
  readonly context: SourceContext;
  readonly owner: string;
  readonly repo: string;
  /** @default SOURCE_DEFAULTS.branchName */
  readonly branchName?: string;
  /** Secrets Manager secret holding the token (give this or tokenParameterName). */
  readonly tokenSecretName?: string;
  /** SSM SecureString parameter holding the token. */
  readonly tokenParameterName?: string;
}

/** Shown in place of the token in sandbox mode, which may make no AWS call (not even a secret read). */
export const SANDBOX_TOKEN_PLACEHOLDER = "sandbox-mode-no-token";

/**
 * The legacy GitHub (version 1) source action with an OAuth token. The token is read at plan/apply time
 * from Secrets Manager or SSM by name: the config and the synthesized JSON hold only the name. Terraform
 * keeps the value read in its state (marked sensitive), so state must be protected as the token is.
 */
export class GitHubOAuthSource extends PipelineSourceBase {
  private readonly props: GitHubOAuthSourceProps;
  private readonly token: string;

  constructor(scope: Construct, id: string, props: GitHubOAuthSourceProps) {
    super(scope, id);
    this.props = props;
    if (props.context.sandbox) {
      this.token = SANDBOX_TOKEN_PLACEHOLDER;
    } else if (props.tokenSecretName) {
      this.token = new DataAwsSecretsmanagerSecretVersion(this, "token", { secretId: props.tokenSecretName }).secretString;
    } else {
      this.token = new DataAwsSsmParameter(this, "token", { name: props.tokenParameterName!, withDecryption: true }).value;
    }
  }

  sourceAction(outputArtifact: string): CodepipelineStageAction {
    return sourceStageAction("ThirdParty", "GitHub", outputArtifact, {
      Owner: this.props.owner,
      Repo: this.props.repo,
      Branch: this.props.branchName ?? SOURCE_DEFAULTS.branchName,
      OAuthToken: this.token,
      // No webhook without a GitHub provider: the v1 action polls the branch.
      PollForSourceChanges: "true",
    });
  }

  /** The GitHub v1 action authenticates with the token itself; the pipeline's role needs nothing for it. */
  grantPipeline(_role: ServiceRole): void {}
}
