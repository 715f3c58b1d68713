import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { ContainerRepository } from "./container-repository";
import { EncryptionKey } from "../security/encryption-key";
import { BlueGreenTargets } from "../network/load-balancer";
import { logWriteStatement, ServiceRole } from "../security/iam";
import { logGroupName, physicalName } from "../core/naming";
import { ecsHealthCheck, EcsHealthCheck, ecsWritableStorage, EcsWritableStorage, ServiceSettings, SERVICE_DEFAULTS } from "./service-config";
import { serviceCluster } from "./service-cluster";
import { ApplicationSecrets, ContainerSecret } from "./application-secrets";
import { SecretReference } from "./secrets-config";
import { TaskRoleSettings } from "./task-role-config";
import { TaskPermissions } from "./task-permissions";
import { addCpuAutoScaling, AutoScalingSettings } from "./service-autoscaling";

/** How deployments of the service are run: the ECS deployment controller, and the fields each deployment sets. */
export interface ServiceDeploymentController {
  readonly type: "CODE_DEPLOY" | "ECS";
  /** Service fields every deployment sets, which Terraform must leave as the last deployment set them. */
  readonly ignoredFields: string[];
}

export interface FargateServiceProps {
  /** Prefix of every physical name: the app name, and the environment's. */
  readonly namePrefix: string;
  readonly region: string;
  readonly vpcId: string;
  /** Subnets the tasks run in. */
  readonly subnetIds: string[];
  /** Give tasks a public IP (only when they run in public subnets). @default false */
  readonly assignPublicIp?: boolean;
  readonly loadBalancer: BlueGreenTargets;
  /** The cluster the service runs in, when shared with other services. @default a cluster of its own */
  readonly cluster?: EcsCluster;
  /** Who deploys new revisions (the traffic control). */
  readonly controller: ServiceDeploymentController;
  /** Repository the execution role may pull from. */
  readonly repository: ContainerRepository;
  readonly containerName: string;
  readonly containerPort: number;
  /** Image of the first task definition; later revisions come from the pipeline. */
  readonly initialImage: string;
  /** Fargate CPU units. @default SERVICE_DEFAULTS.cpu */
  readonly cpu?: number;
  /** Fargate memory, MiB. @default SERVICE_DEFAULTS.memory */
  readonly memory?: number;
  /** @default SERVICE_DEFAULTS.desiredCount */
  readonly desiredCount?: number;
  /** When set, a CPU target-tracking policy owns desired_count. */
  readonly autoScaling?: AutoScalingSettings;
  /** Plain (non-secret) container environment. @default SERVICE_DEFAULTS.environment */
  readonly environment?: Record<string, string>;
  /** The application's secrets (`service.secrets`): the execution role may read exactly these. @default SERVICE_DEFAULTS.secrets */
  readonly secrets?: Record<string, SecretReference>;
  /** ECS `secrets` of what the stack itself creates (the database credentials), granted by their owner. @default [] */
  readonly managedSecrets?: ContainerSecret[];
  /** Plan without AWS calls: a secret given by name is not looked up. @default false */
  readonly sandbox?: boolean;
  /** The application's own AWS permissions. @default none */
  readonly taskRole?: TaskRoleSettings;
  /** @default SERVICE_DEFAULTS.cpuArchitecture */
  readonly cpuArchitecture?: "X86_64" | "ARM64";
  /** ECS Exec into the containers. @default SERVICE_DEFAULTS.enableExecuteCommand */
  readonly enableExecuteCommand?: boolean;
  /** The container's own health check. @default none */
  readonly healthCheck?: ServiceSettings["healthCheck"];
  /** @default SERVICE_DEFAULTS.containerInsights */
  readonly containerInsights?: "enabled" | "enhanced" | "disabled";
  /** @default SERVICE_DEFAULTS.logRetentionDays */
  readonly logRetentionDays?: number;
  /** @default SERVICE_DEFAULTS.readonlyRootFilesystem */
  readonly readonlyRootFilesystem?: boolean;
  /** Writable with a read-only root filesystem. @default SERVICE_DEFAULTS.writablePaths */
  readonly writablePaths?: string[];
  /** Customer-managed key to encrypt with. @default the service's AWS-managed key */
  readonly encryptionKey?: EncryptionKey;
}

