import { Fn } from "cdktf";
import { Construct } from "constructs";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { physicalName } from "../core/naming";
import { stackOutput } from "../core/stack-output";
import { DeploymentEnvironment } from "../environment/deployment-environment";
import { NetworkPlacement } from "../network/network";
import { PolicyStatement, ServiceRole } from "../security/iam";
import { ContainerRepository } from "../service/container-repository";
import { EnvironmentDeployment, TrafficControl } from "../traffic-control/traffic-control";
import { environmentContract, workflowVariables } from "./application-contract";
import { DEFAULT_DEPLOY_BRANCH } from "./delivery-config";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface GitHubActionsDeliveryProps<D extends EnvironmentDeployment = EnvironmentDeployment> {
  readonly appName: string;
  readonly region: string;
  /** owner/name of the repository whose workflows may push and deploy. */
  readonly repository: string;
  /** Branch whose workflow runs may push and deploy. @default DEFAULT_DEPLOY_BRANCH */
  readonly branch?: string;
  /** A GitHub deployment environment the deploy job must run in. @default none: the deploy job runs on the branch */
  readonly githubEnvironment?: string;
  /** A full subject pattern replacing the branch (e.g. tags); the environment still gates the deploy job. */
  readonly subjectPattern?: string;
  /** The account's existing GitHub OIDC provider; created when absent. */
  readonly oidcProviderArn?: string;
  readonly containerRepository: ContainerRepository;
  readonly environments: DeploymentEnvironment<D>[];
  /** Where the environments' tasks run (the AppSpec's network configuration). */
  readonly network: NetworkPlacement;
  /** What deploys each environment, and the permissions that takes. */
  readonly trafficControl: TrafficControl<D>;
}

/**
 * The OIDC `sub` each job of the deploy workflow presents. GitHub issues `repo:O/R:environment:E` to a
 * job that names an environment and `repo:O/R:ref:<ref>` to one that does not, so the build job (no
 * environment) and the deploy job (in githubEnvironment, when set) need a trust of their own.
 */
export function oidcSubjects(
  props: Pick<GitHubActionsDeliveryProps, "repository" | "branch" | "githubEnvironment" | "subjectPattern">,
): { readonly push: string; readonly deploy: string } {
  const push = props.subjectPattern ?? `repo:${props.repository}:ref:refs/heads/${props.branch ?? DEFAULT_DEPLOY_BRANCH}`;
  const deploy = props.githubEnvironment ? `repo:${props.repository}:environment:${props.githubEnvironment}` : push;
  return { push, deploy };
}

/**
 * Delivery by GitHub Actions instead of CodePipeline: GitHub's OIDC provider and one role per job of the
 * workflow, least privilege each. The push role (the build job, on the branch) may only push to this ECR
 * repository; the deploy role (the deploy job, in the GitHub environment when one is set) may only
 * register this stack's task families, pass their two roles and deploy through these deployment groups.
 */
export class GitHubActionsDelivery<D extends EnvironmentDeployment = EnvironmentDeployment> extends Construct {
  readonly mode = "github-actions";
  readonly pushRole: ServiceRole;
  readonly deployRole: ServiceRole;
  readonly oidcProviderArn: string;
  /** The provider this stack created; undefined when an existing one was given. */
  readonly oidcProvider?: IamOpenidConnectProvider;
  /** The GitHub environment the deploy job runs in, when the deploy role trusts one. */
  readonly githubEnvironment?: string;
  /** The OIDC subject (or pattern) each role trusts. */
  readonly subjects: { readonly push: string; readonly deploy: string };
  /**
   * Everything app-repo-sample/.github/workflows/deploy.yml reads from `vars.*`, by variable name, for the
   * environment it deploys to (the last).
   */
  readonly variables: Record<string, string>;

  constructor(scope: Construct, id: string, props: GitHubActionsDeliveryProps<D>) {
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
    this.subjects = oidcSubjects(props);
    this.githubEnvironment = props.githubEnvironment;

    this.pushRole = new ServiceRole(this, "push-role", {
      name: physicalName("iamRole", props.appName, "github-push"),
      description: `GitHub Actions (${props.repository}), build job: push the image to ECR`,
      trust: this.trust(this.subjects.push),
    });
    props.containerRepository.grantPullPush(this.pushRole);

    const environments = props.environments;
    this.deployRole = new ServiceRole(this, "role", {
      name: physicalName("iamRole", props.appName, "github-deploy"),
      description: `GitHub Actions (${props.repository}), deploy job: register the task definition, deploy through CodeDeploy`,
      trust: this.trust(this.subjects.deploy),
    });
    this.deployRole.addPolicy("deploy", props.trafficControl.deployerStatements(environments, "workflow"));

    const target = environments[environments.length - 1];
    this.variables = workflowVariables(environmentContract(target, props.network), {
      region: props.region,
      pushRoleArn: this.pushRole.role.arn,
      deployRoleArn: this.deployRole.role.arn,
      githubEnvironment: this.githubEnvironment,
      repositoryUrl: props.containerRepository.repository.repositoryUrl,
    });
    stackOutput(this, "github_actions_push_role_arn", this.pushRole.role.arn, "Role the workflow's build job assumes (OIDC): push to ECR");
    stackOutput(this, "github_actions_deploy_role_arn", this.deployRole.role.arn, "Role the workflow's deploy job assumes (OIDC): register and deploy");
    stackOutput(
      this,
      "github_actions_variables",
      Fn.jsonencode(this.variables),
      "Set each as a GitHub Actions variable of the repository (gh variable set NAME --body VALUE); the workflow reads them",
    );
  }

  private trust(subject: string): PolicyStatement[] {
    const exact = !/[*?]/.test(subject);
    return [
      {
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [this.oidcProviderArn] }],
        condition: [
          { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: ["sts.amazonaws.com"] },
          { test: exact ? "StringEquals" : "StringLike", variable: `${GITHUB_OIDC_HOST}:sub`, values: [subject] },
        ],
      },
    ];
  }
}
