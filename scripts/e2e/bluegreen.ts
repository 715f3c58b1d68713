import {
  CreateTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
} from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client, ModifyListenerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Check, ClientConfig, Deployed, describeListener, forwardTarget } from "./checks";

/**
 * Leaves the stack the way a finished CodeDeploy blue/green deployment does: a new task definition
 * revision, a replacement task set on the green target group made primary, the production listener on
 * green and the test listener on blue. Returns what it did, step by step.
 */
export async function simulateBlueGreenDeployment(d: Deployed, clientConfig: ClientConfig): Promise<Check[]> {
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
      }),
    );
    newRevisionArn = next?.taskDefinitionArn;
    return next && next.revision! > current.revision! ? undefined : "revision did not advance";
  });

  await step(named("create the replacement task set on green and make it primary"), async () => {
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: d.clusterArn, services: [d.serviceName] }));
    const service = services?.[0];
    const { taskSet } = await ecs.send(
      new CreateTaskSetCommand({
        cluster: d.clusterArn,
        service: d.serviceName,
        taskDefinition: newRevisionArn,
        launchType: "FARGATE",
        networkConfiguration: service?.networkConfiguration,
        loadBalancers: [
          { targetGroupArn: d.greenTargetGroupArn, containerName: d.containerName, containerPort: service?.loadBalancers?.[0]?.containerPort },
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

  await step(named("swap listeners: production to green, test to blue"), async () => {
    const forward = (arn: string) => [{ Type: "forward" as const, TargetGroupArn: arn }];
    await elb.send(new ModifyListenerCommand({ ListenerArn: d.productionListenerArn, DefaultActions: forward(d.greenTargetGroupArn) }));
    await elb.send(new ModifyListenerCommand({ ListenerArn: d.testListenerArn, DefaultActions: forward(d.blueTargetGroupArn) }));
    const prod = forwardTarget(await describeListener(elb, d.productionListenerArn));
    const test = forwardTarget(await describeListener(elb, d.testListenerArn));
    return prod === d.greenTargetGroupArn && test === d.blueTargetGroupArn ? undefined : `listeners now ${prod} / ${test}`;
  });
  return steps;
}
