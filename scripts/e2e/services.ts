import { CodeDeployClient, GetDeploymentGroupCommand } from "@aws-sdk/client-codedeploy";
import { CodePipelineClient, GetPipelineCommand } from "@aws-sdk/client-codepipeline";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { StackConfig } from "../../src/config";
import { physicalName } from "../../src/core/naming";
import { UNCLAIMED_REQUEST_STATUS } from "../../src/network/shared-load-balancer";
import { RoutedOnRules } from "./bluegreen";
import { Check, check, ClientConfig, Deployed, describeListener } from "./checks";
import { one, StateResource } from "./state";

/** One service's share of one environment, located through the state by the names the stack gives it. */
export interface DeployedShare extends Deployed, RoutedOnRules {
  readonly service: string;
  readonly priority: number;
  readonly pipelineName: string;
}

/** Every service in every environment, in the config's order. */
export function locateServices(resources: StateResource[], config: StackConfig): DeployedShare[] {
  return config.services.flatMap((svc) =>
    svc.environments.map((env): DeployedShare => {
      const prefix = `${config.appName}-${svc.name}-${env.name}`;
      const tg = (color: string) => one(resources, "aws_lb_target_group", (v) => v.name === physicalName("targetGroup", prefix, color));
      const alb = one(resources, "aws_lb", (v) => v.name === physicalName("loadBalancer", `${config.appName}-${env.name}`, "alb"));
      const listener = (port: number) => one(resources, "aws_lb_listener", (v) => v.load_balancer_arn === alb.arn && Number(v.port) === port);
      const productionListener = listener(env.loadBalancer.domainName ? env.loadBalancer.httpsPort : env.loadBalancer.productionPort);
      const testListener = listener(env.loadBalancer.testPort);
      const rule = (of: Record<string, any>) => one(resources, "aws_lb_listener_rule", (v) => v.listener_arn === of.arn && Number(v.priority) === svc.routing.priority);
      const service = one(resources, "aws_ecs_service", (v) => v.name === physicalName("ecsService", prefix));
      const group = one(resources, "aws_codedeploy_deployment_group", (v) => v.ecs_service[0].service_name === service.name);
      const alarms = resources.filter((r) => r.type === "aws_cloudwatch_metric_alarm" && String(r.values.alarm_name).startsWith(`${prefix}-`));
      return {
        service: svc.name,
        priority: svc.routing.priority,
        pipelineName: physicalName("pipeline", `${config.appName}-${svc.name}`),
        environment: `${svc.name}/${env.name}`,
        clusterArn: service.cluster,
        serviceName: service.name,
        blueTargetGroupArn: tg("blue").arn,
        greenTargetGroupArn: tg("green").arn,
        blueTargetGroupName: tg("blue").name,
        greenTargetGroupName: tg("green").name,
        productionListenerArn: productionListener.arn,
        testListenerArn: testListener.arn,
        productionRuleArn: rule(productionListener).arn,
        testRuleArn: rule(testListener).arn,
        codedeployApp: group.app_name,
        deploymentGroup: group.deployment_group_name,
        taskFamily: one(resources, "aws_ecs_task_definition", (v) => v.family === physicalName("taskFamily", prefix)).family,
        containerName: service.load_balancer[0].container_name,
        alarmNames: [...alarms.map((a) => a.values.alarm_name as string), ...env.deployment.alarmNames].sort(),
        builtInAlarms: alarms.map((a) => a.values.alarm_name as string).sort(),
        codedeployRoleArn: group.service_role_arn,
      };
    }),
  );
}