/**
 * ECS cluster and Fargate service under the traffic control's deployment controller, with its task
 * definition, roles, log group and a security group that admits only the load balancer.
 */
export class FargateService extends Construct {
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly executionRole: ServiceRole;
  readonly taskRole: ServiceRole;
  readonly securityGroup: SecurityGroup;
  readonly logGroup: CloudwatchLogGroup;
  readonly containerName: string;
  readonly containerPort: number;
  readonly cpu: number;
  readonly memory: number;
  /** The container's plain environment, as ECS lists it. */
  readonly environment: Array<{ name: string; value: string }>;
  /** The container's secrets, as ECS lists them (references only, never values). */
  readonly secrets: ContainerSecret[];
  readonly cpuArchitecture: "X86_64" | "ARM64";
  /** The container's health check as ECS takes it, when configured. */
  readonly healthCheck?: EcsHealthCheck;
  /** With a read-only root filesystem: the container's flag and mounts, the task's volumes. */
  readonly writableStorage?: EcsWritableStorage;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const app = props.namePrefix;
    this.containerName = props.containerName;
    this.containerPort = props.containerPort;
    this.cpu = props.cpu ?? SERVICE_DEFAULTS.cpu;
    this.memory = props.memory ?? SERVICE_DEFAULTS.memory;
    this.cpuArchitecture = props.cpuArchitecture ?? SERVICE_DEFAULTS.cpuArchitecture;
    const enableExecuteCommand = props.enableExecuteCommand ?? SERVICE_DEFAULTS.enableExecuteCommand;

