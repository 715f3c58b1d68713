import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule, LbListenerRuleCondition } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { BlueGreenTargets, ListenerFront, ListenerFrontProps, targetGroupPair, TargetGroupSettings } from "./load-balancer";
import { ServiceRouting } from "./service-routing-config";

/** The status a shared listener answers for a request that no service's rule claims. */
export const UNCLAIMED_REQUEST_STATUS = "404";

/**
 * One environment's ALB shared by several services: production and test listeners whose default action
 * answers 404, so that only what a service's rule claims reaches a service.
 */
export class SharedLoadBalancer extends ListenerFront {
  readonly productionListener: LbListener;
  readonly testListener: LbListener;

  constructor(scope: Construct, id: string, props: ListenerFrontProps) {
    super(scope, id, props);
    const unclaimed = {
      type: "fixed-response",
      fixedResponse: { contentType: "text/plain", statusCode: UNCLAIMED_REQUEST_STATUS, messageBody: "Not found" },
    };
    const listeners = this.addListeners(unclaimed, unclaimed);
    this.productionListener = listeners.productionListener;
    this.testListener = listeners.testListener;
  }
}

export interface ServiceRoutesProps extends TargetGroupSettings {
  /** Prefix of the target groups' names: the app name, the service's and the environment's. */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** Port the service's containers listen on. */
  readonly targetPort: number;
  readonly front: SharedLoadBalancer;
  readonly routing: ServiceRouting;
  /** Rule fields each deployment changes (the traffic control's), which Terraform must leave alone. */
  readonly ruleFieldsOwnedByDeployments: string[];
}

/**
 * One service's share of a shared ALB: its target-group pair and a rule on each listener with the
 * service's conditions and priority. Production's rule forwards to blue and test's to green at first;
 * a deployment reroutes what forwards to the service's groups (its rules only: no other rule names them).
 */
export class ServiceRoutes extends Construct implements BlueGreenTargets {
  readonly blueTargetGroup: LbTargetGroup;
  readonly greenTargetGroup: LbTargetGroup;
  readonly productionRule: LbListenerRule;
  readonly testRule: LbListenerRule;
  readonly attachments: ITerraformDependable[];
  readonly reroutedRuleArns: string[];
  private readonly front: SharedLoadBalancer;

  constructor(scope: Construct, id: string, props: ServiceRoutesProps) {
    super(scope, id);
    this.front = props.front;
    const pair = targetGroupPair(this, props);
    this.blueTargetGroup = pair.blue;
    this.greenTargetGroup = pair.green;
    const condition: LbListenerRuleCondition[] = [];
    if (props.routing.hosts.length) condition.push({ hostHeader: { values: props.routing.hosts } });
    if (props.routing.paths.length) condition.push({ pathPattern: { values: props.routing.paths } });
    const rule = (name: string, listener: LbListener, target: LbTargetGroup) =>
      new LbListenerRule(this, name, {
        listenerArn: listener.arn,
        priority: props.routing.priority,
        condition,
        action: [{ type: "forward", targetGroupArn: target.arn }],
        lifecycle: { ignoreChanges: props.ruleFieldsOwnedByDeployments },
      });
    this.productionRule = rule("prod-rule", props.front.productionListener, this.blueTargetGroup);
    this.testRule = rule("test-rule", props.front.testListener, this.greenTargetGroup);
    this.attachments = [this.productionRule, this.testRule];
    // Its own rules only: another service's deployments reroute theirs.
    this.reroutedRuleArns = [this.productionRule.arn, this.testRule.arn];
  }

  get securityGroup() {
    return this.front.securityGroup;
  }
  get loadBalancer() {
    return this.front.loadBalancer;
  }
  get productionListener() {
    return this.front.productionListener;
  }
  get testListener() {
    return this.front.testListener;
  }
  get productionPort() {
    return this.front.productionPort;
  }
  get testPort() {
    return this.front.testPort;
  }
  get redirectListener() {
    return this.front.redirectListener;
  }
  get scheme() {
    return this.front.scheme;
  }
  url(port: number, host?: string): string {
    return this.front.url(port, host);
  }
  allowTestListenerFrom(id: string, description: string, addresses: string[]): void {
    this.front.allowTestListenerFrom(id, description, addresses);
  }
}
