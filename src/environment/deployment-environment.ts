import { Construct } from "constructs";
import { ResolvedEnvironment } from "../config";
import { stackOutput, stackOutputUnlessTaken } from "../core/stack-output";
import { HttpsDomain } from "../network/https-domain";
import { BlueGreenLoadBalancer, BlueGreenTargets } from "../network/load-balancer";
import { ServiceRouting } from "../network/service-routing-config";
import { ServiceRoutes } from "../network/shared-load-balancer";
import { NetworkPlacement } from "../network/network";
import { ReleaseAlarms } from "../release-safety/release-alarms";
import { ReleaseNotifications } from "../release-safety/release-notifications";
import { SmokeTestHook } from "../release-safety/smoke-test-hook";
import { EncryptionKey } from "../security/encryption-key";
import { ContainerRepository } from "../service/container-repository";
import { DatabaseSettings } from "../service/database-config";
import { FargateService } from "../service/fargate-service";
import { PostgresDatabase } from "../service/postgres-database";
import { EnvironmentDeployment, TrafficControl } from "../traffic-control/traffic-control";
import { EnvironmentPlatform, literalHost } from "./environment-platform";

export interface DeploymentEnvironmentProps<D extends EnvironmentDeployment = EnvironmentDeployment> {
  readonly appName: string;
  readonly region: string;
  /** The environment's resolved settings (its overrides over the stack's defaults). */
  readonly settings: ResolvedEnvironment;
  readonly network: NetworkPlacement;
  readonly repository: ContainerRepository;
  /** Who deploys new revisions and shifts the traffic. */
  readonly trafficControl: TrafficControl<D>;
  /** Plan without AWS calls: a secret given by name is not looked up. @default false */
  readonly sandbox?: boolean;
  /** A PostgreSQL instance for this environment, when enabled. */
  readonly database?: DatabaseSettings;
  /** Customer-managed key to encrypt with. @default the service's AWS-managed key */
  readonly encryptionKey?: EncryptionKey;
  /** Where this environment's deployments are announced. @default nowhere */
  readonly notifications?: ReleaseNotifications;
  /** The environment's shared load balancer and cluster, when this is one of several services. @default its own */
  readonly platform?: EnvironmentPlatform;
  /** The service's rules on the shared listeners (with `platform`). */
  readonly routing?: ServiceRouting;
  /** The stack's production environment (its last): its URLs are also the stack's `production_url` and `test_url`. @default false */
  readonly isProduction?: boolean;
}

/**
 * One place the pipeline deploys to (staging, production…): its own load balancer with production and
 * test listeners, its own ECS service and its own deployment under the traffic control.
 */
export class DeploymentEnvironment<D extends EnvironmentDeployment = EnvironmentDeployment> extends Construct {
  readonly name: string;
  readonly settings: ResolvedEnvironment;
  readonly loadBalancer: BlueGreenTargets;
  readonly service: FargateService;
  readonly deployment: D;
  /** This environment's database, when enabled. */
  readonly database?: PostgresDatabase;
  /** The production listener's URL. */
  readonly url: string;
  /** The test listener's URL: the replacement tasks, before traffic is rerouted. */
  readonly testUrl: string;
  /** The domain and certificate, with HTTPS. */
  readonly domain?: HttpsDomain;
  /** The AfterAllowTestTraffic smoke test, unless disabled. */
  readonly smokeTest?: SmokeTestHook;
  /** Alarms that stop and roll back a deployment, unless disabled. */
  readonly alarms?: ReleaseAlarms;

  constructor(scope: Construct, id: string, props: DeploymentEnvironmentProps<D>) {
    super(scope, id);
    const settings = props.settings;
    const namePrefix = `${props.appName}-${settings.name}`;
    this.name = settings.name;
    this.settings = settings;

    if (props.platform) {
      this.domain = props.platform.domain;
      this.loadBalancer = this.routesOnSharedListeners(namePrefix, props);
    } else {
      const { domainName, hostedZoneId, certificateArn, httpsPort, ...loadBalancerSettings } = settings.loadBalancer;
      if (domainName) this.domain = new HttpsDomain(this, "domain", { domainName, hostedZoneId, certificateArn });
      const loadBalancer = new BlueGreenLoadBalancer(this, "lb", {
        namePrefix,
        vpcId: props.network.vpcId,
        subnetIds: props.network.publicSubnetIds,
        targetPort: settings.service.containerPort,
        listenerFieldsOwnedByDeployments: props.trafficControl.listenerFieldsOwnedByDeployments,
        ...loadBalancerSettings,
        https: this.domain ? { certificateArn: this.domain.certificateArn, port: httpsPort } : undefined,
      });
      this.domain?.pointAt(loadBalancer.loadBalancer);
      this.loadBalancer = loadBalancer;
    }
    if (props.database?.enabled) {
      const { enabled: _enabled, password: _password, ...databaseSettings } = props.database;
      this.database = new PostgresDatabase(this, "db", { namePrefix, vpcId: props.network.vpcId, subnetIds: props.network.privateSubnetIds, encryptionKey: props.encryptionKey, ...databaseSettings });
    }
    this.service = new FargateService(this, "ecs", {
      namePrefix,
      region: props.region,
      vpcId: props.network.vpcId,
      subnetIds: props.network.taskSubnetIds,
      assignPublicIp: props.network.assignPublicIp,
      loadBalancer: this.loadBalancer,
      cluster: props.platform?.cluster,
      controller: props.trafficControl.serviceController,
      repository: props.repository,
      ...settings.service,
      environment: { ...settings.service.environment, ...this.database?.connectionEnvironment },
      managedSecrets: this.database?.containerSecrets,
      sandbox: props.sandbox,
      encryptionKey: props.encryptionKey,
    });
    if (this.database) {
      // The chain: internet → ALB (listener ports) → tasks (container port, from the ALB only) → database
      // (5432, from the tasks only).
      this.database.allowFrom("from-tasks", this.service.securityGroup);
      this.database.grantReadCredentials(this.service.executionRole);
    }
    // With HTTPS, by the domain name: the certificate is for it, not for the load balancer's own name.
    // One of several services: by its own host name when it has one.
    const host = literalHost(props.routing) ?? this.domain?.domainName;
    this.url = this.loadBalancer.url(this.loadBalancer.productionPort, host);
    this.testUrl = this.loadBalancer.url(this.loadBalancer.testPort, host);

    const { smokeTest, alarms, alarmNames, hooks, ...deployment } = settings.deployment;
    if (smokeTest.enabled) this.smokeTest = this.addSmokeTest(namePrefix, smokeTest, props);
    if (alarms.enabled) {
      const { enabled: _enabled, ...thresholds } = alarms;
      this.alarms = new ReleaseAlarms(this, "alarms", { namePrefix, loadBalancer: this.loadBalancer, ...thresholds });
    }
    this.deployment = props.trafficControl.addEnvironment(this, "deploy", {
      namePrefix,
      environmentName: this.name,
      service: this.service,
      loadBalancer: this.loadBalancer,
      settings: deployment,
      hooks: { ...hooks, ...(this.smokeTest ? { AfterAllowTestTraffic: this.smokeTest.function.arn } : {}) },
      alarmNames: [...(this.alarms?.alarmNames ?? []), ...alarmNames],
      notifications: props.notifications,
    });
    this.declareOutputs(props.isProduction ?? false);
  }

