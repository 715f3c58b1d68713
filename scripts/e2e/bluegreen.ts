import {
  CreateTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
} from "@aws-sdk/client-ecs";
import { DescribeRulesCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand, ModifyRuleCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Check, ClientConfig, Deployed, describeListener, forwardTarget } from "./checks";

/** One of several services on a shared listener: its own rules, which are what forwards to its target groups. */
export interface RoutedOnRules {
  readonly productionRuleArn: string;
  readonly testRuleArn: string;
}

/**
 * Leaves the stack the way a finished CodeDeploy blue/green deployment does: a new revision of the
 * family's latest task definition (as the pipeline renders it, with a new image), a replacement task set
 * on the target group production does not use, made primary, with the container port the revision
 * maps (as the AppSpec gives it), then production on that group and test on the other. A second
 * deployment goes back the other way. Returns what it did, step by step.
 */
export async function simulateBlueGreenDeployment(d: Deployed & Partial<RoutedOnRules>, clientConfig: ClientConfig): Promise<Check[]> {
  const ecs = new ECSClient(clientConfig);
  const elb = new ElasticLoadBalancingV2Client(clientConfig);
  const steps: Check[] = [];
  const step = async (name: string, body: () => Promise<string | undefined>) => {
    try {
      const problem = await body();
      steps.push({ name, ok: problem === undefined, detail: problem });
    } catch (err) {
      steps.push({ name, ok: false, detail: (err as Error).message });
    }
  };

  let newRevisionArn: string | undefined;
  const named = (what: string) => `${d.environment}: ${what}`;
  await step(named("register a new task definition revision (new image)"), async () => {
    const { taskDefinition: current } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: d.taskFamily }));
    if (!current) return "task definition not found";
    const { taskDefinition: next } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: current.family!,
        requiresCompatibilities: current.requiresCompatibilities,
        networkMode: current.networkMode,
        cpu: current.cpu,
        memory: current.memory,
        executionRoleArn: current.executionRoleArn,
        taskRoleArn: current.taskRoleArn,
        containerDefinitions: current.containerDefinitions!.map((c) => ({ ...c, image: "registry.example/app:abc1234" })),
        // As the rendered template: a read-only root filesystem's writable paths stay on their volumes.
        volumes: current.volumes,
      }),
    );
    newRevisionArn = next?.taskDefinitionArn;
    return next && next.revision! > current.revision! ? undefined : "revision did not advance";
  });

  // A service on a shared listener: CodeDeploy reroutes what forwards to the service's target groups,
  // its own rules (see listenerRuleFieldsOwnedByDeployments); anything else on the listener is left alone.
  const rules = d.productionRuleArn && d.testRuleArn ? { production: d.productionRuleArn, test: d.testRuleArn } : undefined;
  const ruleTarget = async (arn: string) => {
    const { Rules } = await elb.send(new DescribeRulesCommand({ RuleArns: [arn] }));
    const action = Rules?.[0]?.Actions?.[0];
    return action?.TargetGroupArn ?? action?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
  };
  const productionTarget = () => (rules ? ruleTarget(rules.production) : describeListener(elb, d.productionListenerArn).then(forwardTarget));
  const testTarget = () => (rules ? ruleTarget(rules.test) : describeListener(elb, d.testListenerArn).then(forwardTarget));
  const serving = await productionTarget();
  const replacement = serving === d.greenTargetGroupArn ? d.blueTargetGroupArn : d.greenTargetGroupArn;
  const original = replacement === d.greenTargetGroupArn ? d.blueTargetGroupArn : d.greenTargetGroupArn;
  const side = replacement === d.greenTargetGroupArn ? "green" : "blue";
  await step(named(`create the replacement task set on ${side} and make it primary`), async () => {
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: d.clusterArn, services: [d.serviceName] }));
    const service = services?.[0];
    const { taskDefinition: revision } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: newRevisionArn }));
    const containerPort = revision?.containerDefinitions?.find((c) => c.name === d.containerName)?.portMappings?.[0]?.containerPort;
    const { taskSet } = await ecs.send(
      new CreateTaskSetCommand({
        cluster: d.clusterArn,
        service: d.serviceName,
        taskDefinition: newRevisionArn,
        launchType: "FARGATE",
        networkConfiguration: service?.networkConfiguration,
        loadBalancers: [
          { targetGroupArn: replacement, containerName: d.containerName, containerPort },
        ],
      }),
    );
    await ecs.send(
      new UpdateServicePrimaryTaskSetCommand({ cluster: d.clusterArn, service: d.serviceName, primaryTaskSet: taskSet!.taskSetArn }),
    );
    // AWS then reports the primary task set's revision as the service's task definition; moto does
    // not derive it, so set it as AWS would show it.
    await ecs.send(new UpdateServiceCommand({ cluster: d.clusterArn, service: d.serviceName, taskDefinition: newRevisionArn }));
    return undefined;
  });

  await step(named(`swap ${rules ? "the service's rules" : "listeners"}: production to ${side}, test to the other`), async () => {
    const forward = (arn: string) => [{ Type: "forward" as const, TargetGroupArn: arn }];
    if (rules) {
      await elb.send(new ModifyRuleCommand({ RuleArn: rules.production, Actions: forward(replacement) }));
      await elb.send(new ModifyRuleCommand({ RuleArn: rules.test, Actions: forward(original) }));
    } else {
      await elb.send(new ModifyListenerCommand({ ListenerArn: d.productionListenerArn, DefaultActions: forward(replacement) }));
      await elb.send(new ModifyListenerCommand({ ListenerArn: d.testListenerArn, DefaultActions: forward(original) }));
    }
    const prod = await productionTarget();
    const test = await testTarget();
    return prod === replacement && test === original ? undefined : `${rules ? "rules" : "listeners"} now ${prod} / ${test}`;
  });
  return steps;
}
