import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { physicalName } from "../core/naming";
import { LOAD_BALANCER_DEFAULTS } from "./load-balancer-config";
import { perItem } from "../core/stable-ids";

export interface BlueGreenLoadBalancerProps {
  /** Prefix of every physical name: the app name, and the environment's. */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** Public subnets in at least two AZs. */
  readonly subnetIds: string[];
  /** Port the targets (containers) listen on. */
  readonly targetPort: number;
  /** Listener fields each deployment changes (the traffic control's), which Terraform must leave alone. */
  readonly listenerFieldsOwnedByDeployments: string[];
  /** @default LOAD_BALANCER_DEFAULTS.productionPort */
  readonly productionPort?: number;
  /** @default LOAD_BALANCER_DEFAULTS.testPort */
  readonly testPort?: number;
  /** CIDRs allowed to the production listener. @default LOAD_BALANCER_DEFAULTS.allowedCidrs */
  readonly allowedCidrs?: string[];
  /** CIDRs allowed to the test listener. @default LOAD_BALANCER_DEFAULTS.testAllowedCidrs */
  readonly testAllowedCidrs?: string[];
  /** @default LOAD_BALANCER_DEFAULTS.healthCheckPath */
  readonly healthCheckPath?: string;
  /** @default LOAD_BALANCER_DEFAULTS.healthCheckMatcher */
  readonly healthCheckMatcher?: string;
  /** @default LOAD_BALANCER_DEFAULTS.healthCheckIntervalSeconds */
  readonly healthCheckIntervalSeconds?: number;
  /** Seconds a deregistering target drains. @default LOAD_BALANCER_DEFAULTS.deregistrationDelaySeconds */
  readonly deregistrationDelaySeconds?: number;
  /** @default LOAD_BALANCER_DEFAULTS.enableDeletionProtection */
  readonly enableDeletionProtection?: boolean;
  /**
   * Serve TLS: production on `port` and the test listener on testPort, both with this certificate;
   * productionPort then only redirects to HTTPS. @default HTTP only
   */
  readonly https?: { readonly certificateArn: string; readonly port: number };
}

/** A current TLS 1.3 policy (TLS 1.2 for older clients, forward-secret ciphers only). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * Internet-facing ALB for blue/green: a production listener and a test listener, and two `ip` target
 * groups. Initially production forwards to blue and test to green; each deployment then swaps them,
 * which is why the fields it changes are left to it after creation.
 */