  /** One of several services: its target groups and rules on the environment's shared listeners. */
  private routesOnSharedListeners(namePrefix: string, props: DeploymentEnvironmentProps<D>): ServiceRoutes {
    if (!props.routing) throw new Error(`${this.name}: a service on a shared load balancer needs its routing`);
    const lb = props.settings.loadBalancer;
    return new ServiceRoutes(this, "routes", {
      namePrefix,
      vpcId: props.network.vpcId,
      targetPort: props.settings.service.containerPort,
      front: props.platform!.loadBalancer,
      routing: props.routing,
      ruleFieldsOwnedByDeployments: props.trafficControl.listenerRuleFieldsOwnedByDeployments,
      healthCheckPath: lb.healthCheckPath,
      healthCheckMatcher: lb.healthCheckMatcher,
      healthCheckIntervalSeconds: lb.healthCheckIntervalSeconds,
      deregistrationDelaySeconds: lb.deregistrationDelaySeconds,
    });
  }

  private declareOutputs(isProduction: boolean): void {
    const name = this.name;
    stackOutput(this, `${name}_url`, this.url, `${name}: production listener`);
    stackOutput(this, `${name}_test_url`, this.testUrl, `${name}: test listener (QA before reroute)`);
    if (this.domain) {
      const lb = this.loadBalancer.loadBalancer.dnsName;
      stackOutput(this, `${name}_load_balancer_dns_name`, lb, `${name}: point ${this.domain.domainName} here (an alias or CNAME) when the stack manages no DNS record for it`);
    }
    stackOutput(this, `${name}_ecs_cluster_name`, this.service.cluster.name, `${name}: ECS cluster`);
    stackOutput(this, `${name}_ecs_service_name`, this.service.service.name, `${name}: ECS service`);
    if (!isProduction) return;
    // The stack-wide names, unless an environment's own output took the name (an environment called "production" or "test").
    stackOutputUnlessTaken(this, "production_url", this.url, `Production listener of the last environment (${name})`);
    stackOutputUnlessTaken(this, "test_url", this.testUrl, `Test listener of ${name}: the replacement tasks during a deployment`);
  }

  /**
   * The smoke test calls the test listener's public name. When the listener admits the whole internet it
   * runs outside the VPC; when testAllowedCidrs narrows it, it runs in the private subnets and the listener
   * also admits the NAT gateways' addresses, which is where its requests then come from. (Without NAT the
   * config requires the listener to stay open: a function outside a VPC has no fixed address.)
   */
  private addSmokeTest(
    namePrefix: string,
    settings: ResolvedEnvironment["deployment"]["smokeTest"],
    props: DeploymentEnvironmentProps<D>,
  ): SmokeTestHook {
    const lb = props.settings.loadBalancer;
    const open = lb.testAllowedCidrs.includes("0.0.0.0/0");
    const network = props.network;
    if (!open && network.natPublicIps.length === 0) {
      throw new Error(`${this.name}: the smoke test cannot reach a test listener narrowed by testAllowedCidrs without known NAT addresses`);
    }
    if (!open) this.loadBalancer.allowTestListenerFrom("smoke-test-in", "smoke test (through NAT)", network.natPublicIps);
    return new SmokeTestHook(this, "smoke-test", {
      namePrefix,
      // One of several services: through the shared listener's own name, with the service's host (if any) as Host header.
      testUrl: this.loadBalancer.url(this.loadBalancer.testPort, this.domain?.domainName),
      hostHeader: literalHost(props.routing),
      testPort: this.loadBalancer.testPort,
      paths: settings.paths ?? [lb.healthCheckPath],
      expectedStatus: settings.expectedStatus ?? lb.healthCheckMatcher,
      timeBudgetSeconds: settings.timeBudgetSeconds,
      attempts: settings.attempts,
      tracing: settings.tracing,
      placement: open ? { kind: "internet" } : { kind: "vpc", vpcId: network.vpcId, subnetIds: network.privateSubnetIds },
      logRetentionDays: props.settings.service.logRetentionDays,
      encryptionKey: props.encryptionKey,
    });
  }
}
