import { Construct } from "constructs";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { ContainerRepository } from "./container-repository";
import { DeploymentEnvironment, deployerStatements } from "./deployment-environment";
import { ServiceRole } from "./iam";
import { NAME_LIMITS, physicalName } from "./naming";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface GitHubActionsDeliveryProps {
  readonly appName: string;
  /** owner/name of the repository whose workflows may deploy. */
  readonly repository: string;
  /** @default "main" */
  readonly branch?: string;
  /** A GitHub deployment environment the deploying job must run in. */
  readonly githubEnvironment?: string;
  /** Full subject pattern; overrides branch and githubEnvironment. */
  readonly subjectPattern?: string;
  /** The account's existing GitHub OIDC provider; created when absent. */
  readonly oidcProviderArn?: string;
  readonly containerRepository: ContainerRepository;
  readonly environments: DeploymentEnvironment[];
}

/** The OIDC `sub` a workflow run must present: the configured pattern, an environment, or a branch. */
export function oidcSubject(props: Pick<GitHubActionsDeliveryProps, "repository" | "branch" | "githubEnvironment" | "subjectPattern">): string {
  if (props.subjectPattern) return props.subjectPattern;
  if (props.githubEnvironment) return `repo:${props.repository}:environment:${props.githubEnvironment}`;
  return `repo:${props.repository}:ref:refs/heads/${props.branch ?? "main"}`;
}

/**
 * Delivery by GitHub Actions instead of CodePipeline: GitHub's OIDC provider and a role that only the
 * configured repository's workflow (on one branch or GitHub environment) can assume, allowed to push to
 * this ECR repository, register this task family and start CodeDeploy deployments in these groups.
 */
export class GitHubActionsDelivery extends Construct {
  readonly role: ServiceRole;
  readonly oidcProviderArn: string;
  /** The provider this stack created; undefined when an existing one was given. */
  readonly oidcProvider?: IamOpenidConnectProvider;
  readonly subject: string;

  constructor(scope: Construct, id: string, props: GitHubActionsDeliveryProps) {
    super(scope, id);
    if (props.oidcProviderArn) {
      this.oidcProviderArn = props.oidcProviderArn;
    } else {
      this.oidcProvider = new IamOpenidConnectProvider(this, "oidc", {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: ["sts.amazonaws.com"],
        // No thumbprint: IAM verifies GitHub's endpoint through its own trusted root CAs.
      });
      this.oidcProviderArn = this.oidcProvider.arn;
    }
    this.subject = oidcSubject(props);
    const exact = !/[*?]/.test(this.subject);

    this.role = new ServiceRole(this, "role", {
      name: physicalName(props.appName, "github-deploy", NAME_LIMITS.iamRole),
      description: `GitHub Actions (${props.repository}): push the image and deploy through CodeDeploy`,
      trust: [
        {
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [this.oidcProviderArn] }],
          condition: [
            { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: ["sts.amazonaws.com"] },
            { test: exact ? "StringEquals" : "StringLike", variable: `${GITHUB_OIDC_HOST}:sub`, values: [this.subject] },
          ],
        },
      ],
    });
    props.containerRepository.grantPullPush(this.role);

    const environments = props.environments;
    this.role.addPolicy("deploy", [
      // The workflow starts from the current revision (describe), then registers the new one.
      ...deployerStatements(environments, ["ecs:DescribeTaskDefinition"]),
      {
        sid: "WatchService",
        actions: ["ecs:DescribeServices"],
        resources: environments.map((env) => env.service.service.id),
      },
    ]);
  }
}
