import { Construct } from "constructs";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { ContainerRepository } from "../service/container-repository";
import { DeploymentEnvironment, deployerStatements } from "../environment/deployment-environment";
import { PolicyStatement, ServiceRole } from "../security/iam";
import { physicalName } from "../core/naming";
import { DEFAULT_DEPLOY_BRANCH } from "./delivery-config";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface GitHubActionsDeliveryProps {
  readonly appName: string;
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
  readonly environments: DeploymentEnvironment[];
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
export class GitHubActionsDelivery extends Construct {
  readonly pushRole: ServiceRole;
  readonly deployRole: ServiceRole;
  readonly oidcProviderArn: string;
  /** The provider this stack created; undefined when an existing one was given. */
  readonly oidcProvider?: IamOpenidConnectProvider;
  /** The GitHub environment the deploy job runs in, when the deploy role trusts one. */
  readonly githubEnvironment?: string;
  /** The OIDC subject (or pattern) each role trusts. */
  readonly subjects: { readonly push: string; readonly deploy: string };

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
    this.deployRole.addPolicy("deploy", [
      {
        sid: "ReadCurrentTaskDefinition",
        actions: ["ecs:DescribeTaskDefinition"],
        // DescribeTaskDefinition has no resource type in AWS's service authorization reference.
        resources: ["*"],
      },
      ...deployerStatements(environments),
      {
        sid: "WatchService",
        actions: ["ecs:DescribeServices"],
        resources: environments.map((env) => env.service.service.id),
      },
      // amazon-ecs-deploy-task-definition reads the group's wait times before it creates the deployment.
      {
        sid: "ReadDeploymentGroup",
        actions: ["codedeploy:GetDeploymentGroup"],
        resources: environments.map((env) => env.deployment.deploymentGroup.arn),
      },
    ]);
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
