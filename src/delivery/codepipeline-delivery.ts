import { Construct } from "constructs";
import { physicalName } from "../core/naming";
import { DeploymentEnvironment } from "../environment/deployment-environment";
import { NetworkPlacement } from "../network/network";
import { ReleaseNotifications } from "../release-safety/release-notifications";
import { EncryptionKey } from "../security/encryption-key";
import { ContainerRepository } from "../service/container-repository";
import { EnvironmentDeployment, TrafficControl } from "../traffic-control/traffic-control";
import { environmentContract } from "./application-contract";
import { ArtifactBucket } from "../storage/artifact-bucket";
import { BuildProject, BuildProjectProps } from "./build-project";
import { DeliveryPipeline } from "./delivery-pipeline";
import { createSource, PipelineSource } from "./sources";
import { SourceSettings } from "./sources/source-config";

export interface CodePipelineDeliveryProps<D extends EnvironmentDeployment> {
  readonly appName: string;
  readonly region: string;
  /** Offline planning: the source reads nothing from AWS. */
  readonly sandbox: boolean;
  readonly source: SourceSettings;
  readonly artifacts: { readonly forceDestroy?: boolean; readonly noncurrentVersionExpirationDays?: number };
  readonly build: Omit<BuildProjectProps, "appName" | "repository" | "artifacts" | "environments" | "encryptionKey">;
  readonly repository: ContainerRepository;
  /** In deployment order. */
  readonly environments: DeploymentEnvironment<D>[];
  readonly network: NetworkPlacement;
  readonly trafficControl: TrafficControl<D>;
  readonly encryptionKey?: EncryptionKey;
  readonly notifications?: ReleaseNotifications;
  /** One of several services in a shared repository: its folder (the build's directory, the pipeline's trigger). @default the whole repository */
  readonly folder?: string;
}

/**
 * Delivery by CodePipeline: an artifact bucket, the source the config names, a CodeBuild project that
 * builds the image and renders every environment's deployment files, and the pipeline that deploys them
 * in order. Its constructs sit at the top of the stack (their addresses predate this class).
 */
export class CodePipelineDelivery<D extends EnvironmentDeployment = EnvironmentDeployment> {
  readonly mode = "codepipeline";
  readonly artifacts: ArtifactBucket;
  readonly source: PipelineSource;
  readonly build: BuildProject;
  readonly pipeline: DeliveryPipeline<D>;

  constructor(scope: Construct, props: CodePipelineDeliveryProps<D>) {
    const { appName, encryptionKey, repository, environments } = props;
    this.artifacts = new ArtifactBucket(scope, "artifacts", {
      bucketPrefix: physicalName("bucketPrefix", appName, "artifacts-"),
      ...props.artifacts,
      encryptionKey,
    });
    this.source = createSource(scope, props.source, { appName, region: props.region, accountArn: repository.repository.arn, sandbox: props.sandbox });
    this.build = new BuildProject(scope, "build", {
      appName,
      repository,
      artifacts: this.artifacts,
      environments: environments.map((env) => environmentContract(env, props.network)),
      ...props.build,
      encryptionKey,
      serviceDirectory: props.folder,
    });
    this.source.grantBuild(this.build.role);
    this.pipeline = new DeliveryPipeline(scope, "pipeline", {
      appName,
      region: props.region,
      source: this.source,
      artifacts: this.artifacts,
      build: this.build,
      environments,
      trafficControl: props.trafficControl,
      notifications: props.notifications,
      folder: props.folder,
    });
  }
}
