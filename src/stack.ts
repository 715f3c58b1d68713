import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ArtifactBucket } from "./artifact-bucket";
import { BlueGreenDeployment } from "./blue-green-deployment";
import { BuildProject } from "./build-project";
import { StackConfig } from "./config";
import { ContainerRepository } from "./container-repository";
import { DeliveryPipeline } from "./delivery-pipeline";
import { FargateService } from "./fargate-service";
import { BlueGreenLoadBalancer } from "./load-balancer";
import { NAME_LIMITS, physicalName } from "./naming";
import { Network } from "./network";
import { createSource, PipelineSource } from "./sources";

/** Credentials used only in sandbox mode, where nothing talks to AWS; they grant nothing anywhere. */
export const SANDBOX_CREDENTIALS = { accessKey: "sandbox", secretKey: "sandbox" } as const;

/** The whole blue/green delivery platform for one application, wired from a validated config. */
export class BlueGreenStack extends TerraformStack {
  readonly network: Network;
  readonly loadBalancer: BlueGreenLoadBalancer;
  readonly repository: ContainerRepository;
  readonly service: FargateService;
  readonly artifacts: ArtifactBucket;
  readonly build: BuildProject;
  readonly deployment: BlueGreenDeployment;
  readonly pipeline: DeliveryPipeline;

  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    const app = config.appName;

    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: { application: app, ...config.tags } }],
      ...(config.sandbox
        ? {
            ...SANDBOX_CREDENTIALS,
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipMetadataApiCheck: "true",
            skipRegionValidation: true,
          }
        : {}),
    });
    if (config.stateBackend) {
      const backend = new S3Backend(this, {
        bucket: config.stateBackend.bucket,
        key: config.stateBackend.key,
        region: config.stateBackend.region ?? config.region,
        encrypt: true,
      });
      // S3-native state locking (Terraform >= 1.10); cdktf 0.21's typed config predates it.
      backend.addOverride("use_lockfile", true);
    } else if (config.localStatePath) {
      new LocalBackend(this, { path: config.localStatePath });
    }

    this.network = new Network(this, "network", {
      namePrefix: app,
      vpcCidr: config.network.vpcCidr,
      availabilityZones: config.availabilityZones,
      publicSubnetCidrs: config.network.publicSubnetCidrs,
      privateSubnetCidrs: config.network.privateSubnetCidrs,
      natGateways: config.network.natGateways,
    });
    this.loadBalancer = new BlueGreenLoadBalancer(this, "lb", {
      appName: app,
      vpc: this.network.vpc,
      subnets: this.network.publicSubnets,
      targetPort: config.service.containerPort,
      ...config.loadBalancer,
    });
    this.repository = new ContainerRepository(this, "ecr", { name: app, ...config.ecr });
    this.service = new FargateService(this, "ecs", {
      appName: app,
      region: config.region,
      vpc: this.network.vpc,
      subnets: this.network.taskSubnets,
      assignPublicIp: this.network.assignPublicIp,
      loadBalancer: this.loadBalancer,
      repository: this.repository,
      ...config.service,
    });
    this.artifacts = new ArtifactBucket(this, "artifacts", {
      bucketPrefix: physicalName(app, "artifacts-", NAME_LIMITS.bucketPrefix),
      ...config.artifacts,
    });
    this.build = new BuildProject(this, "build", {
      appName: app,
      repository: this.repository,
      artifacts: this.artifacts,
      service: this.service,
      taskSubnetIds: this.network.taskSubnets.map((s) => s.id),
      assignPublicIp: this.network.assignPublicIp,
      ...config.build,
    });
    this.deployment = new BlueGreenDeployment(this, "deploy", {
      appName: app,
      service: this.service,
      loadBalancer: this.loadBalancer,
      artifacts: this.artifacts,
      ...config.deployment,
    });
    const source = createSource(this, config);
    this.pipeline = new DeliveryPipeline(this, "pipeline", {
      appName: app,
      source,
      artifacts: this.artifacts,
      build: this.build,
      deployment: this.deployment,
      service: this.service,
    });

    this.addOutputs(config, source);
  }

  private addOutputs(config: StackConfig, source: PipelineSource): void {
    const dns = this.loadBalancer.loadBalancer.dnsName;
    const region = config.region;
    const outputs: Record<string, [string, string]> = {
      production_url: [`http://${dns}${portSuffix(this.loadBalancer.productionPort)}`, "Production listener"],
      test_url: [`http://${dns}:${this.loadBalancer.testPort}`, "Test listener: the replacement tasks during a deployment"],
      ecr_repository_url: [this.repository.repository.repositoryUrl, "Push images here (the pipeline does)"],
      pipeline_name: [this.pipeline.pipeline.name, "CodePipeline name"],
      pipeline_console_url: [
        `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${this.pipeline.pipeline.name}/view?region=${region}`,
        "The pipeline in the AWS console",
      ],
      artifact_bucket: [this.artifacts.bucket.bucket, "Pipeline artifact bucket"],
      ecs_cluster_name: [this.service.cluster.name, "ECS cluster"],
      ecs_service_name: [this.service.service.name, "ECS service"],
      codedeploy_application: [this.deployment.application.name, "CodeDeploy application"],
      codedeploy_deployment_group: [this.deployment.deploymentGroup.deploymentGroupName, "CodeDeploy deployment group"],
    };
    for (const [name, [value, description]] of Object.entries(outputs)) {
      new TerraformOutput(this, name, { value, description });
    }
    for (const [name, output] of Object.entries(source.outputs)) {
      new TerraformOutput(this, name, output);
    }
  }
}

function portSuffix(port: number): string {
  return port === 80 ? "" : `:${port}`;
}