/** The wiring of several services as AWS reads it back: shared listeners answering 404, each service on its own rules, group, cluster and pipeline. */
export async function servicesChecks(shares: DeployedShare[], clientConfig: ClientConfig, deployedBefore = false): Promise<Check[]> {
  const elb = new ElasticLoadBalancingV2Client(clientConfig);
  const ecs = new ECSClient(clientConfig);
  const codedeploy = new CodeDeployClient(clientConfig);
  const pipelines = new CodePipelineClient(clientConfig);
  const checks: Check[] = [];
  const listeners = [...new Set(shares.flatMap((d) => [d.productionListenerArn, d.testListenerArn]))];
  for (const arn of listeners) {
    checks.push(
      await check(`shared listener ${arn.split("/").slice(-2).join("/")} answers ${UNCLAIMED_REQUEST_STATUS} to what no service claims`, async () => {
        const action = (await describeListener(elb, arn))?.DefaultActions?.[0];
        return action?.Type === "fixed-response" && action.FixedResponseConfig?.StatusCode === UNCLAIMED_REQUEST_STATUS ? undefined : `default action ${JSON.stringify(action)}`;
      }),
    );
  }
  for (const d of shares) {
    const named = (what: string) => `${d.environment}: ${what}`;
    // Before any deployment production is on blue; after one, on whichever group the last deployment chose.
    const targets = await ruleTargets([d], clientConfig);
    const production = targets[d.productionRuleArn];
    checks.push(
      await check(named(`rules at priority ${d.priority}: ${deployedBefore ? "production and test on the pair's two groups" : "production to blue, test to green"}`), async () => {
        const { Rules } = await elb.send(new DescribeRulesCommand({ RuleArns: [d.productionRuleArn, d.testRuleArn] }));
        const pair = [d.blueTargetGroupArn, d.greenTargetGroupArn];
        const onPair = [production, targets[d.testRuleArn]].sort().join() === [...pair].sort().join();
        if (!onPair || (!deployedBefore && production !== d.blueTargetGroupArn)) return `rules forward to ${production} / ${targets[d.testRuleArn]}`;
        const priorities = Rules?.map((r) => Number(r.Priority));
        return priorities?.every((p) => p === d.priority) ? undefined : `priorities ${priorities}`;
      }),
      await check(named("deployment group on the shared listeners and the service's own target groups"), async () => {
        const { deploymentGroupInfo: g } = await codedeploy.send(new GetDeploymentGroupCommand({ applicationName: d.codedeployApp, deploymentGroupName: d.deploymentGroup }));
        const pair = g?.loadBalancerInfo?.targetGroupPairInfoList?.[0];
        const names = pair?.targetGroups?.map((t) => t.name).sort();
        if (pair?.prodTrafficRoute?.listenerArns?.[0] !== d.productionListenerArn || pair?.testTrafficRoute?.listenerArns?.[0] !== d.testListenerArn) return "listeners differ";
        return JSON.stringify(names) === JSON.stringify([d.blueTargetGroupName, d.greenTargetGroupName].sort()) ? undefined : `target groups ${names}`;
      }),
      await check(named("ECS service in the shared cluster, on the group production forwards to"), async () => {
        const { services } = await ecs.send(new DescribeServicesCommand({ cluster: d.clusterArn, services: [d.serviceName] }));
        // The primary task set's group, after a deployment (as the one-service checks read it too).
        const serving = services?.[0]?.loadBalancers?.[0]?.targetGroupArn;
        return serving === production ? undefined : `service on ${serving}, production rule on ${production}`;
      }),
    );
  }
  for (const name of [...new Set(shares.map((d) => d.pipelineName))]) {
    const own = shares.filter((d) => d.pipelineName === name).map((d) => d.deploymentGroup);
    checks.push(
      await check(`pipeline ${name} deploys its service's groups only`, async () => {
        const { pipeline } = await pipelines.send(new GetPipelineCommand({ name }));
        const groups = (pipeline?.stages ?? []).flatMap((s) => s.actions ?? []).flatMap((a) => (a.configuration?.DeploymentGroupName ? [a.configuration.DeploymentGroupName] : []));
        return JSON.stringify(groups) === JSON.stringify(own) ? undefined : `deploys ${groups.join(", ")}`;
      }),
    );
  }
  return checks;
}

/** Where each of these shares' rules forward now, by rule ARN. */
export async function ruleTargets(shares: DeployedShare[], clientConfig: ClientConfig): Promise<Record<string, string | undefined>> {
  const arns = shares.flatMap((d) => [d.productionRuleArn, d.testRuleArn]);
  if (!arns.length) return {};
  const { Rules } = await new ElasticLoadBalancingV2Client(clientConfig).send(new DescribeRulesCommand({ RuleArns: arns }));
  return Object.fromEntries(arns.map((arn) => [arn, Rules?.find((r) => r.RuleArn === arn)?.Actions?.[0]?.TargetGroupArn]));
}
