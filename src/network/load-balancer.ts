import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener, LbListenerConfig, LbListenerDefaultAction } from "@cdktf/provider-aws/lib/lb-listener";
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

/** The ALB side of one ECS service's blue/green deployments: what the service, its alarms and its deployment group are wired to. */
export interface BlueGreenTargets {
  /** The load balancer's security group: the tasks admit it. */
  readonly securityGroup: SecurityGroup;
  readonly loadBalancer: Lb;
  readonly blueTargetGroup: LbTargetGroup;
  readonly greenTargetGroup: LbTargetGroup;
  /** The deployment group's production traffic route. */
  readonly productionListener: LbListener;
  /** The deployment group's test traffic route. */
  readonly testListener: LbListener;
  readonly productionPort: number;
  readonly testPort: number;
  readonly scheme: "http" | "https";
  /** With HTTPS: the listener on the HTTP port that redirects to HTTPS. */
  readonly redirectListener?: LbListener;
  /** What attaches the target groups to the load balancer: a service may use them only once these exist. */
  readonly attachments: ITerraformDependable[];
  /** The listener rules (ARNs, or patterns of them) a deployment may reroute besides the listeners' default actions. */
  readonly reroutedRuleArns: string[];
  /** The URL of a listener port, by the domain name when there is one. */
  url(port: number, host?: string): string;
  /** Opens the test listener to more sources (`addresses`: IPv4 addresses, e.g. NAT gateways' public IPs). */
  allowTestListenerFrom(id: string, description: string, addresses: string[]): void;
}

/** The target-group settings of one service (`loadBalancer.healthCheck*`, `deregistrationDelaySeconds`). */
export type TargetGroupSettings = Pick<
  BlueGreenLoadBalancerProps,
  "healthCheckPath" | "healthCheckMatcher" | "healthCheckIntervalSeconds" | "deregistrationDelaySeconds"
>;

/** Two `ip` target groups, `tg-blue` and `tg-green` under `scope`: a deployment moves the service from one to the other. */
export function targetGroupPair(
  scope: Construct,
  props: TargetGroupSettings & { readonly namePrefix: string; readonly vpcId: string; readonly targetPort: number },
): { blue: LbTargetGroup; green: LbTargetGroup } {
  const targetGroup = (color: "blue" | "green") =>
    new LbTargetGroup(scope, `tg-${color}`, {
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
  return { blue: targetGroup("blue"), green: targetGroup("green") };
}

/** What a listener front is made of: the load balancer's own settings, without its targets. */
export type ListenerFrontProps = Omit<BlueGreenLoadBalancerProps, keyof TargetGroupSettings | "targetPort" | "listenerFieldsOwnedByDeployments">;

/**
 * An internet-facing ALB with its security group, a production and a test listener (and with HTTPS the
 * redirect from the HTTP port): what every variant shares. Subclasses say where the listeners send a
 * request by default, once their own targets exist.
 */
export abstract class ListenerFront extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly loadBalancer: Lb;
  /** The port production traffic is served on: the HTTPS port with TLS, else productionPort. */
  readonly productionPort: number;
  readonly testPort: number;
  /** "https" with a certificate, else "http". */
  readonly scheme: "http" | "https";
  abstract readonly productionListener: LbListener;
  abstract readonly testListener: LbListener;
  /** With HTTPS: the listener on productionPort that redirects to HTTPS. */
  redirectListener?: LbListener;
  private readonly httpPort: number;
  private readonly https?: { readonly certificateArn: string; readonly port: number };
  private readonly opened = new Set<string>();

  protected constructor(scope: Construct, id: string, props: ListenerFrontProps) {
    super(scope, id);
    this.httpPort = props.productionPort ?? LOAD_BALANCER_DEFAULTS.productionPort;
    this.https = props.https;
    this.productionPort = props.https ? props.https.port : this.httpPort;
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
      ["prod", this.httpPort, props.allowedCidrs ?? LOAD_BALANCER_DEFAULTS.allowedCidrs],
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
  }

  /** The production and test listeners with these default actions, and with HTTPS the redirect listener. */
  protected addListeners(
    production: LbListenerDefaultAction,
    test: LbListenerDefaultAction,
    lifecycle?: LbListenerConfig["lifecycle"],
  ): { productionListener: LbListener; testListener: LbListener } {
    const https = this.https;
    const tls = https ? { protocol: "HTTPS", sslPolicy: TLS_POLICY, certificateArn: https.certificateArn } : { protocol: "HTTP" };
    const listener = (name: string, port: number, defaultAction: LbListenerDefaultAction) =>
      new LbListener(this, name, { loadBalancerArn: this.loadBalancer.arn, port, ...tls, defaultAction: [defaultAction], lifecycle });
    const productionListener = listener("prod-listener", this.productionPort, production);
    const testListener = listener("test-listener", this.testPort, test);
    if (https) {
      this.redirectListener = new LbListener(this, "redirect-listener", {
        loadBalancerArn: this.loadBalancer.arn,
        port: this.httpPort,
        protocol: "HTTP",
        defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: String(https.port), statusCode: "HTTP_301" } }],
        // Turning HTTPS on moves the production listener off this port first.
        dependsOn: [productionListener],
      });
    }
    return { productionListener, testListener };
  }

  url(port: number, host: string = this.loadBalancer.dnsName): string {
    const defaultPort = this.scheme === "https" ? 443 : 80;
    return `${this.scheme}://${host}${port === defaultPort ? "" : `:${port}`}`;
  }

  /** Once per id: services sharing the listener each ask for their smoke test's addresses. */
  allowTestListenerFrom(id: string, description: string, addresses: string[]): void {
    if (this.opened.has(id)) return;
    this.opened.add(id);
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

/**
 * The ALB of one service: production and test listeners, and its two `ip` target groups. Initially
 * production forwards to blue and test to green; each deployment then swaps them, which is why the
 * fields it changes are left to it after creation.
 */
export class BlueGreenLoadBalancer extends ListenerFront implements BlueGreenTargets {
  readonly blueTargetGroup: LbTargetGroup;
  readonly greenTargetGroup: LbTargetGroup;
  readonly productionListener: LbListener;
  readonly testListener: LbListener;
  readonly attachments: LbListener[];
  readonly reroutedRuleArns: string[];

  constructor(scope: Construct, id: string, props: BlueGreenLoadBalancerProps) {
    super(scope, id, props);
    const pair = targetGroupPair(this, props);
    this.blueTargetGroup = pair.blue;
    this.greenTargetGroup = pair.green;
    const forward = (target: LbTargetGroup): LbListenerDefaultAction => ({ type: "forward", targetGroupArn: target.arn });
    const listeners = this.addListeners(forward(this.blueTargetGroup), forward(this.greenTargetGroup), {
      ignoreChanges: props.listenerFieldsOwnedByDeployments,
    });
    this.productionListener = listeners.productionListener;
    this.testListener = listeners.testListener;
    this.attachments = [this.productionListener, this.testListener];
    // Rules of these listeners, should a user add path rules that CodeDeploy must shift too.
    this.reroutedRuleArns = this.attachments.map((listener) => `${Fn.replace(listener.arn, ":listener/", ":listener-rule/")}/*`);
  }
}
