import { Fn, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ArtifactBucket } from "./delivery/artifact-bucket";
import { EcsDeploymentApplication } from "./traffic-control/codedeploy/blue-green-deployment";
import { BuildProject } from "./delivery/build-project";
import { StackConfig } from "./config";
import { ContainerRepository } from "./service/container-repository";
import { DeliveryPipeline } from "./delivery/delivery-pipeline";
import { DeploymentEnvironment } from "./environment/deployment-environment";
import { EncryptionKey } from "./security/encryption-key";
import { GitHubActionsDelivery } from "./delivery/github-actions-delivery";
import { physicalName } from "./core/naming";
import { localStatePath, RunningStackGuard } from "./release-safety/running-stack-guard";
import { ExistingNetwork, Network, NetworkPlacement } from "./network/network";
import { createSource, PipelineSource } from "./delivery/sources";
import { ReleaseNotifications } from "./release-safety/release-notifications";

/** Credentials used only in sandbox mode, where nothing talks to AWS; they grant nothing anywhere. */
export const SANDBOX_CREDENTIALS = { accessKey: "sandbox", secretKey: "sandbox" } as const;

/** The whole blue/green delivery platform for one application, wired from a validated config. */
export class BlueGreenStack extends TerraformStack {
  readonly region: string;
  /** The network the stack created, or the existing one it was given. */
  readonly network: NetworkPlacement;
  /** The customer-managed key, when configured. */
  readonly encryptionKey?: EncryptionKey;
  readonly repository: ContainerRepository;
  readonly application: EcsDeploymentApplication;
  /** In deployment order. */
  readonly environments: DeploymentEnvironment[];
  /** CodePipeline delivery: its artifact bucket, source, build and pipeline. */
  readonly artifacts?: ArtifactBucket;
  readonly source?: PipelineSource;
  readonly build?: BuildProject;
  readonly pipeline?: DeliveryPipeline;
  /** GitHub Actions delivery: the OIDC trust and deploy role. */
  readonly githubActions?: GitHubActionsDelivery;
  /** The release topic: deployments' and the pipeline's outcomes. */
  readonly notifications: ReleaseNotifications;

  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    const app = config.appName;
    this.region = config.region;

    const sandbox = config.sandbox
      ? {
          ...SANDBOX_CREDENTIALS,
          skipCredentialsValidation: true,
          skipRequestingAccountId: true,
          skipMetadataApiCheck: "true",
          skipRegionValidation: true,
        }
      : {};
    new AwsProvider(this, "aws", { region: config.region, defaultTags: [{ tags: { application: app, ...config.tags } }], ...sandbox });
    let stateProvider: AwsProvider | undefined;
    if (config.stateBackend) {
      const stateRegion = config.stateBackend.region ?? config.region;
      const backend = new S3Backend(this, {
        bucket: config.stateBackend.bucket,
        key: config.stateBackend.key,
        region: stateRegion,
        encrypt: true,
      });
      // S3-native state locking (Terraform >= 1.10); cdktf 0.21's typed config predates it.
      backend.addOverride("use_lockfile", true);
      // The guard reads the state object; a bucket in another region needs a provider there.
      if (stateRegion !== config.region) stateProvider = new AwsProvider(this, "state-region", { region: stateRegion, alias: "state", ...sandbox });
    } else {
      new LocalBackend(this, { path: localStatePath(config) });
    }
    new RunningStackGuard(this, "running-stack-guard", { config, stateProvider });