export class BlueGreenLoadBalancer extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly loadBalancer: Lb;
  readonly blueTargetGroup: LbTargetGroup;
  readonly greenTargetGroup: LbTargetGroup;
  readonly productionListener: LbListener;
  readonly testListener: LbListener;
  /** The port production traffic is served on: the HTTPS port with TLS, else productionPort. */
  readonly productionPort: number;
  readonly testPort: number;
  /** "https" with a certificate, else "http". */
  readonly scheme: "http" | "https";
  /** With HTTPS: the listener on productionPort that redirects to HTTPS. */
  readonly redirectListener?: LbListener;

  constructor(scope: Construct, id: string, props: BlueGreenLoadBalancerProps) {
    super(scope, id);
    const httpPort = props.productionPort ?? LOAD_BALANCER_DEFAULTS.productionPort;
    this.productionPort = props.https ? props.https.port : httpPort;
    this.testPort = props.testPort ?? LOAD_BALANCER_DEFAULTS.testPort;
    this.scheme = props.https ? "https" : "http";

    this.securityGroup = new SecurityGroup(this, "sg", {
      name: physicalName("securityGroup", props.namePrefix, "alb"),
      description: "ALB: production and test listeners",
      vpcId: props.vpcId,
      tags: { Name: physicalName("securityGroup", props.namePrefix, "alb") },
    });
    // The HTTP port keeps its rule whether it serves or redirects: turning HTTPS on only adds the HTTPS
    // port's rule (a rule moved to 443 while another took 80 would collide with itself mid-apply).
    const openings: Array<[string, number, string[]]> = [
      ["prod", httpPort, props.allowedCidrs ?? LOAD_BALANCER_DEFAULTS.allowedCidrs],
      ["test", this.testPort, props.testAllowedCidrs ?? LOAD_BALANCER_DEFAULTS.testAllowedCidrs],
    ];
    if (props.https) openings.push(["https", props.https.port, props.allowedCidrs ?? LOAD_BALANCER_DEFAULTS.allowedCidrs]);
    for (const [listener, port, cidrs] of openings) this.allow(`${listener}-in`, `${listener} listener`, port, cidrs);

    this.loadBalancer = new Lb(this, "alb", {
      name: physicalName("loadBalancer", props.namePrefix, "alb"),
      internal: false,
      loadBalancerType: "application",
      securityGroups: [this.securityGroup.id],
      subnets: props.subnetIds,
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.enableDeletionProtection ?? LOAD_BALANCER_DEFAULTS.enableDeletionProtection,
    });

    const targetGroup = (color: "blue" | "green") =>
      new LbTargetGroup(this, `tg-${color}`, {
        name: physicalName("targetGroup", props.namePrefix, color),
        // Only the default port of targets registered without one; ECS registers each task's IP with the
        // container port, so a later containerPort change need not replace a target group a listener uses.
        port: props.targetPort,
        lifecycle: { ignoreChanges: ["port"] },
        protocol: "HTTP",
        targetType: "ip",
        vpcId: props.vpcId,
        deregistrationDelay: String(props.deregistrationDelaySeconds ?? LOAD_BALANCER_DEFAULTS.deregistrationDelaySeconds),
        healthCheck: {
          enabled: true,
          path: props.healthCheckPath ?? LOAD_BALANCER_DEFAULTS.healthCheckPath,
          matcher: props.healthCheckMatcher ?? LOAD_BALANCER_DEFAULTS.healthCheckMatcher,
          interval: props.healthCheckIntervalSeconds ?? LOAD_BALANCER_DEFAULTS.healthCheckIntervalSeconds,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
      });
    this.blueTargetGroup = targetGroup("blue");
    this.greenTargetGroup = targetGroup("green");

    const tls = props.https ? { protocol: "HTTPS", sslPolicy: TLS_POLICY, certificateArn: props.https.certificateArn } : { protocol: "HTTP" };
    const listener = (name: string, port: number, target: LbTargetGroup) =>
      new LbListener(this, name, {
        loadBalancerArn: this.loadBalancer.arn,
        port,
        ...tls,
        defaultAction: [{ type: "forward", targetGroupArn: target.arn }],
        lifecycle: { ignoreChanges: props.listenerFieldsOwnedByDeployments },
      });
    this.productionListener = listener("prod-listener", this.productionPort, this.blueTargetGroup);
    this.testListener = listener("test-listener", this.testPort, this.greenTargetGroup);
    if (props.https) {
      this.redirectListener = new LbListener(this, "redirect-listener", {
        loadBalancerArn: this.loadBalancer.arn,
        port: httpPort,
        protocol: "HTTP",
        defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: String(props.https.port), statusCode: "HTTP_301" } }],
        // Turning HTTPS on moves the production listener off this port first.
        dependsOn: [this.productionListener],
      });
    }
  }

  /** The URL of a listener port, by the domain name when there is one. */
  url(port: number, host: string = this.loadBalancer.dnsName): string {
    const defaultPort = this.scheme === "https" ? 443 : 80;
    return `${this.scheme}://${host}${port === defaultPort ? "" : `:${port}`}`;
  }

  /** Opens the test listener to more sources (`addresses`: IPv4 addresses, e.g. NAT gateways' public IPs). */
  allowTestListenerFrom(id: string, description: string, addresses: string[]): void {
    this.allow(id, description, this.testPort, addresses.map((ip) => `${ip}/32`));
  }

  /** A rule per CIDR, keyed by the CIDR: removing one leaves the others' rules in place. */
  private allow(id: string, description: string, port: number, cidrs: string[]): void {
    perItem(cidrs, id, (itemId, cidr) =>
      new VpcSecurityGroupIngressRule(this, itemId, {
        securityGroupId: this.securityGroup.id,
        description,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: cidr,
      }),
    );
  }
}
