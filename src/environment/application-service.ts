import { Construct } from "constructs";
import { StackConfig } from "../config";
import { physicalName } from "../core/naming";
import { prefixOutputsUnder } from "../core/stack-output";
import { createDelivery, Delivery } from "../delivery/delivery";
import { NetworkPlacement } from "../network/network";
import { ReleaseNotifications } from "../release-safety/release-notifications";
import { EncryptionKey } from "../security/encryption-key";
import { ContainerRepository } from "../service/container-repository";
import { BlueGreenDeployment } from "../traffic-control/blue-green-deployment";
import { CodeDeployTrafficControl } from "../traffic-control/codedeploy-traffic-control";
import { DeploymentEnvironment } from "./deployment-environment";
import { EnvironmentPlatform } from "./environment-platform";

export interface ApplicationServiceProps {
  readonly config: StackConfig;
  /** This service's resolved settings (one item of `config.services`). */
  readonly service: StackConfig["services"][number];
  /** Each environment's shared load balancer and cluster, in the environments' order. */
  readonly platforms: EnvironmentPlatform[];
  readonly network: NetworkPlacement;
  readonly trafficControl: CodeDeployTrafficControl;
  readonly notifications: ReleaseNotifications;
  readonly encryptionKey?: EncryptionKey;
  /** The connection of the repository services share by folder, when the stack created it. @default the source's own */
  readonly sharedConnectionArn?: string;
}

/**
 * One of several services on the platform: its own image repository, its share of every environment
 * (target groups and rules, ECS service, deployment group, release safety, database) and its own
 * pipeline. Its names start with `<app>-<service>`, its outputs with `<service>_`.
 */
export class ApplicationService extends Construct {
  readonly name: string;
  readonly repository: ContainerRepository;
  /** In deployment order. */
  readonly environments: DeploymentEnvironment<BlueGreenDeployment>[];
  readonly delivery: Delivery<BlueGreenDeployment>;

  constructor(scope: Construct, id: string, props: ApplicationServiceProps) {
    super(scope, id);
    const { config, service } = props;
    this.name = service.name;
    prefixOutputsUnder(this, `${service.name}_`);
    const appName = `${config.appName}-${service.name}`;
    const encryptionKey = props.encryptionKey;
    this.repository = new ContainerRepository(this, "ecr", { name: physicalName("ecrRepository", appName), ...config.ecr, encryptionKey });
    const last = service.environments.length - 1;
    this.environments = service.environments.map(
      (settings, i) =>
        new DeploymentEnvironment(this, settings.name, {
          appName,
          region: config.region,
          settings,
          network: props.network,
          platform: props.platforms[i],
          routing: service.routing,
          repository: this.repository,
          trafficControl: props.trafficControl,
          database: service.database,
          sandbox: config.sandbox,
          encryptionKey,
          notifications: props.notifications,
          isProduction: i === last,
        }),
    );
    this.delivery = createDelivery(this, {
      appName,
      region: config.region,
      sandbox: config.sandbox,
      delivery: config.delivery,
      source: service.folder && service.source?.kind === "codestar" ? { ...service.source, connectionArn: service.source.connectionArn ?? props.sharedConnectionArn } : service.source,
      folder: service.folder,
      artifacts: config.artifacts,
      build: service.build,
      repository: this.repository,
      environments: this.environments,
      network: props.network,
      trafficControl: props.trafficControl,
      encryptionKey,
      notifications: props.notifications,
    });
  }
}
