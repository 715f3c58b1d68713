import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { StackConfig } from "./config";
import { physicalName } from "./core/naming";
import { createDelivery, Delivery } from "./delivery/delivery";
import { DeploymentEnvironment } from "./environment/deployment-environment";
import { NetworkPlacement, placeNetwork } from "./network/network";
import { addProviderAndBackend } from "./provider/aws-provider";
import { ReleaseNotifications } from "./release-safety/release-notifications";
import { RunningStackGuard } from "./release-safety/running-stack-guard";
import { EncryptionKey } from "./security/encryption-key";
import { ContainerRepository } from "./service/container-repository";
import { BlueGreenDeployment } from "./traffic-control/blue-green-deployment";
import { CodeDeployTrafficControl } from "./traffic-control/codedeploy-traffic-control";

/** The whole blue/green delivery platform for one application, composed from a validated config. */
export class BlueGreenStack extends TerraformStack {
  readonly region: string;
  /** The network the stack created, or the existing one it was given. */
  readonly network: NetworkPlacement;
  /** The customer-managed key, when configured. */
  readonly encryptionKey?: EncryptionKey;
  readonly repository: ContainerRepository;
  /** Who deploys new revisions and shifts the traffic: CodeDeploy. */
  readonly trafficControl: CodeDeployTrafficControl;
  /** The release topic: deployments' and the pipeline's outcomes. */
  readonly notifications: ReleaseNotifications;
  /** In deployment order. */
  readonly environments: DeploymentEnvironment<BlueGreenDeployment>[];
  /** CodePipeline or the GitHub workflow, as `delivery.mode` says. */
  readonly delivery: Delivery<BlueGreenDeployment>;

  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    const appName = config.appName;
    this.region = config.region;
    const { stateProvider } = addProviderAndBackend(this, { ...config, appName });
    new RunningStackGuard(this, "running-stack-guard", { config, stateProvider });

    this.network = placeNetwork(this, "network", { namePrefix: appName, availabilityZones: config.availabilityZones, settings: config.network });
    const encryption = config.encryption;
    if (encryption.customerManagedKey !== "aws-managed") {
      this.encryptionKey = new EncryptionKey(this, "kms", { appName, region: config.region, existingKeyArn: encryption.kmsKeyArn });
    }
    const encryptionKey = this.encryptionKey;
    this.repository = new ContainerRepository(this, "ecr", { name: physicalName("ecrRepository", appName), ...config.ecr, encryptionKey });
    this.trafficControl = new CodeDeployTrafficControl(this, { appName });
    this.notifications = new ReleaseNotifications(this, "release-notifications", { appName, emails: config.notifications.emails, encryptionKey });
    const last = config.environments.length - 1;
    this.environments = config.environments.map(
      (settings, i) =>
        new DeploymentEnvironment(this, settings.name, {
          appName,
          region: config.region,
          settings,
          network: this.network,
          repository: this.repository,
          trafficControl: this.trafficControl,
          database: config.database,
          sandbox: config.sandbox,
          encryptionKey,
          notifications: this.notifications,
          isProduction: i === last,
        }),
    );
    this.delivery = createDelivery(this, {
      appName,
      region: config.region,
      sandbox: config.sandbox,
      delivery: config.delivery,
      source: config.source,
      artifacts: config.artifacts,
      build: config.build,
      repository: this.repository,
      environments: this.environments,
      network: this.network,
      trafficControl: this.trafficControl,
      encryptionKey,
      notifications: this.notifications,
    });
  }
}
