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
import { environmentContract, imagePlatform, workflowVariables } from "./application-contract";
import { DEFAULT_DEPLOY_BRANCH, githubEnvironmentsOf } from "./delivery-config";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface GitHubActionsDeliveryProps<D extends EnvironmentDeployment = EnvironmentDeployment> {
  readonly appName: string;
  readonly region: string;
  /** owner/name of the repository whose workflows may push and deploy. */
  readonly repository: string;
  /** Branch whose workflow runs may push and deploy. @default DEFAULT_DEPLOY_BRANCH */
  readonly branch?: string;
  /** The GitHub environment of the last environment's deploy job. @default that environment's githubEnvironment, else its name */
  readonly githubEnvironment?: string;
  /** A full subject pattern replacing the branch for the build job (e.g. tags); each deploy job stays bound to its GitHub environment. */
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

/** Each environment's deploy role name: the last keeps the name of the one deploy role releases before per-environment roles had. */
export function deployRoleNames(appName: string, environments: readonly string[]): string[] {
  const last = environments.length - 1;
  return environments.map((env, i) => (i === last ? physicalName("iamRole", appName, "github-deploy") : physicalName("iamRole", `${appName}-${env}`, "github-deploy")));
}

/**
 * The OIDC `sub` each job of the deploy workflow presents. GitHub issues `repo:O/R:environment:E` to a
 * job that names an environment and `repo:O/R:ref:<ref>` to one that does not
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims).
 * The build job names none; every deploy job runs in its environment's GitHub environment, so each
 * deploy role trusts exactly that one, and no trust depends on how GitHub treats an empty environment name.
 */
export function oidcSubjects(
  props: Pick<GitHubActionsDeliveryProps, "repository" | "branch" | "subjectPattern">,
  githubEnvironments: readonly string[],
): { readonly push: string; readonly deploy: string[] } {
  const push = props.subjectPattern ?? `repo:${props.repository}:ref:refs/heads/${props.branch ?? DEFAULT_DEPLOY_BRANCH}`;
  return { push, deploy: githubEnvironments.map((name) => `repo:${props.repository}:environment:${name}`) };
}

/**
 * Delivery by GitHub Actions instead of CodePipeline: GitHub's OIDC provider and one role per job of the
 * workflow, least privilege each. The push role (the build job, on the branch) may only push to this ECR
 * repository; each environment's deploy role (its deploy job, in its GitHub environment) may only register
 * that environment's task family, pass its two roles and deploy through its deployment group.
 */
/** The account's GitHub OIDC provider (an account has at most one per URL): this delivery's, or several services' one. */
export function githubOidcProvider(scope: Construct, id: string): IamOpenidConnectProvider {
  return new IamOpenidConnectProvider(scope, id, {
    url: `https://${GITHUB_OIDC_HOST}`,
    clientIdList: ["sts.amazonaws.com"],
    // No thumbprint: IAM verifies GitHub's endpoint through its own trusted root CAs.
  });
}

export class GitHubActionsDelivery<D extends EnvironmentDeployment = EnvironmentDeployment> extends Construct {
  readonly mode = "github-actions";
  readonly pushRole: ServiceRole;
  /** Each environment's deploy role, in deployment order. */
  readonly deployRoles: ServiceRole[];
  /** The last (production) environment's deploy role, at the address and name releases before per-environment roles gave the one deploy role. */
  readonly deployRole: ServiceRole;
  readonly oidcProviderArn: string;
  /** The provider this stack created; undefined when an existing one was given. */
  readonly oidcProvider?: IamOpenidConnectProvider;
  /** The GitHub environment of each environment's deploy job, in deployment order. */
  readonly githubEnvironments: string[];
  /** The OIDC subject (or pattern) the push role trusts, and each deploy role's. */
  readonly subjects: { readonly push: string; readonly deploy: string[] };
  /** What every job of the workflow reads from repository-scoped `vars.*`. */
  readonly repositoryVariables: Record<string, string>;
  /** What each deploy job reads from its GitHub environment's `vars.*`, by GitHub environment. */
  readonly environmentVariables: Record<string, Record<string, string>>;

  constructor(scope: Construct, id: string, props: GitHubActionsDeliveryProps<D>) {
    super(scope, id);
    if (props.oidcProviderArn) {
      this.oidcProviderArn = props.oidcProviderArn;
    } else {
      this.oidcProvider = githubOidcProvider(this, "oidc");
      this.oidcProviderArn = this.oidcProvider.arn;
    }
    const environments = props.environments;
    this.githubEnvironments = githubEnvironmentsOf(environments.map((env) => env.settings), props.githubEnvironment);
    this.subjects = oidcSubjects(props, this.githubEnvironments);

    this.pushRole = new ServiceRole(this, "push-role", {
      name: physicalName("iamRole", props.appName, "github-push"),
      description: `GitHub Actions (${props.repository}), build job: push the image to ECR`,
      trust: this.trust(this.subjects.push),
    });
    props.containerRepository.grantPullPush(this.pushRole);

    const last = environments.length - 1;
    const roleNames = deployRoleNames(props.appName, environments.map((env) => env.name));
    this.deployRoles = environments.map((env, i) => {
      // The last environment's role keeps the construct id and name of the single deploy role before it.
      const role = new ServiceRole(this, i === last ? "role" : `role-${env.name}`, {
        name: roleNames[i],
        // The wording of the one deploy role before per-environment roles, so upgrading updates no role in place.
        description: `GitHub Actions (${props.repository}), deploy job: register the task definition, deploy through CodeDeploy`,
        trust: this.trust(this.subjects.deploy[i]),
      });
      role.addPolicy("deploy", props.trafficControl.deployerStatements([env], "workflow"));
      return role;
    });
    this.deployRole = this.deployRoles[last];

    this.repositoryVariables = {
      AWS_REGION: props.region,
      AWS_PUSH_ROLE_ARN: this.pushRole.role.arn,
      ECR_REPOSITORY_URI: props.containerRepository.repository.repositoryUrl,
      IMAGE_PLATFORM: imagePlatform(environments[0].service.cpuArchitecture),
    };
    this.environmentVariables = Object.fromEntries(
      environments.map((env, i) => [this.githubEnvironments[i], workflowVariables(environmentContract(env, props.network), { deployRoleArn: this.deployRoles[i].role.arn })]),
    );
    stackOutput(this, "github_actions_push_role_arn", this.pushRole.role.arn, "Role the workflow's build job assumes (OIDC): push to ECR");
    stackOutput(this, "github_actions_deploy_role_arn", this.deployRole.role.arn, "Role the last environment's deploy job assumes (OIDC): register and deploy");
    stackOutput(
      this,
      "github_actions_variables",
      Fn.jsonencode(this.repositoryVariables),
      "Repository variables the workflow reads (npm run github-variables prints the gh commands that set them)",
    );
    stackOutput(
      this,
      "github_actions_environment_variables",
      Fn.jsonencode(this.environmentVariables),
      "Each GitHub environment's variables its deploy job reads (npm run github-variables prints the gh commands, with --env)",
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
