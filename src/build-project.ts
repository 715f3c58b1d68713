import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { ArtifactBucket } from "./artifact-bucket";
import { ContainerRepository } from "./container-repository";
import { FargateService } from "./fargate-service";
import { logWriteStatement, ServiceRole } from "./iam";
import { NAME_LIMITS, physicalName } from "./naming";

export interface BuildProjectProps {
  readonly appName: string;
  readonly repository: ContainerRepository;
  readonly artifacts: ArtifactBucket;
  /** The service whose task definition and network settings the buildspec renders into taskdef/appspec. */
  readonly service: FargateService;
  /** Subnets and public-IP setting written into the appspec's network configuration. */
  readonly taskSubnetIds: string[];
  readonly assignPublicIp: boolean;
  /** @default "BUILD_GENERAL1_SMALL" */
  readonly computeType?: string;
  /** @default "aws/codebuild/amazonlinux2-x86_64-standard:5.0" */
  readonly image?: string;
  /** Buildspec path in the source. @default "buildspec.yml" */
  readonly buildspecPath?: string;
  /** @default 30 */
  readonly timeoutMinutes?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
}

/**
 * Names of the environment variables the buildspec in app-repo-sample/ relies on. Kept here, next to the
 * project that sets them, so a test can check that the sample uses no other.
 */
export const BUILD_ENVIRONMENT_VARIABLES = [
  "REPOSITORY_URI",
  "TASK_FAMILY",
  "TASK_DEFINITION_ARN",
  "EXECUTION_ROLE_ARN",
  "TASK_ROLE_ARN",
  "CONTAINER_NAME",
  "CONTAINER_PORT",
  "CONTAINER_ENVIRONMENT",
  "TASK_CPU",
  "TASK_MEMORY",
  "LOG_GROUP_NAME",
  "SUBNET_IDS",
  "SECURITY_GROUP_IDS",
  "ASSIGN_PUBLIC_IP",
] as const;
export type BuildEnvironmentVariable = (typeof BUILD_ENVIRONMENT_VARIABLES)[number];

/** Privileged CodeBuild project that builds and pushes the image and renders the deployment artifacts. */
export class BuildProject extends Construct {
  readonly project: CodebuildProject;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: BuildProjectProps) {
    super(scope, id);
    const name = physicalName(props.appName, "build");
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/codebuild/${name}`,
      retentionInDays: props.logRetentionDays ?? 30,
    });
    this.role = new ServiceRole(this, "role", {
      name: physicalName(props.appName, "codebuild", NAME_LIMITS.iamRole),
      servicePrincipal: "codebuild.amazonaws.com",
      description: "CodeBuild: build and push the image, render deployment artifacts",
    });
    this.role.addPolicy("logs", [logWriteStatement(this.logGroup)]);
    props.artifacts.grantReadWrite(this.role);
    props.repository.grantPullPush(this.role);

    const service = props.service;
    const variables: Record<BuildEnvironmentVariable, string> = {
      REPOSITORY_URI: props.repository.repository.repositoryUrl,
      TASK_FAMILY: service.taskDefinition.family,
      TASK_DEFINITION_ARN: service.taskDefinition.arnWithoutRevision,
      EXECUTION_ROLE_ARN: service.executionRole.role.arn,
      TASK_ROLE_ARN: service.taskRole.role.arn,
      CONTAINER_NAME: service.containerName,
      CONTAINER_PORT: String(service.containerPort),
      // The container's plain environment as the JSON list ECS expects, so revisions the pipeline registers keep it.
      CONTAINER_ENVIRONMENT: JSON.stringify(service.environment),
      TASK_CPU: String(service.cpu),
      TASK_MEMORY: String(service.memory),
      LOG_GROUP_NAME: service.logGroup.name,
      SUBNET_IDS: Fn.join(",", props.taskSubnetIds),
      SECURITY_GROUP_IDS: service.securityGroup.id,
      ASSIGN_PUBLIC_IP: props.assignPublicIp ? "ENABLED" : "DISABLED",
    };

    this.project = new CodebuildProject(this, "project", {
      name,
      description: `Builds ${props.appName}'s image and its blue/green deployment artifacts`,
      serviceRole: this.role.role.arn,
      buildTimeout: props.timeoutMinutes ?? 30,
      source: { type: "CODEPIPELINE", buildspec: props.buildspecPath ?? "buildspec.yml" },
      artifacts: { type: "CODEPIPELINE" },
      environment: {
        type: "LINUX_CONTAINER",
        computeType: props.computeType ?? "BUILD_GENERAL1_SMALL",
        image: props.image ?? "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
        // Docker-in-Docker needs a privileged build container.
        privilegedMode: true,
        environmentVariable: Object.entries(variables).map(([envName, value]) => ({
          name: envName,
          value,
          type: "PLAINTEXT",
        })),
      },
      logsConfig: {
        cloudwatchLogs: { status: "ENABLED", groupName: this.logGroup.name, streamName: "build" },
      },
    });
  }
}
