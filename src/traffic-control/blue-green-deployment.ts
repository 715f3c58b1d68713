import { Token } from "cdktf";
import { Construct } from "constructs";
import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { CodepipelineStageAction } from "@cdktf/provider-aws/lib/codepipeline";
import { physicalName } from "../core/naming";
import { stackOutput } from "../core/stack-output";
import { BlueGreenTargets } from "../network/load-balancer";
import { DEPLOYMENT_TRIGGER_EVENTS, ReleaseNotifications } from "../release-safety/release-notifications";
import { arnInAccountOf, passRoleStatement, PolicyStatement, ServiceRole, siblingArn } from "../security/iam";
import { FargateService } from "../service/fargate-service";
import { DeployFiles, DeploymentTarget, EnvironmentDeployment, LifecycleHook, RevisionStore } from "./traffic-control";
import { DEPLOYMENT_DEFAULTS, ECS_LIFECYCLE_EVENTS, EcsLifecycleEvent } from "./deployment-config";
import { TrafficShiftingConfig, TrafficShiftingConfigProps } from "./traffic-shifting-config";

export interface BlueGreenDeploymentProps {
  /** Prefix of every physical name: the app name, and the environment's. */
  readonly namePrefix: string;
  /** The CodeDeploy application the group belongs to (one per stack, shared by its environments). */
  readonly application: CodedeployApp;
  readonly service: FargateService;
  readonly loadBalancer: BlueGreenTargets;
  /** The environment's name, for its output. */
  readonly environmentName: string;
  /** @default DEPLOYMENT_DEFAULTS.deploymentConfigName */
  readonly deploymentConfigName?: string;
  /** A custom canary or linear shift: the group gets its own deployment config, and deploymentConfigName is ignored. */
  readonly trafficShifting?: Omit<TrafficShiftingConfigProps, "namePrefix">;
  /**
   * automatic: reroute once the replacement tasks are healthy; manual: wait for someone to reroute
   * (after testing on the test listener), stopping the deployment after rerouteWaitMinutes.
   * @default DEPLOYMENT_DEFAULTS.trafficReroute
   */
  readonly trafficReroute?: "automatic" | "manual";
  /** Only with manual reroute. @default DEPLOYMENT_DEFAULTS.rerouteWaitMinutes */
  readonly rerouteWaitMinutes?: number;
  /** Minutes the old (blue) tasks keep running after a successful reroute. @default DEPLOYMENT_DEFAULTS.terminationWaitMinutes */
  readonly terminationWaitMinutes?: number;
  /**
   * Lambda functions CodeDeploy invokes at lifecycle events (name, name:alias or ARN). They go into the
   * AppSpec (`hooks`, rendered by `appSpecHooksLine`), where CodeDeploy reads them; the group's role may invoke exactly these.
   * @default none
   */
  readonly hooks?: Partial<Record<EcsLifecycleEvent, string>>;
  /** CloudWatch alarms (names, in this region) that stop the deployment and roll it back. @default none */
  readonly alarmNames?: string[];
  /** Where deployment start, success, failure, stop and rollback are announced. @default nowhere */
  readonly notifications?: ReleaseNotifications;
}

/** The CodeDeploy ECS application: one per stack, holding a deployment group per environment. */
export class EcsDeploymentApplication extends Construct {
  readonly application: CodedeployApp;

  constructor(scope: Construct, id: string, props: { readonly name: string }) {
    super(scope, id);
    this.application = new CodedeployApp(this, "app", { name: props.name, computePlatform: "ECS" });
    stackOutput(this, "codedeploy_application", this.application.name, "CodeDeploy application");
  }
}

/** CodeDeploy BLUE_GREEN deployment group with traffic control over both listeners of one environment. */
export class BlueGreenDeployment extends Construct implements EnvironmentDeployment {
  readonly application: CodedeployApp;
  readonly deploymentGroup: CodedeployDeploymentGroup;
  readonly role: ServiceRole;
  readonly deploymentConfigName: string;
  readonly target: DeploymentTarget;
  /** The hooks every AppSpec for this group names (CodeDeploy reads hooks from the AppSpec only), in CodeDeploy's order. */
  readonly hooks: ReadonlyArray<LifecycleHook>;

