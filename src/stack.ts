import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { StackConfig } from "./config";
import { Delivery } from "./delivery/delivery";
import { githubOidcProvider } from "./delivery/github-actions-delivery";
import { sharedConnection } from "./delivery/sources/codestar-connection-source";
import { ApplicationService, deliveredService } from "./environment/application-service";
import { DeploymentEnvironment } from "./environment/deployment-environment";
import { SharedEnvironment } from "./environment/environment-platform";
import { NetworkPlacement, placeNetwork } from "./network/network";
import { addProviderAndBackend } from "./provider/aws-provider";
import { ReleaseNotifications } from "./release-safety/release-notifications";
import { RunningStackGuard } from "./release-safety/running-stack-guard";
import { EncryptionKey } from "./security/encryption-key";
import { ContainerRepository } from "./service/container-repository";
import { AccessLogBucket } from "./storage/access-log-bucket";
import { physicalName } from "./core/naming";
import { S3Source } from "./delivery/sources/s3-source";
import { BlueGreenDeployment } from "./traffic-control/blue-green-deployment";
import { CodeDeployTrafficControl } from "./traffic-control/codedeploy-traffic-control";

/** The whole blue/green delivery platform for one application, composed from a validated config. */
export class BlueGreenStack extends TerraformStack {
  readonly region: string;
  /** The network the stack created, or the existing one it was given. */
  readonly network: NetworkPlacement;
  /** The customer-managed key, when configured. */
  readonly encryptionKey?: EncryptionKey;
  /** The one service's image repository (with `services`: the first service's). */
  readonly repository: ContainerRepository;
  /** Who deploys new revisions and shifts the traffic: CodeDeploy. */
  readonly trafficControl: CodeDeployTrafficControl;
  /** The release topic: deployments' and the pipeline's outcomes. */
  readonly notifications: ReleaseNotifications;
  /** In deployment order (with `services`: the first service's). */
  readonly environments: DeploymentEnvironment<BlueGreenDeployment>[];
  /** CodePipeline or the GitHub workflow, as `delivery.mode` says (with `services`: the first service's). */
  readonly delivery: Delivery<BlueGreenDeployment>;
  /** With `services`: each environment's shared load balancer and cluster, in order. @default none */
  readonly platforms: SharedEnvironment[] = [];
  /** With `services`: each service, in the config's order. @default none */
  readonly services: ApplicationService[] = [];
  /** With `accessLogs.enabled`: the log bucket every load balancer and bucket of the stack logs to. @default none */
  readonly accessLogs?: AccessLogBucket;

  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    const appName = config.appName;
    this.region = config.region;
    const { stateProvider } = addProviderAndBackend(this, { ...config, appName });
    new RunningStackGuard(this, "running-stack-guard", { config, stateProvider });

    const encryption = config.encryption;
    if (encryption.customerManagedKey !== "aws-managed") {
      this.encryptionKey = new EncryptionKey(this, "kms", { appName, region: config.region, existingKeyArn: encryption.kmsKeyArn });
    }
    const encryptionKey = this.encryptionKey;
    this.network = placeNetwork(this, "network", { namePrefix: appName, availabilityZones: config.availabilityZones, settings: config.network, encryptionKey });
    this.trafficControl = new CodeDeployTrafficControl(this, { appName });
    this.notifications = new ReleaseNotifications(this, "release-notifications", { appName, emails: config.notifications.emails, encryptionKey });
    if (config.services.length) {
      this.platforms = config.environments.map((settings) => new SharedEnvironment(this, settings.name, { appName, settings, network: this.network }));
      // A repository the services share by folder: one connection for every service's pipeline.
      const shared = config.source?.kind === "codestar" && !config.source.connectionArn ? sharedConnection(this, "source-connection", { appName, providerType: config.source.providerType }) : undefined;
      // GitHub Actions: one OIDC provider for every service's roles (an account holds one per URL).
      const oidc = config.delivery.mode === "github-actions" && !config.delivery.oidcProviderArn ? githubOidcProvider(this, "github-oidc") : undefined;
      this.services = config.services.map(
        (service) =>
          new ApplicationService(this, `service-${service.name}`, {
            config,
            service,
            platforms: this.platforms,
            network: this.network,
            trafficControl: this.trafficControl,
            notifications: this.notifications,
            encryptionKey,
            sharedConnectionArn: shared?.arn,
            sharedOidcProviderArn: oidc?.arn,
          }),
      );
      ({ repository: this.repository, environments: this.environments, delivery: this.delivery } = this.services[0]);
    } else {
      ({ repository: this.repository, environments: this.environments, delivery: this.delivery } = deliveredService(this, {
        config,
        namePrefix: appName,
        environments: config.environments,
        database: config.database,
        build: config.build,
        source: config.source,
        network: this.network,
        trafficControl: this.trafficControl,
        notifications: this.notifications,
        encryptionKey,
      }));
    }
    if (config.accessLogs.enabled) {
      const { enabled: _enabled, ...settings } = config.accessLogs;
      this.accessLogs = new AccessLogBucket(this, "access-logs", { bucketPrefix: physicalName("bucketPrefix", appName, "logs-"), region: config.region, ...settings });
      this.recordAccessLogs(this.accessLogs);
    }
  }

  /** Every load balancer (its environment's label) and every bucket the stack created (its service's and purpose's label) logs to `logs`. */
  private recordAccessLogs(logs: AccessLogBucket): void {
    const fronts = this.platforms.length ? this.platforms : this.environments;
    for (const { name, loadBalancer } of fronts) logs.recordLoadBalancer(loadBalancer.loadBalancer, name, loadBalancer.securityGroup.arn);
    const delivered: Array<[string, Delivery<BlueGreenDeployment>]> = this.services.length ? this.services.map((s) => [`${s.name}-`, s.delivery]) : [["", this.delivery]];
    for (const [prefix, delivery] of delivered) {
      if (delivery.mode !== "codepipeline") continue;
      logs.recordBucket(delivery.artifacts.bucket, `${prefix}artifacts`);
      if (delivery.source instanceof S3Source && delivery.source.bucket) logs.recordBucket(delivery.source.bucket.bucket, `${prefix}source`);
    }
  }
}