    this.network = config.network.existing
      ? new ExistingNetwork(this, "network", config.network.existing)
      : new Network(this, "network", {
          namePrefix: app,
          vpcCidr: config.network.vpcCidr,
          availabilityZones: config.availabilityZones,
          publicSubnetCidrs: config.network.publicSubnetCidrs,
          privateSubnetCidrs: config.network.privateSubnetCidrs,
          natGateways: config.network.natGateways,
        });
    const encryption = config.encryption;
    if (encryption.customerManagedKey !== "aws-managed") {
      this.encryptionKey = new EncryptionKey(this, "kms", { appName: app, region: config.region, existingKeyArn: encryption.kmsKeyArn });
    }
    const encryptionKey = this.encryptionKey;
    this.repository = new ContainerRepository(this, "ecr", { name: physicalName("ecrRepository", app), ...config.ecr, encryptionKey });
    const delivery = config.delivery;
    if (delivery.mode === "codepipeline") {
      this.artifacts = new ArtifactBucket(this, "artifacts", {
        bucketPrefix: physicalName("bucketPrefix", app, "artifacts-"),
        ...config.artifacts,
        encryptionKey,
      });
    }
    this.application = new EcsDeploymentApplication(this, "codedeploy", { name: physicalName("codedeployApplication", app) });
    this.notifications = new ReleaseNotifications(this, "release-notifications", { appName: app, emails: config.notifications.emails, encryptionKey });
    this.environments = config.environments.map(
      (settings) =>
        new DeploymentEnvironment(this, settings.name, {
          appName: app,
          region: config.region,
          settings,
          network: this.network,
          repository: this.repository,
          application: this.application,
          artifacts: this.artifacts,
          database: config.database,
          encryptionKey,
          notifications: this.notifications,
        }),
    );

    if (delivery.mode === "github-actions") {
      this.githubActions = new GitHubActionsDelivery(this, "github-actions", {
        appName: app,
        ...delivery,
        containerRepository: this.repository,
        environments: this.environments,
      });
    } else {
      const artifacts = this.artifacts!;
      this.source = createSource(this, config.source!, {
        appName: app,
        region: config.region,
        accountArn: this.repository.repository.arn,
        sandbox: config.sandbox,
      });
      this.build = new BuildProject(this, "build", {
        appName: app,
        repository: this.repository,
        artifacts,
        environments: this.environments,
        taskSubnetIds: this.network.taskSubnetIds,
        assignPublicIp: this.network.assignPublicIp,
        ...config.build,
        encryptionKey,
      });
      this.source.grantBuild(this.build.role);
      this.pipeline = new DeliveryPipeline(this, "pipeline", {
        appName: app,
        source: this.source,
        artifacts,
        build: this.build,
        environments: this.environments,
      });
    }

    if (this.pipeline) this.notifications.announcePipeline(this.pipeline.pipeline, physicalName("eventRule", app, "pipeline-outcome"));
    this.notifications.admitPublishers();

