import { Construct } from "constructs";
import { DeploymentEnvironment } from "../environment/deployment-environment";
import { NetworkPlacement } from "../network/network";
import { ReleaseNotifications } from "../release-safety/release-notifications";
import { EncryptionKey } from "../security/encryption-key";
import { ContainerRepository } from "../service/container-repository";
import { EnvironmentDeployment, TrafficControl } from "../traffic-control/traffic-control";
import { CodePipelineDelivery, CodePipelineDeliveryProps } from "./codepipeline-delivery";
import { DeliverySettings } from "./delivery-config";
import { GitHubActionsDelivery } from "./github-actions-delivery";
import { SourceSettings } from "./sources/source-config";

/** How new revisions reach the environments: CodePipeline with CodeBuild, or the repository's GitHub workflow. */
export type Delivery<D extends EnvironmentDeployment = EnvironmentDeployment> = CodePipelineDelivery<D> | GitHubActionsDelivery<D>;

export interface DeliveryProps<D extends EnvironmentDeployment> {
  readonly appName: string;
  readonly region: string;
  readonly sandbox: boolean;
  readonly delivery: DeliverySettings;
  /** The pipeline's source (CodePipeline only). */
  readonly source?: SourceSettings;
  readonly artifacts: CodePipelineDeliveryProps<D>["artifacts"];
  readonly build: CodePipelineDeliveryProps<D>["build"];
  readonly repository: ContainerRepository;
  /** In deployment order. */
  readonly environments: DeploymentEnvironment<D>[];
  readonly network: NetworkPlacement;
  readonly trafficControl: TrafficControl<D>;
  readonly encryptionKey?: EncryptionKey;
  readonly notifications?: ReleaseNotifications;
}

/** The delivery `delivery.mode` names, wired to the environments. */
export function createDelivery<D extends EnvironmentDeployment>(scope: Construct, props: DeliveryProps<D>): Delivery<D> {
  const { delivery, source, ...wiring } = props;
  if (delivery.mode === "github-actions") {
    const { mode: _mode, ...github } = delivery;
    return new GitHubActionsDelivery(scope, "github-actions", {
      ...github,
      appName: props.appName,
      region: props.region,
      containerRepository: props.repository,
      environments: props.environments,
      network: props.network,
      trafficControl: props.trafficControl,
    });
  }
  // The config refuses CodePipeline delivery without a source before anything is built.
  if (!source) throw new Error('delivery mode "codepipeline" needs a source');
  return new CodePipelineDelivery(scope, { ...wiring, source });
}