    this.cluster = props.cluster ?? serviceCluster(this, "cluster", app, props.containerInsights);
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: logGroupName("service", app),
      retentionInDays: props.logRetentionDays ?? SERVICE_DEFAULTS.logRetentionDays,
      kmsKeyId: props.encryptionKey?.keyArn,
    });

    this.executionRole = new ServiceRole(this, "execution-role", {
      name: physicalName("iamRole", app, "ecs-execution"),
      servicePrincipal: "ecs-tasks.amazonaws.com",
      description: "ECS agent: pull the image, write logs",
    });
    props.repository.grantPull(this.executionRole);
    props.encryptionKey?.useAccountOf(this.executionRole.role.arn);
    this.executionRole.addPolicy("logs", [logWriteStatement(this.logGroup)]);
    this.taskRole = new ServiceRole(this, "task-role", {
      name: physicalName("iamRole", app, "ecs-task"),
      servicePrincipal: "ecs-tasks.amazonaws.com",
      description: "The application's own AWS permissions (none by default)",
    });
    new TaskPermissions(this, "task-permissions", { taskRole: this.taskRole, settings: props.taskRole, executeCommand: enableExecuteCommand });

    const environment = Object.entries(props.environment ?? SERVICE_DEFAULTS.environment).map(([name, value]) => ({ name, value }));
    const applicationSecrets = new ApplicationSecrets(this, "secrets", {
      region: props.region,
      secrets: props.secrets ?? SERVICE_DEFAULTS.secrets,
      executionRole: this.executionRole,
      lookUpByName: !props.sandbox,
    });
    const secrets = [...(props.managedSecrets ?? []), ...applicationSecrets.entries];
    this.environment = environment;
    this.secrets = secrets;
    this.healthCheck = props.healthCheck && ecsHealthCheck(props.healthCheck);
    const storage = ecsWritableStorage(props.readonlyRootFilesystem ?? SERVICE_DEFAULTS.readonlyRootFilesystem, props.writablePaths ?? SERVICE_DEFAULTS.writablePaths);
    this.writableStorage = storage;
    this.taskDefinition = new EcsTaskDefinition(this, "task", {
      family: physicalName("taskFamily", app),
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(this.cpu),
      memory: String(this.memory),
      executionRoleArn: this.executionRole.role.arn,
      taskRoleArn: this.taskRole.role.arn,
      // Left out for x86, as before the setting existed: Fargate's default is X86_64 on Linux.
      ...(this.cpuArchitecture === "ARM64" ? { runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" } } : {}),
      ...(storage ? { volume: storage.volumes.map((v) => ({ ...v })) } : {}),
      containerDefinitions: Fn.jsonencode([
        {
          name: props.containerName,
          image: props.initialImage,
          essential: true,
          portMappings: [{ containerPort: props.containerPort, hostPort: props.containerPort, protocol: "tcp" }],
          ...(environment.length ? { environment } : {}),
          ...(secrets.length ? { secrets } : {}),
          ...(this.healthCheck ? { healthCheck: this.healthCheck } : {}),
          ...(storage ? { readonlyRootFilesystem: true, mountPoints: storage.mountPoints } : {}),
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": this.logGroup.name,
              "awslogs-region": props.region,
              "awslogs-stream-prefix": "ecs",
            },
          },
        },
      ]),
    });

    this.securityGroup = new SecurityGroup(this, "sg", {
      name: physicalName("securityGroup", app, "service"),
      description: "ECS tasks: only the ALB may connect",
      vpcId: props.vpcId,
      tags: { Name: physicalName("securityGroup", app, "service") },
    });
    // Any TCP port, but only from the load balancer's group, which sends only to registered targets on
    // their registered port. A rule per container port would close the old port on the apply that
    // changes it, while the old tasks still serve on it until the next deployment replaces them.
    new VpcSecurityGroupIngressRule(this, "in-from-alb", {
      securityGroupId: this.securityGroup.id,
      description: "From the load balancer only",
      ipProtocol: "tcp",
      fromPort: 0,
      toPort: 65535,
      referencedSecurityGroupId: props.loadBalancer.securityGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, "alb-out-to-service", {
      securityGroupId: props.loadBalancer.securityGroup.id,
      description: "To the ECS tasks",
      ipProtocol: "tcp",
      fromPort: 0,
      toPort: 65535,
      referencedSecurityGroupId: this.securityGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, "out-all", {
      securityGroupId: this.securityGroup.id,
      description: "Image pulls, logs and the application's own outbound calls",
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
    });

    const ignoreChanges = [...props.controller.ignoredFields];
    if (props.autoScaling) ignoreChanges.push("desired_count");
    this.service = new EcsService(this, "service", {
      name: physicalName("ecsService", app),
      cluster: this.cluster.id,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.autoScaling ? props.autoScaling.minCapacity : props.desiredCount ?? SERVICE_DEFAULTS.desiredCount,
      launchType: "FARGATE",
      deploymentController: { type: props.controller.type },
      loadBalancer: [
        {
          targetGroupArn: props.loadBalancer.blueTargetGroup.arn,
          containerName: props.containerName,
          containerPort: props.containerPort,
        },
      ],
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: [this.securityGroup.id],
        assignPublicIp: props.assignPublicIp ?? false,
      },
      healthCheckGracePeriodSeconds: 30,
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      // Only when on, as before the setting existed. Under CodeDeploy AWS sets it only when the service is
      // created (UpdateService refuses it); the running-stack guard refuses a change on a running service.
      ...(enableExecuteCommand ? { enableExecuteCommand } : {}),
      // A target group must be attached to a load balancer (through a listener) before a service can use it.
      dependsOn: props.loadBalancer.attachments,
      // An autoscaling policy owns the task count; Terraform must not undo it either.
      lifecycle: { ignoreChanges },
    });

    if (props.autoScaling) addCpuAutoScaling(this, { namePrefix: app, cluster: this.cluster, service: this.service, settings: props.autoScaling });
  }
}