    // The created key's policy names the log groups and the event rule it serves; the account comes from a role's ARN.
    encryptionKey?.restrictTo(
      this.environments[0].service.executionRole.role.arn,
      [`/ecs/${app}-`, `/codebuild/${app}-`, `/aws/lambda/${app}-`],
      this.notifications.pipelineRule ? [this.notifications.pipelineRule.arn] : [],
    );
    this.addOutputs(config);
  }

  private addOutputs(config: StackConfig): void {
    const region = config.region;
    const last = this.environments[this.environments.length - 1];
    const outputs: Record<string, [string, string]> = {
      production_url: [last.url, `Production listener of the last environment (${last.name})`],
      test_url: [last.testUrl, `Test listener of ${last.name}: the replacement tasks during a deployment`],
      ecr_repository_url: [this.repository.repository.repositoryUrl, "Push images here (the pipeline does)"],
      codedeploy_application: [this.application.application.name, "CodeDeploy application"],
      release_topic_arn: [this.notifications.topic.arn, "SNS topic announcing deployments and pipeline outcomes (subscribers confirm by e-mail once)"],
    };
    for (const env of this.environments) {
      outputs[`${env.name}_url`] = [env.url, `${env.name}: production listener`];
      outputs[`${env.name}_test_url`] = [env.testUrl, `${env.name}: test listener (QA before reroute)`];
      if (env.domain) outputs[`${env.name}_load_balancer_dns_name`] = [env.loadBalancer.loadBalancer.dnsName, `${env.name}: point ${env.domain.domainName} here (an alias or CNAME) when the stack manages no DNS record for it`];
      outputs[`${env.name}_ecs_cluster_name`] = [env.service.cluster.name, `${env.name}: ECS cluster`];
      outputs[`${env.name}_ecs_service_name`] = [env.service.service.name, `${env.name}: ECS service`];
      outputs[`${env.name}_deployment_group`] = [env.deployment.deploymentGroup.deploymentGroupName, `${env.name}: CodeDeploy deployment group`];
    }
    if (this.pipeline) {
      const name = this.pipeline.pipeline.name;
      outputs.pipeline_name = [name, "CodePipeline name"];
      outputs.pipeline_console_url = [
        `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${name}/view?region=${region}`,
        "The pipeline in the AWS console",
      ];
      outputs.artifact_bucket = [this.artifacts!.bucket.bucket, "Pipeline artifact bucket"];
    }
    if (this.pipeline?.approvalTopic) {
      outputs.approval_topic_arn = [this.pipeline.approvalTopic.topic.arn, "SNS topic announcing approval requests (subscribers confirm by e-mail once)"];
    }
    if (this.githubActions) {
      outputs.github_actions_push_role_arn = [this.githubActions.pushRole.role.arn, "Role the workflow's build job assumes (OIDC): push to ECR"];
      outputs.github_actions_deploy_role_arn = [this.githubActions.deployRole.role.arn, "Role the workflow's deploy job assumes (OIDC): register and deploy"];
      outputs.github_actions_variables = [
        Fn.jsonencode(githubActionsVariables(this)),
        "Set each as a GitHub Actions variable of the repository (gh variable set NAME --body VALUE); the workflow reads them",
      ];
    }
    for (const [name, [value, description]] of Object.entries(outputs)) {
      new TerraformOutput(this, name, { value, description });
    }
    for (const [name, output] of Object.entries(this.source?.outputs ?? {})) {
      new TerraformOutput(this, name, output);
    }
  }
}

/**
 * Everything app-repo-sample/.github/workflows/deploy.yml reads from `vars.*`, by variable name, for the
 * environment it deploys to (the last).
 */
export function githubActionsVariables(stack: BlueGreenStack): Record<string, string> {
  const delivery = stack.githubActions;
  if (!delivery) throw new Error("githubActionsVariables: the stack has no GitHub Actions delivery");
  const target = stack.environments[stack.environments.length - 1];
  return {
    AWS_REGION: stack.region,
    AWS_PUSH_ROLE_ARN: delivery.pushRole.role.arn,
    AWS_DEPLOY_ROLE_ARN: delivery.deployRole.role.arn,
    // Only with an environment trust: the deploy job must then run in that GitHub environment.
    ...(delivery.githubEnvironment ? { DEPLOY_ENVIRONMENT: delivery.githubEnvironment } : {}),
    ECR_REPOSITORY_URI: stack.repository.repository.repositoryUrl,
    TASK_FAMILY: target.service.taskDefinition.family,
    CONTAINER_NAME: target.service.containerName,
    CONTAINER_PORT: String(target.service.containerPort),
    ECS_CLUSTER: target.service.cluster.name,
    ECS_SERVICE: target.service.service.name,
    CODEDEPLOY_APPLICATION: target.deployment.application.name,
    CODEDEPLOY_DEPLOYMENT_GROUP: target.deployment.deploymentGroup.deploymentGroupName,
    // The AppSpec's network configuration: a NAT mode or zone change reaches the tasks with the next run.
    SUBNET_IDS: Fn.join(",", stack.network.taskSubnetIds),
    SECURITY_GROUP_IDS: target.service.securityGroup.id,
    ASSIGN_PUBLIC_IP: stack.network.assignPublicIp ? "ENABLED" : "DISABLED",
    // The AppSpec's lifecycle hooks line (the smoke test and deployment.hooks); empty without hooks.
    APPSPEC_HOOKS: target.deployment.appSpecHooks,
  };
}
