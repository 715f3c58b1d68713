import { Construct } from "constructs";
import { CodepipelineStageAction } from "@cdktf/provider-aws/lib/codepipeline";
import { BlueGreenTargets } from "../network/load-balancer";
import { ReleaseNotifications } from "../release-safety/release-notifications";
import { PolicyStatement, ServiceRole } from "../security/iam";
import { FargateService, ServiceDeploymentController } from "../service/fargate-service";
import { DeploymentSettings } from "./deployment-config";

/**
 * Who shifts traffic from the running tasks to a new revision, and everything that follows from it: how
 * the ECS service and its listeners are handed over, what a deployment of one environment is made of,
 * what a deployer may do, and what the application repository's deploy files send. CodeDeploy is the one
 * implementation today (`CodeDeployTrafficControl` and the modules beside it); README's Layout says what an ECS-native one adds.
 */
export interface TrafficControl<D extends EnvironmentDeployment = EnvironmentDeployment> {
  /** The ECS service's deployment controller, and the service fields each deployment sets. */
  readonly serviceController: ServiceDeploymentController;
  /** Listener fields each deployment changes (Terraform must not set them back). */
  readonly listenerFieldsOwnedByDeployments: string[];
  /** Listener-rule fields each deployment changes, on a listener shared by several services. */
  readonly listenerRuleFieldsOwnedByDeployments: string[];
  /** What deploys one environment's service (CodeDeploy: a deployment group), created under `scope`. */
  addEnvironment(scope: Construct, id: string, props: EnvironmentDeploymentProps): D;
  /**
   * What a deployer needs to deploy these environments: the pipeline's role, or the workflow's deploy job
   * (which also reads the running task definition and waits for the service).
   */
  deployerStatements(environments: ReadonlyArray<DeployedEnvironment<D>>, deployer: "pipeline" | "workflow"): PolicyStatement[];
}

export interface EnvironmentDeploymentProps {
  /** Prefix of every physical name: the app name, and the environment's. */
  readonly namePrefix: string;
  /** The environment's name, for its outputs. */
  readonly environmentName: string;
  readonly service: FargateService;
  readonly loadBalancer: BlueGreenTargets;
  /** The environment's resolved deployment settings (release safety is wired by the environment itself). */
  readonly settings: Omit<DeploymentSettings, "smokeTest" | "alarms" | "alarmNames" | "hooks">;
  /** Functions run at lifecycle events (name, name:alias or ARN), by event. @default none */
  readonly hooks?: Readonly<Record<string, string>>;
  /** Alarms (names) that stop and roll back a deployment. @default none */
  readonly alarmNames?: string[];
  /** Where deployments are announced. @default nowhere */
  readonly notifications?: ReleaseNotifications;
}

/** A function run at one event of every deployment. */
export interface LifecycleHook {
  readonly event: string;
  /** A function name, name:alias or ARN. */
  readonly functionName: string;
}

/** Where the application repository's deploy step sends a new revision of one environment. */
export interface DeploymentTarget {
  readonly application: string;
  readonly deploymentGroup: string;
}

/** One environment's deployments under the traffic control. */
export interface EnvironmentDeployment {
  readonly target: DeploymentTarget;
  /** The lifecycle hooks, in the order they run. */
  readonly hooks: ReadonlyArray<LifecycleHook>;
  /** Lets what runs the deployment read the revisions the pipeline stores. */
  grantRevisionRead(store: RevisionStore): void;
  /** The pipeline's action that deploys this environment from the build's output. */
  pipelineDeployAction(files: DeployFiles): CodepipelineStageAction;
}

/** An environment as a deployer sees it: the service it replaces revisions of, and how. */
export interface DeployedEnvironment<D extends EnvironmentDeployment = EnvironmentDeployment> {
  readonly service: FargateService;
  readonly deployment: D;
}

/** Where revisions are stored for a deployment to read (the pipeline's artifact bucket). */
export interface RevisionStore {
  grantRead(role: ServiceRole): void;
}

/** The build output a pipeline deploy action reads: artifact name and the files the buildspec renders in it. */
export interface DeployFiles {
  readonly artifact: string;
  readonly taskDefinitionFile: string;
  readonly appSpecFile: string;
  /** The placeholder in the task definition that the action replaces with the built image. */
  readonly imagePlaceholder: string;
}
