import { Construct } from "constructs";
import { physicalName } from "../core/naming";
import { passRoleStatement, PolicyStatement, siblingArn } from "../security/iam";
import { ServiceDeploymentController } from "../service/fargate-service";
import { DeployedEnvironment, EnvironmentDeploymentProps, TrafficControl } from "./traffic-control";
import { BlueGreenDeployment, EcsDeploymentApplication } from "./blue-green-deployment";

/**
 * Traffic control by CodeDeploy: one ECS application per stack, a BLUE_GREEN deployment group per
 * environment that swaps the listeners between the target-group pair, and the service handed to the
 * CODE_DEPLOY controller.
 */
export class CodeDeployTrafficControl implements TrafficControl<BlueGreenDeployment> {
  readonly application: EcsDeploymentApplication;
  /**
   * What CodeDeploy owns on a live CODE_DEPLOY service: AWS refuses UpdateService for these, and every
   * deployment sets them from its AppSpec (the next deployment carries a changed value).
   */
  readonly serviceController: ServiceDeploymentController = {
    type: "CODE_DEPLOY",
    ignoredFields: ["task_definition", "load_balancer", "network_configuration", "platform_version"],
  };
  /**
   * CodeDeploy points each listener at the other target group on every deployment; Terraform must not
   * swap it back, or the next apply would send production traffic to the old tasks.
   */
  readonly listenerFieldsOwnedByDeployments = ["default_action"];
  /**
   * On a listener several services share, each service's traffic reaches its target groups through its
   * own rules, and CodeDeploy "reroutes traffic from the original task set to the new one" (CodeDeploy
   * User Guide, "Set up a load balancer, target groups, and listeners for CodeDeploy Amazon ECS
   * deployments"; its ECS guide recommends an ALB for "path-based routing and priority rules"), which
   * on such a listener is the rules' forward action.
   */
  readonly listenerRuleFieldsOwnedByDeployments = ["action"];

  constructor(scope: Construct, props: { readonly appName: string }) {
    this.application = new EcsDeploymentApplication(scope, "codedeploy", { name: physicalName("codedeployApplication", props.appName) });
  }

  addEnvironment(scope: Construct, id: string, props: EnvironmentDeploymentProps): BlueGreenDeployment {
    const { settings, ...wiring } = props;
    return new BlueGreenDeployment(scope, id, { ...wiring, ...settings, application: this.application.application });
  }

  /**
   * Register new task definition revisions of these environments, pass exactly their task roles, and
   * create deployments in their groups; the workflow's deploy job also reads the running task definition,
   * watches the service and reads the group.
   */
  deployerStatements(environments: ReadonlyArray<DeployedEnvironment<BlueGreenDeployment>>, deployer: "pipeline" | "workflow"): PolicyStatement[] {
    const groups = environments.map((env) => env.deployment);
    const application = this.application.application;
    const deploymentConfigs = [...new Set(groups.map((group) => group.deploymentConfigName))];
    const deploy: PolicyStatement[] = [
      {
        sid: "RegisterTaskDefinition",
        actions: ["ecs:RegisterTaskDefinition"],
        // Every revision of these environments' families, and no other family.
        resources: environments.map((env) => `${env.service.taskDefinition.arnWithoutRevision}:*`),
      },
      passRoleStatement(
        environments.flatMap((env) => [env.service.executionRole.role, env.service.taskRole.role]),
        "ecs-tasks.amazonaws.com",
      ),
      {
        sid: "CreateDeployment",
        actions: ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"],
        resources: groups.map((group) => group.deploymentGroup.arn),
      },
      {
        sid: "RegisterRevision",
        actions: ["codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"],
        resources: [application.arn],
      },
      {
        sid: "ReadDeploymentConfig",
        actions: ["codedeploy:GetDeploymentConfig"],
        resources: deploymentConfigs.map((name) => siblingArn(application.arn, `deploymentconfig:${name}`)),
      },
    ];
    if (deployer === "pipeline") return deploy;
    return [
      {
        sid: "ReadCurrentTaskDefinition",
        actions: ["ecs:DescribeTaskDefinition"],
        // DescribeTaskDefinition has no resource type in AWS's service authorization reference.
        resources: ["*"],
      },
      ...deploy,
      {
        sid: "WatchService",
        actions: ["ecs:DescribeServices"],
        resources: environments.map((env) => env.service.service.id),
      },
      // amazon-ecs-deploy-task-definition reads the group's wait times before it creates the deployment.
      {
        sid: "ReadDeploymentGroup",
        actions: ["codedeploy:GetDeploymentGroup"],
        resources: groups.map((group) => group.deploymentGroup.arn),
      },
    ];
  }
}