  constructor(scope: Construct, id: string, props: BlueGreenDeploymentProps) {
    super(scope, id);
    const { service, loadBalancer: lb } = props;
    this.deploymentConfigName = props.trafficShifting
      ? new TrafficShiftingConfig(this, "traffic-shifting", { namePrefix: props.namePrefix, ...props.trafficShifting }).name
      : (props.deploymentConfigName ?? DEPLOYMENT_DEFAULTS.deploymentConfigName);

    this.role = new ServiceRole(this, "role", {
      name: physicalName("iamRole", props.namePrefix, "codedeploy"),
      servicePrincipal: "codedeploy.amazonaws.com",
      description: "CodeDeploy: shift traffic between the blue and green task sets",
    });
    const serviceArn = service.service.id;
    const listenerArns = [lb.productionListener.arn, lb.testListener.arn];
    this.role.addPolicy("ecs-bluegreen", [
      {
        sid: "ManageTaskSets",
        actions: ["ecs:DescribeServices", "ecs:CreateTaskSet", "ecs:UpdateServicePrimaryTaskSet", "ecs:DeleteTaskSet"],
        resources: [
          serviceArn,
          siblingArn(serviceArn, `task-set/${service.cluster.name}/${service.service.name}/*`),
        ],
      },
      {
        sid: "DescribeLoadBalancing",
        actions: [
          "elasticloadbalancing:DescribeListeners",
          "elasticloadbalancing:DescribeRules",
          "elasticloadbalancing:DescribeTargetGroups",
          "elasticloadbalancing:DescribeTargetHealth",
        ],
        // ELB Describe* calls support no resource-level permissions.
        resources: ["*"],
      },
      {
        sid: "ShiftTraffic",
        actions: ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule"],
        resources: [...listenerArns, ...lb.reroutedRuleArns],
      },
      passRoleStatement([service.executionRole.role, service.taskRole.role], "ecs-tasks.amazonaws.com"),
    ]);

    // Physical ARNs in this account and region, derived from the cluster's so planning needs no lookup.
    const inAccount = (service: string, resource: string) => arnInAccountOf(props.service.cluster.arn, service, resource);
    const hooks = ECS_LIFECYCLE_EVENTS.flatMap((event) => (props.hooks?.[event] ? [[event, props.hooks[event]!] as const] : []));
    this.hooks = hooks.map(([event, functionName]) => ({ event, functionName }));
    const alarmNames = props.alarmNames ?? [];
    const readAndInvoke: PolicyStatement[] = [];
    if (hooks.length) {
      readAndInvoke.push({
        sid: "InvokeLifecycleHooks",
        actions: ["lambda:InvokeFunction"],
        resources: hooks.map(([, fn]) => (fn.startsWith("arn:") || Token.isUnresolved(fn) ? fn : inAccount("lambda", `function:${fn}`))),
      });
    }
    if (alarmNames.length) {
      readAndInvoke.push({
        sid: "ReadReleaseAlarms",
        actions: ["cloudwatch:DescribeAlarms"],
        resources: alarmNames.map((name) => inAccount("cloudwatch", `alarm:${name}`)),
      });
    }
    if (readAndInvoke.length) this.role.addPolicy("hooks-and-alarms", readAndInvoke);
    props.notifications?.grantPublish(this.role);

    this.application = props.application;
    const manual = (props.trafficReroute ?? DEPLOYMENT_DEFAULTS.trafficReroute) === "manual";
    this.deploymentGroup = new CodedeployDeploymentGroup(this, "group", {
      appName: this.application.name,
      deploymentGroupName: physicalName("deploymentGroup", props.namePrefix, "bluegreen"),
      serviceRoleArn: this.role.role.arn,
      deploymentConfigName: this.deploymentConfigName,
      deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
      // With alarms, one that fires stops the deployment, and the stop rolls it back.
      autoRollbackConfiguration: {
        enabled: true,
        events: alarmNames.length ? ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] : ["DEPLOYMENT_FAILURE"],
      },
      alarmConfiguration: alarmNames.length ? { enabled: true, alarms: alarmNames } : undefined,
      triggerConfiguration: props.notifications
        ? [{ triggerName: "release-events", triggerEvents: [...DEPLOYMENT_TRIGGER_EVENTS], triggerTargetArn: props.notifications.topic.arn }]
        : undefined,
      blueGreenDeploymentConfig: {
        deploymentReadyOption: manual
          ? { actionOnTimeout: "STOP_DEPLOYMENT", waitTimeInMinutes: props.rerouteWaitMinutes ?? DEPLOYMENT_DEFAULTS.rerouteWaitMinutes }
          : { actionOnTimeout: "CONTINUE_DEPLOYMENT" },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: "TERMINATE",
          terminationWaitTimeInMinutes: props.terminationWaitMinutes ?? DEPLOYMENT_DEFAULTS.terminationWaitMinutes,
        },
      },
      ecsService: { clusterName: service.cluster.name, serviceName: service.service.name },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [lb.productionListener.arn] },
          testTrafficRoute: { listenerArns: [lb.testListener.arn] },
          targetGroup: [{ name: lb.blueTargetGroup.name }, { name: lb.greenTargetGroup.name }],
        },
      },
    });
    this.target = { application: this.application.name, deploymentGroup: this.deploymentGroup.deploymentGroupName };
    stackOutput(this, `${props.environmentName}_deployment_group`, this.target.deploymentGroup, `${props.environmentName}: CodeDeploy deployment group`);
  }

  /** CodeDeploy's role reads the revision (task definition and AppSpec) the pipeline stored. */
  grantRevisionRead(store: RevisionStore): void {
    store.grantRead(this.role);
  }

  /** CodePipeline's CodeDeployToECS action: registers the rendered task definition and deploys with the rendered AppSpec. */
  pipelineDeployAction(files: DeployFiles): CodepipelineStageAction {
    return {
      name: "Deploy",
      category: "Deploy",
      owner: "AWS",
      provider: "CodeDeployToECS",
      version: "1",
      inputArtifacts: [files.artifact],
      configuration: {
        ApplicationName: this.target.application,
        DeploymentGroupName: this.target.deploymentGroup,
        TaskDefinitionTemplateArtifact: files.artifact,
        TaskDefinitionTemplatePath: files.taskDefinitionFile,
        AppSpecTemplateArtifact: files.artifact,
        AppSpecTemplatePath: files.appSpecFile,
        Image1ArtifactName: files.artifact,
        Image1ContainerName: files.imagePlaceholder,
      },
    };
  }
}
