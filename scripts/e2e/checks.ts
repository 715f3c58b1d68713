import { CodeDeployClient, GetDeploymentGroupCommand } from "@aws-sdk/client-codedeploy";
import { CodePipelineClient, GetPipelineCommand } from "@aws-sdk/client-codepipeline";
import { CodeStarConnectionsClient, GetConnectionCommand } from "@aws-sdk/client-codestar-connections";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeListenersCommand, ElasticLoadBalancingV2Client, Listener } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetPublicAccessBlockCommand, S3Client } from "@aws-sdk/client-s3";
import { one, StateResource } from "./state";

/** How every SDK client reaches moto. */
export interface ClientConfig {
  readonly region: string;
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** The deployed stack's key objects, located through the Terraform state. */
export interface Deployed {
  readonly region: string;
  readonly clusterArn: string;
  readonly serviceName: string;
  readonly blueTargetGroupArn: string;
  readonly greenTargetGroupArn: string;
  readonly blueTargetGroupName: string;
  readonly greenTargetGroupName: string;
  readonly productionListenerArn: string;
  readonly testListenerArn: string;
  readonly productionPort: number;
  readonly testPort: number;
  readonly codedeployApp: string;
  readonly deploymentGroup: string;
  readonly pipelineName: string;
  readonly bucket: string;
  readonly taskFamily: string;
  readonly containerName: string;
  readonly connectionArn?: string;
}

export function locate(resources: StateResource[], region: string, ports: { production: number; test: number }): Deployed {
  const tg = (color: string) => one(resources, "aws_lb_target_group", (v) => v.name.endsWith(`-${color}`));
  const listener = (port: number) => one(resources, "aws_lb_listener", (v) => Number(v.port) === port);
  const service = one(resources, "aws_ecs_service");
  const group = one(resources, "aws_codedeploy_deployment_group");
  const connection = resources.find((r) => r.type === "aws_codestarconnections_connection");
  return {
    region,
    clusterArn: service.cluster,
    serviceName: service.name,
    blueTargetGroupArn: tg("blue").arn,
    greenTargetGroupArn: tg("green").arn,
    blueTargetGroupName: tg("blue").name,
    greenTargetGroupName: tg("green").name,
    productionListenerArn: listener(ports.production).arn,
    testListenerArn: listener(ports.test).arn,
    productionPort: ports.production,
    testPort: ports.test,
    codedeployApp: group.app_name,
    deploymentGroup: group.deployment_group_name,
    pipelineName: one(resources, "aws_codepipeline").name,
    bucket: one(resources, "aws_s3_bucket").bucket,
    taskFamily: one(resources, "aws_ecs_task_definition").family,
    containerName: service.load_balancer[0].container_name,
    connectionArn: connection?.values.arn,
  };
}

/** Where a listener's default action forwards to. */
export function forwardTarget(listener: Listener | undefined): string | undefined {
  const action = listener?.DefaultActions?.[0];
  return action?.TargetGroupArn ?? action?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
}

export async function describeListener(elb: ElasticLoadBalancingV2Client, arn: string): Promise<Listener | undefined> {
  const out = await elb.send(new DescribeListenersCommand({ ListenerArns: [arn] }));
  return out.Listeners?.[0];
}

async function check(name: string, body: () => Promise<string | undefined>): Promise<Check> {
  try {
    const problem = await body();
    return { name, ok: problem === undefined, detail: problem };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message };
  }
}

function differs(what: string, actual: unknown, expected: unknown): string | undefined {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  return a === e ? undefined : `${what}: got ${a}, expected ${e}`;
}

/** Checks, through the AWS API, that what the apply created is wired as the stack intends. */
export async function checkWiring(d: Deployed, clientConfig: ClientConfig): Promise<Check[]> {
  const ecs = new ECSClient(clientConfig);
  const elb = new ElasticLoadBalancingV2Client(clientConfig);
  const codedeploy = new CodeDeployClient(clientConfig);
  const pipeline = new CodePipelineClient(clientConfig);
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const codestar = new CodeStarConnectionsClient(clientConfig);

  return Promise.all([
    check("ECS service uses the CODE_DEPLOY controller", async () => {
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster: d.clusterArn, services: [d.serviceName] }));
      return differs("deploymentController", services?.[0]?.deploymentController?.type, "CODE_DEPLOY");
    }),
    check("ECS service is attached to the blue target group only", async () => {
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster: d.clusterArn, services: [d.serviceName] }));
      return differs("loadBalancers", services?.[0]?.loadBalancers?.map((lb) => lb.targetGroupArn), [d.blueTargetGroupArn]);
    }),
    check("production listener forwards to blue", async () =>
      differs("production", forwardTarget(await describeListener(elb, d.productionListenerArn)), d.blueTargetGroupArn),
    ),
    check("test listener forwards to green", async () =>
      differs("test", forwardTarget(await describeListener(elb, d.testListenerArn)), d.greenTargetGroupArn),
    ),
    check("deployment group names both target groups and both listeners, BLUE_GREEN with traffic control", async () => {
      const { deploymentGroupInfo: g } = await codedeploy.send(
        new GetDeploymentGroupCommand({ applicationName: d.codedeployApp, deploymentGroupName: d.deploymentGroup }),
      );
      const pair = g?.loadBalancerInfo?.targetGroupPairInfoList?.[0];
      return (
        differs("target groups", pair?.targetGroups?.map((t) => t.name), [d.blueTargetGroupName, d.greenTargetGroupName]) ??
        differs("prod route", pair?.prodTrafficRoute?.listenerArns, [d.productionListenerArn]) ??
        differs("test route", pair?.testTrafficRoute?.listenerArns, [d.testListenerArn]) ??
        differs("style", g?.deploymentStyle, { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" })
      );
    }),
    check("pipeline stages are Source, Build, Deploy in order", async () => {
      const { pipeline: p } = await pipeline.send(new GetPipelineCommand({ name: d.pipelineName }));
      return differs("stages", p?.stages?.map((s) => s.name), ["Source", "Build", "Deploy"]);
    }),
    check("artifact bucket blocks all public access", async () => {
      const out = await s3.send(new GetPublicAccessBlockCommand({ Bucket: d.bucket }));
      return differs("public access block", out.PublicAccessBlockConfiguration, {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
    }),
    ...(d.connectionArn
      ? [
          check("CodeStar connection exists and awaits activation (PENDING)", async () => {
            const out = await codestar.send(new GetConnectionCommand({ ConnectionArn: d.connectionArn }));
            return differs("status", out.Connection?.ConnectionStatus, "PENDING");
          }),
        ]
      : []),
  ]);
}
