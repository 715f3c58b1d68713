import { Construct } from "constructs";
import { ResolvedEnvironment, StackConfig } from "../config";
import { physicalName } from "../core/naming";
import { prefixOutputsUnder } from "../core/stack-output";
import { createDelivery, Delivery } from "../delivery/delivery";
import { DeliverySettings } from "../delivery/delivery-config";
import { SourceSettings } from "../delivery/sources/source-config";
import { NetworkPlacement } from "../network/network";
import { ServiceRouting } from "../network/service-routing-config";
import { ReleaseNotifications } from "../release-safety/release-notifications";
import { EncryptionKey } from "../security/encryption-key";
import { ContainerRepository } from "../service/container-repository";
import { DatabaseSettings } from "../service/database-config";
import { BlueGreenDeployment } from "../traffic-control/blue-green-deployment";
import { CodeDeployTrafficControl } from "../traffic-control/codedeploy-traffic-control";
import { DeploymentEnvironment } from "./deployment-environment";
import { EnvironmentPlatform } from "./environment-platform";

/** What one delivered service is made of, wherever it sits: its repository, its environments, its delivery. */
export interface DeliveredService {
  readonly repository: ContainerRepository;
  /** In deployment order. */
  readonly environments: DeploymentEnvironment<BlueGreenDeployment>[];
  readonly delivery: Delivery<BlueGreenDeployment>;
}

export interface DeliveredServiceProps {
  readonly config: StackConfig;
  /** Prefix of the service's physical names: the app's, and with several services the service's. */
  readonly namePrefix: string;
  /** The service in each environment, in deployment order. */
  readonly environments: readonly ResolvedEnvironment[];
  readonly database: DatabaseSettings;
  readonly build: StackConfig["build"];
  /** How the service is delivered (with several services and GitHub Actions: its own repository). @default config.delivery */
  readonly delivery?: DeliverySettings;
  readonly source?: SourceSettings;
  /** Its folder of the shared repository. @default the whole repository */
  readonly folder?: string;
  /** Each environment's shared load balancer and cluster, and the service's rules on them. @default its own load balancer and cluster per environment */
  readonly shared?: { readonly platforms: EnvironmentPlatform[]; readonly routing: ServiceRouting };
  readonly network: NetworkPlacement;
  readonly trafficControl: CodeDeployTrafficControl;
  readonly notifications: ReleaseNotifications;
  readonly encryptionKey?: EncryptionKey;
}

/** The image repository, every environment and the delivery of one service, created under `scope`. */
export function deliveredService(scope: Construct, props: DeliveredServiceProps): DeliveredService {
  const { config, namePrefix: appName, encryptionKey } = props;
  const repository = new ContainerRepository(scope, "ecr", { name: physicalName("ecrRepository", appName), ...config.ecr, encryptionKey });
  const last = props.environments.length - 1;
  const environments = props.environments.map(
    (settings, i) =>
      new DeploymentEnvironment(scope, settings.name, {
        appName,
        region: config.region,
        settings,
        network: props.network,
        platform: props.shared?.platforms[i],
        routing: props.shared?.routing,
        repository,
        trafficControl: props.trafficControl,
        database: props.database,
        sandbox: config.sandbox,
        encryptionKey,
        notifications: props.notifications,
        isProduction: i === last,
      }),
  );
  const delivery = createDelivery(scope, {
    appName,
    region: config.region,
    sandbox: config.sandbox,
    delivery: props.delivery ?? config.delivery,
    source: props.source,
    artifacts: config.artifacts,
    build: props.build,
    repository,
    environments,
    network: props.network,
    trafficControl: props.trafficControl,
    encryptionKey,
    notifications: props.notifications,
    folder: props.folder,
  });
  return { repository, environments, delivery };
}

export interface ApplicationServiceProps extends Pick<DeliveredServiceProps, "config" | "network" | "trafficControl" | "notifications" | "encryptionKey"> {
  /** This service's resolved settings (one item of `config.services`). */
  readonly service: StackConfig["services"][number];
  /** Each environment's shared load balancer and cluster, in the environments' order. */
  readonly platforms: EnvironmentPlatform[];
  /** The connection of the repository services share by folder, when the stack created it. @default the source's own */
  readonly sharedConnectionArn?: string;
  /** With GitHub Actions: the account's GitHub OIDC provider, when the stack created it for every service. @default delivery.oidcProviderArn */
  readonly sharedOidcProviderArn?: string;
}

/**
 * One of several services on the platform: its own image repository, its share of every environment
 * (target groups and rules, ECS service, deployment group, release safety, database) and its own
 * pipeline. Its names start with `<app>-<service>`, its outputs with `<service>_`.
 */
export class ApplicationService extends Construct implements DeliveredService {
  readonly name: string;
  readonly repository: ContainerRepository;
  readonly environments: DeploymentEnvironment<BlueGreenDeployment>[];
  readonly delivery: Delivery<BlueGreenDeployment>;

  constructor(scope: Construct, id: string, props: ApplicationServiceProps) {
    super(scope, id);
    const { service } = props;
    this.name = service.name;
    prefixOutputsUnder(this, `${service.name}_`);
    const source = service.source;
    const delivery = props.config.delivery;
    const delivered = deliveredService(this, {
      ...props,
      namePrefix: `${props.config.appName}-${service.name}`,
      environments: service.environments,
      database: service.database,
      build: service.build,
      // With GitHub Actions: the service's repository, and the one OIDC provider an account may have.
      delivery:
        delivery.mode === "github-actions"
          ? { ...delivery, repository: service.repository, oidcProviderArn: delivery.oidcProviderArn ?? props.sharedOidcProviderArn }
          : delivery,
      source: service.folder && source?.kind === "codestar" ? { ...source, connectionArn: source.connectionArn ?? props.sharedConnectionArn } : source,
      folder: service.folder,
      shared: { platforms: props.platforms, routing: service.routing },
    });
    ({ repository: this.repository, environments: this.environments, delivery: this.delivery } = delivered);
  }
}
