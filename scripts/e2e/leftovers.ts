import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { BatchGetProjectsCommand, CodeBuildClient } from "@aws-sdk/client-codebuild";
import { CodeDeployClient, ListApplicationsCommand } from "@aws-sdk/client-codedeploy";
import { CodePipelineClient, ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { CodeCommitClient, GetRepositoryCommand } from "@aws-sdk/client-codecommit";
import { CodeStarConnectionsClient, ListConnectionsCommand } from "@aws-sdk/client-codestar-connections";
import { EventBridgeClient, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { DescribeNatGatewaysCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { DescribeClustersCommand, ECSClient, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient, ListOpenIDConnectProvidersCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { Check, ClientConfig } from "./checks";
import { StateResource } from "./state";

/**
 * After destroy: asks each service, through its API, whether anything the stack had created is left.
 * `created` is the state as it was before destroy.
 */
export async function checkNothingLeft(created: StateResource[], clientConfig: ClientConfig): Promise<Check[]> {
  const ids = (type: string, key = "id") => created.filter((r) => r.type === type).map((r) => r.values[key] as string);
  const leftover = async (what: string, find: () => Promise<string[]>): Promise<Check> => {
    try {
      const left = await find();
      return { name: `no ${what} left`, ok: left.length === 0, detail: left.length ? `left: ${left.join(", ")}` : undefined };
    } catch (err) {
      return { name: `no ${what} left`, ok: false, detail: (err as Error).message };
    }
  };
  const ec2 = new EC2Client(clientConfig);
  const elb = new ElasticLoadBalancingV2Client(clientConfig);
  const ecs = new ECSClient(clientConfig);
  const created_ = (list: string[]) => (found: Array<string | undefined>) => found.filter((x): x is string => !!x && list.includes(x));

  return Promise.all([
    leftover("VPC", async () => created_(ids("aws_vpc"))((await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.map((v) => v.VpcId) ?? [])),
    leftover("subnets", async () => created_(ids("aws_subnet"))((await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.map((s) => s.SubnetId) ?? [])),
    leftover("security groups", async () =>
      created_(ids("aws_security_group"))((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups?.map((g) => g.GroupId) ?? []),
    ),
    leftover("NAT gateways", async () =>
      created_(ids("aws_nat_gateway"))(
        (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways?.filter((n) => n.State !== "deleted").map((n) => n.NatGatewayId) ?? [],
      ),
    ),
    leftover("load balancer", async () =>
      created_(ids("aws_lb", "arn"))((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.map((l) => l.LoadBalancerArn) ?? []),
    ),
    leftover("target groups", async () =>
      created_(ids("aws_lb_target_group", "arn"))((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.map((t) => t.TargetGroupArn) ?? []),
    ),
    leftover("active ECS cluster", async () => {
      // Deleted clusters stay listed as INACTIVE, as in AWS: only an ACTIVE one is a leftover.
      const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ids("aws_ecs_cluster", "arn") }));
      return (clusters ?? []).filter((c) => c.status === "ACTIVE").map((c) => c.clusterArn!);
    }),
    leftover("active task definition revision of the stack's", async () => {
      // Only the revision Terraform registered; revisions a deployment registered outlive the stack, as in AWS.
      const { taskDefinitionArns } = await ecs.send(new ListTaskDefinitionsCommand({ status: "ACTIVE" }));
      return created_(ids("aws_ecs_task_definition", "arn"))(taskDefinitionArns ?? []);
    }),
    leftover("scalable target", async () => {
      const targets = ids("aws_appautoscaling_target", "resource_id");
      if (!targets.length) return [];
      const { ScalableTargets } = await new ApplicationAutoScalingClient(clientConfig).send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: targets }),
      );
      return (ScalableTargets ?? []).map((t) => `${t.ResourceId} (${t.ScalableDimension})`);
    }),
    leftover("scaling policy", async () => {
      const arns = ids("aws_appautoscaling_policy", "arn");
      if (!arns.length) return [];
      const { ScalingPolicies } = await new ApplicationAutoScalingClient(clientConfig).send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }));
      return created_(arns)(ScalingPolicies?.map((p) => p.PolicyARN) ?? []);
    }),
    leftover("ECR repository", async () => {
      const { repositories } = await new ECRClient(clientConfig).send(new DescribeRepositoriesCommand({}));
      return created_(ids("aws_ecr_repository", "name"))(repositories?.map((r) => r.repositoryName) ?? []);
    }),
    leftover("S3 bucket", async () => {
      const { Buckets } = await new S3Client({ ...clientConfig, forcePathStyle: true }).send(new ListBucketsCommand({}));
      return created_(ids("aws_s3_bucket", "bucket"))(Buckets?.map((b) => b.Name) ?? []);
    }),
    leftover("IAM roles", async () => {
      const { Roles } = await new IAMClient(clientConfig).send(new ListRolesCommand({}));
      return created_(ids("aws_iam_role", "name"))(Roles?.map((r) => r.RoleName) ?? []);
    }),
    leftover("OIDC provider", async () => {
      const { OpenIDConnectProviderList } = await new IAMClient(clientConfig).send(new ListOpenIDConnectProvidersCommand({}));
      return created_(ids("aws_iam_openid_connect_provider", "arn"))(OpenIDConnectProviderList?.map((p) => p.Arn) ?? []);
    }),
    leftover("RDS instance", async () => {
      const { DBInstances } = await new RDSClient(clientConfig).send(new DescribeDBInstancesCommand({}));
      return created_(ids("aws_db_instance", "identifier"))(DBInstances?.map((d) => d.DBInstanceIdentifier) ?? []);
    }),
    leftover("RDS instance without its final snapshot", async () => {
      // The point of final_snapshot_identifier: destroying the stack keeps the data.
      const wanted = created.filter((r) => r.type === "aws_db_instance" && !r.values.skip_final_snapshot).map((r) => r.values.final_snapshot_identifier);
      if (!wanted.length) return [];
      const { DBSnapshots } = await new RDSClient(clientConfig).send(new DescribeDBSnapshotsCommand({}));
      const taken = new Set(DBSnapshots?.map((snap) => snap.DBSnapshotIdentifier));
      return wanted.filter((id: string) => !taken.has(id));
    }),
    leftover("log groups", async () => {
      const { logGroups } = await new CloudWatchLogsClient(clientConfig).send(new DescribeLogGroupsCommand({}));
      return created_(ids("aws_cloudwatch_log_group", "name"))(logGroups?.map((g) => g.logGroupName) ?? []);
    }),
    leftover("CodeBuild project", async () => {
      const names = ids("aws_codebuild_project", "name");
      if (!names.length) return [];
      const { projects } = await new CodeBuildClient(clientConfig).send(new BatchGetProjectsCommand({ names }));
      return (projects ?? []).map((p) => p.name!);
    }),
    leftover("CodeDeploy application", async () => {
      const { applications } = await new CodeDeployClient(clientConfig).send(new ListApplicationsCommand({}));
      return created_(ids("aws_codedeploy_app", "name"))(applications ?? []);
    }),
    leftover("pipeline", async () => {
      const { pipelines } = await new CodePipelineClient(clientConfig).send(new ListPipelinesCommand({}));
      return created_(ids("aws_codepipeline", "name"))(pipelines?.map((p) => p.name) ?? []);
    }),
    leftover("CodeCommit repository", async () => {
      // moto has no ListRepositories: ask for each created repository by name.
      const client = new CodeCommitClient(clientConfig);
      const left = await Promise.all(
        ids("aws_codecommit_repository", "repository_name").map((name) =>
          client.send(new GetRepositoryCommand({ repositoryName: name })).then(
            () => name,
            (err: Error) => (err.name === "RepositoryDoesNotExistException" ? undefined : `${name} (${err.name})`),
          ),
        ),
      );
      return left.filter((x): x is string => !!x);
    }),
    leftover("EventBridge rule", async () => {
      const { Rules } = await new EventBridgeClient(clientConfig).send(new ListRulesCommand({}));
      return created_(ids("aws_cloudwatch_event_rule", "name"))(Rules?.map((r) => r.Name) ?? []);
    }),
    leftover("Lambda function", async () => {
      const { Functions } = await new LambdaClient(clientConfig).send(new ListFunctionsCommand({}));
      return created_(ids("aws_lambda_function", "function_name"))(Functions?.map((f) => f.FunctionName) ?? []);
    }),
    leftover("CloudWatch alarm", async () => {
      const { MetricAlarms } = await new CloudWatchClient(clientConfig).send(new DescribeAlarmsCommand({}));
      return created_(ids("aws_cloudwatch_metric_alarm", "alarm_name"))(MetricAlarms?.map((a) => a.AlarmName) ?? []);
    }),
    leftover("SNS topic", async () => {
      const { Topics } = await new SNSClient(clientConfig).send(new ListTopicsCommand({}));
      return created_(ids("aws_sns_topic", "arn"))(Topics?.map((t) => t.TopicArn) ?? []);
    }),
    leftover("SSM parameter (the running-stack guard's record)", async () => {
      const names = ids("aws_ssm_parameter", "name");
      if (!names.length) return [];
      const { Parameters } = await new SSMClient(clientConfig).send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: names }] }));
      return created_(names)(Parameters?.map((p) => p.Name) ?? []);
    }),
    leftover("CodeStar connection", async () => {
      if (!ids("aws_codestarconnections_connection", "arn").length) return [];
      const { Connections } = await new CodeStarConnectionsClient(clientConfig).send(new ListConnectionsCommand({}));
      return created_(ids("aws_codestarconnections_connection", "arn"))(Connections?.map((c) => c.ConnectionArn) ?? []);
    }),
  ]);
}
