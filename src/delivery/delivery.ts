import { Construct } from "constructs";
import { EnvironmentDeployment } from "../traffic-control/traffic-control";
import { CodePipelineDelivery, CodePipelineDeliveryProps } from "./codepipeline-delivery";
import { DeliverySettings } from "./delivery-config";
import { GitHubActionsDelivery } from "./github-actions-delivery";
import { SourceSettings } from "./sources/source-config";

/** How new revisions reach the environments: CodePipeline with CodeBuild, or the repository's GitHub workflow. */
export type Delivery<D extends EnvironmentDeployment = EnvironmentDeployment> = CodePipelineDelivery<D> | GitHubActionsDelivery<D>;

/** What either delivery is wired to; `source` is CodePipeline's only. */
export interface DeliveryProps<D extends EnvironmentDeployment> extends Omit<CodePipelineDeliveryProps<D>, "source"> {
  readonly delivery: DeliverySettings;
  readonly source?: SourceSettings;
}

/** The delivery `delivery.mode` names, wired to the environments. */
export function createDelivery<D extends EnvironmentDeployment>(scope: Construct, props: DeliveryProps<D>): Delivery<D> {
  const { delivery, source, ...wiring } = props;
  if (delivery.mode === "github-actions") {
    const { mode: _mode, repository, ...github } = delivery;
    // The config requires the repository (the stack's, or each service's) before anything is built.
    if (!repository) throw new Error('delivery mode "github-actions" needs a repository');
    return new GitHubActionsDelivery(scope, "github-actions", {
      ...github,
      repository,
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
