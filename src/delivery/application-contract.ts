import { Fn } from "cdktf";
import { DeploymentEnvironment } from "../environment/deployment-environment";
import { NetworkPlacement } from "../network/network";
import { appSpecHooksLine } from "../traffic-control/appspec";
import { DeploymentTarget, LifecycleHook } from "../traffic-control/traffic-control";
import { EcsHealthCheck, EcsWritableStorage } from "../service/service-config";

/**
 * What the application repository's deploy files (app-repo-sample/: the buildspec and its templates, or
 * the GitHub workflow) receive for one environment: its task definition, container, network placement,
 * service and deployment. Built once, here, and rendered for either delivery.
 */
export interface EnvironmentContract {
  readonly environment: string;
  readonly taskDefinition: {
    readonly family: string;
    readonly executionRoleArn: string;
    readonly taskRoleArn: string;
    /** Fargate CPU units. */
    readonly cpu: number;
    /** MiB. */
    readonly memory: number;
    readonly logGroupName: string;
    /** Fargate's CPU architecture: the build makes the image for it. */
    readonly cpuArchitecture: "X86_64" | "ARM64";
  };
  readonly container: {
    readonly name: string;
    readonly port: number;
    /** The plain environment, as ECS lists it. */
    readonly environment: ReadonlyArray<{ readonly name: string; readonly value: string }>;
    /** Secret references (ARNs), never values: ECS reads them when a task starts. */
    readonly secrets: ReadonlyArray<{ readonly name: string; readonly valueFrom: string }>;
    /** The container's health check as ECS takes it, when configured. */
    readonly healthCheck?: EcsHealthCheck;
    /** With a read-only root filesystem: the container's flag and mounts, the task's volumes. */
    readonly writableStorage?: EcsWritableStorage;
  };
  readonly network: { readonly subnetIds: string[]; readonly securityGroupIds: string[]; readonly assignPublicIp: boolean };
  readonly service: { readonly cluster: string; readonly service: string };
  readonly deployment: DeploymentTarget & { readonly hooks: ReadonlyArray<LifecycleHook> };
}

export function environmentContract(env: DeploymentEnvironment, network: NetworkPlacement): EnvironmentContract {
  const service = env.service;
  return {
    environment: env.name,
    taskDefinition: {
      family: service.taskDefinition.family,
      executionRoleArn: service.executionRole.role.arn,
      taskRoleArn: service.taskRole.role.arn,
      cpu: service.cpu,
      memory: service.memory,
      logGroupName: service.logGroup.name,
      cpuArchitecture: service.cpuArchitecture,
    },
    container: {
      name: service.containerName,
      port: service.containerPort,
      environment: service.environment,
      secrets: service.secrets,
      healthCheck: service.healthCheck,
      writableStorage: service.writableStorage,
    },
    network: { subnetIds: network.taskSubnetIds, securityGroupIds: [service.securityGroup.id], assignPublicIp: network.assignPublicIp },
    service: { cluster: service.cluster.name, service: service.service.name },
    deployment: { ...env.deployment.target, hooks: env.deployment.hooks },
  };
}

/** Per-environment values, one object per environment name inside the build's DEPLOY_ENVIRONMENTS (JSON). */
export const PER_ENVIRONMENT_VARIABLES = [
  "TASK_FAMILY",
  "EXECUTION_ROLE_ARN",
  "TASK_ROLE_ARN",
  "TASK_CPU",
  "TASK_MEMORY",
  "CPU_ARCHITECTURE",
  "CONTAINER_ENVIRONMENT",
  "CONTAINER_SECRETS",
  "CONTAINER_HEALTH_CHECK",
  "LOG_GROUP_NAME",
  "SUBNET_IDS",
  "SECURITY_GROUP_IDS",
  "ASSIGN_PUBLIC_IP",
  "APPSPEC_HOOKS",
] as const;
/**
 * Only with a read-only root filesystem (the sample buildspec renders `false`, `[]` and `[]` without them,
 * so a platform that does not use it hands its builds exactly what it did before the setting existed).
 */
