import { Construct } from "constructs";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { ResolvedEnvironment } from "../config";
import { stackOutput } from "../core/stack-output";
import { HttpsDomain } from "../network/https-domain";
import { NetworkPlacement } from "../network/network";
import { ServiceRouting } from "../network/service-routing-config";
import { SharedLoadBalancer } from "../network/shared-load-balancer";
import { serviceCluster } from "../service/service-cluster";

/** What the services of one environment share. */
export interface EnvironmentPlatform {
  readonly loadBalancer: SharedLoadBalancer;
  readonly cluster: EcsCluster;
  /** The domain and certificate, with HTTPS. */
  readonly domain?: HttpsDomain;
}

export interface SharedEnvironmentProps {
  readonly appName: string;
  /** The environment's settings (its load balancer's, and the cluster's Container Insights). */
  readonly settings: ResolvedEnvironment;
  readonly network: NetworkPlacement;
}

/**
 * One environment's platform for several services: its load balancer (listeners answering 404 to what
 * no service claims), the domain and certificate with HTTPS, and one ECS cluster.
 */
export class SharedEnvironment extends Construct implements EnvironmentPlatform {
  readonly name: string;
  readonly loadBalancer: SharedLoadBalancer;
  readonly cluster: EcsCluster;
  readonly domain?: HttpsDomain;

  constructor(scope: Construct, id: string, props: SharedEnvironmentProps) {
    super(scope, id);
    const settings = props.settings;
    this.name = settings.name;
    const namePrefix = `${props.appName}-${settings.name}`;
    const { domainName, hostedZoneId, certificateArn, httpsPort, healthCheckPath: _path, healthCheckMatcher: _matcher, healthCheckIntervalSeconds: _interval, deregistrationDelaySeconds: _delay, ...front } =
      settings.loadBalancer;
    if (domainName) this.domain = new HttpsDomain(this, "domain", { domainName, hostedZoneId, certificateArn });
    this.loadBalancer = new SharedLoadBalancer(this, "lb", {
      namePrefix,
      vpcId: props.network.vpcId,
      subnetIds: props.network.publicSubnetIds,
      ...front,
      https: this.domain ? { certificateArn: this.domain.certificateArn, port: httpsPort } : undefined,
    });
    this.domain?.pointAt(this.loadBalancer.loadBalancer);
    this.cluster = serviceCluster(this, "cluster", namePrefix, settings.service.containerInsights);

    const name = this.name;
    const host = this.domain?.domainName;
    stackOutput(this, `${name}_url`, this.loadBalancer.url(this.loadBalancer.productionPort, host), `${name}: production listener (shared by the services)`);
    stackOutput(this, `${name}_test_url`, this.loadBalancer.url(this.loadBalancer.testPort, host), `${name}: test listener (shared by the services)`);
    stackOutput(this, `${name}_load_balancer_dns_name`, this.loadBalancer.loadBalancer.dnsName, `${name}: the load balancer's name (point the services' host names here)`);
    stackOutput(this, `${name}_ecs_cluster_name`, this.cluster.name, `${name}: ECS cluster of the services`);
  }
}

/** A service's first host name without wildcards: the name its URL and smoke test use. */
export function literalHost(routing?: ServiceRouting): string | undefined {
  return routing?.hosts.find((host) => !/[*?]/.test(host));
}