export const READ_ONLY_ROOT_VARIABLES = ["CONTAINER_READONLY_ROOT_FILESYSTEM", "CONTAINER_MOUNT_POINTS", "TASK_VOLUMES"] as const;
export type PerEnvironmentVariable = (typeof PER_ENVIRONMENT_VARIABLES)[number];
export type BuildspecValues = Record<PerEnvironmentVariable, string> & Partial<Record<(typeof READ_ONLY_ROOT_VARIABLES)[number], string>>;

/** What buildspec.yml substitutes into taskdef.template.json and appspec.template.yaml for one environment. */
export function buildspecValues(c: EnvironmentContract): BuildspecValues {
  const storage = c.container.writableStorage;
  return {
    TASK_FAMILY: c.taskDefinition.family,
    EXECUTION_ROLE_ARN: c.taskDefinition.executionRoleArn,
    TASK_ROLE_ARN: c.taskDefinition.taskRoleArn,
    TASK_CPU: String(c.taskDefinition.cpu),
    TASK_MEMORY: String(c.taskDefinition.memory),
    CPU_ARCHITECTURE: c.taskDefinition.cpuArchitecture,
    // The container's plain environment as the JSON list ECS expects, so revisions the pipeline registers keep it.
    // (Encoded by Terraform: cdktf does not escape quotes in a JSON string literal nested in jsonencode.)
    CONTAINER_ENVIRONMENT: Fn.jsonencode(c.container.environment),
    CONTAINER_SECRETS: Fn.jsonencode(c.container.secrets),
    // JSON null without a health check: the buildspec then drops the field (ECS documents no null health check).
    CONTAINER_HEALTH_CHECK: c.container.healthCheck ? Fn.jsonencode(c.container.healthCheck) : "null",
    LOG_GROUP_NAME: c.taskDefinition.logGroupName,
    ...appSpecNetwork(c),
    APPSPEC_HOOKS: appSpecHooksLine(c.deployment.hooks),
    ...(storage
      ? {
          CONTAINER_READONLY_ROOT_FILESYSTEM: "true",
          CONTAINER_MOUNT_POINTS: Fn.jsonencode(storage.mountPoints),
          TASK_VOLUMES: Fn.jsonencode(storage.volumes),
        }
      : {}),
  };
}

/** The Docker platform of the tasks' CPU architecture: what the workflow's build job builds the image for. */
export function imagePlatform(architecture: "X86_64" | "ARM64"): string {
  return architecture === "ARM64" ? "linux/arm64" : "linux/amd64";
}

/** What an environment's deploy job reads besides its contract: the role it assumes. */
export interface WorkflowSettings {
  readonly deployRoleArn: string;
}

/** Everything a deploy job of the workflow reads from its GitHub environment's `vars.*`, by variable name, to deploy this environment. */
export function workflowVariables(c: EnvironmentContract, workflow: WorkflowSettings): Record<string, string> {
  return {
    AWS_DEPLOY_ROLE_ARN: workflow.deployRoleArn,
    TASK_FAMILY: c.taskDefinition.family,
    CONTAINER_NAME: c.container.name,
    CONTAINER_PORT: String(c.container.port),
    ECS_CLUSTER: c.service.cluster,
    ECS_SERVICE: c.service.service,
    CODEDEPLOY_APPLICATION: c.deployment.application,
    CODEDEPLOY_DEPLOYMENT_GROUP: c.deployment.deploymentGroup,
    // The AppSpec's network configuration: a NAT mode or zone change reaches the tasks with the next run.
    ...appSpecNetwork(c),
    // The AppSpec's lifecycle hooks line (the smoke test and deployment.hooks); empty without hooks.
    APPSPEC_HOOKS: appSpecHooksLine(c.deployment.hooks),
  };
}

/** The AppSpec's AwsvpcConfiguration, as its template's lists and flag read them. */
function appSpecNetwork(c: EnvironmentContract): { SUBNET_IDS: string; SECURITY_GROUP_IDS: string; ASSIGN_PUBLIC_IP: string } {
  return {
    SUBNET_IDS: Fn.join(",", c.network.subnetIds),
    SECURITY_GROUP_IDS: c.network.securityGroupIds.join(","),
    ASSIGN_PUBLIC_IP: c.network.assignPublicIp ? "ENABLED" : "DISABLED",
  };
}
