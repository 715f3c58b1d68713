import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { ArtifactBucket } from "./artifact-bucket";
import { ContainerRepository } from "../service/container-repository";
import { EncryptionKey } from "../security/encryption-key";
import { DeploymentEnvironment } from "../environment/deployment-environment";
import { logWriteStatement, ServiceRole } from "../security/iam";
import { physicalName } from "../core/naming";
import { BUILD_DEFAULTS } from "./delivery-config";

export interface BuildProjectProps {
  readonly appName: string;
  readonly repository: ContainerRepository;
  readonly artifacts: ArtifactBucket;
  /** The environments whose task definition and appspec the buildspec renders, in deployment order. */
  readonly environments: DeploymentEnvironment[];
  /** Subnets and public-IP setting written into each appspec's network configuration. */
  readonly taskSubnetIds: string[];
  readonly assignPublicIp: boolean;
  /** @default BUILD_DEFAULTS.computeType */
  readonly computeType?: string;
  /** @default BUILD_DEFAULTS.image */
  readonly image?: string;
  /** Buildspec path in the source. @default BUILD_DEFAULTS.buildspecPath */
  readonly buildspecPath?: string;
  /** @default BUILD_DEFAULTS.timeoutMinutes */
  readonly timeoutMinutes?: number;
  /** @default BUILD_DEFAULTS.logRetentionDays */
  readonly logRetentionDays?: number;
  /** Command run inside the built image before it is pushed. @default none */
  readonly testCommand?: string;
  /** none; s3: in the artifact bucket under build-cache/; local: Docker layers and source on the build host. @default BUILD_DEFAULTS.cache */
  readonly cache?: "none" | "s3" | "local";
  /** Customer-managed key to encrypt with. @default the service's AWS-managed key */
  readonly encryptionKey?: EncryptionKey;
}

/** Build-wide variables the buildspec in app-repo-sample/ relies on. */
export const BUILD_ENVIRONMENT_VARIABLES = ["REPOSITORY_URI", "CONTAINER_NAME", "CONTAINER_PORT", "DEPLOY_ENVIRONMENTS"] as const;
/** Set only when configured (build.testCommand). */
export const OPTIONAL_BUILD_VARIABLES = ["TEST_COMMAND"] as const;
/** Per-environment values, one object per environment name inside DEPLOY_ENVIRONMENTS (JSON). */
export const PER_ENVIRONMENT_VARIABLES = [
  "TASK_FAMILY",
  "EXECUTION_ROLE_ARN",
  "TASK_ROLE_ARN",
  "TASK_CPU",
  "TASK_MEMORY",
  "CONTAINER_ENVIRONMENT",
  "CONTAINER_SECRETS",
  "LOG_GROUP_NAME",
  "SUBNET_IDS",
  "SECURITY_GROUP_IDS",
  "ASSIGN_PUBLIC_IP",
  "APPSPEC_HOOKS",
] as const;
export type PerEnvironmentVariable = (typeof PER_ENVIRONMENT_VARIABLES)[number];

/**
 * Privileged CodeBuild project that builds, optionally tests, and pushes the image, then renders
 * taskdef-<env>.json and appspec-<env>.yaml for every environment.
 */
export class BuildProject extends Construct {
  readonly project: CodebuildProject;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;
  /** What DEPLOY_ENVIRONMENTS holds, by environment name. */
  readonly environmentValues: Record<string, Record<PerEnvironmentVariable, string>>;

  constructor(scope: Construct, id: string, props: BuildProjectProps) {
    super(scope, id);
    const name = physicalName("codebuildProject", props.appName, "build");
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: physicalName("logGroup", `/codebuild/${name}`),
      retentionInDays: props.logRetentionDays ?? BUILD_DEFAULTS.logRetentionDays,
      kmsKeyId: props.encryptionKey?.keyArn,
    });
    this.role = new ServiceRole(this, "role", {
      name: physicalName("iamRole", props.appName, "codebuild"),
      servicePrincipal: "codebuild.amazonaws.com",
      description: "CodeBuild: build and push the image, render deployment artifacts",
    });
    this.role.addPolicy("logs", [logWriteStatement(this.logGroup)]);
    props.artifacts.grantReadWrite(this.role);
    props.repository.grantPullPush(this.role);

    this.environmentValues = Object.fromEntries(
      props.environments.map((env) => {
        const service = env.service;
        const values: Record<PerEnvironmentVariable, string> = {
          TASK_FAMILY: service.taskDefinition.family,
          EXECUTION_ROLE_ARN: service.executionRole.role.arn,
          TASK_ROLE_ARN: service.taskRole.role.arn,
          TASK_CPU: String(service.cpu),
          TASK_MEMORY: String(service.memory),
          // The container's plain environment as the JSON list ECS expects, so revisions the pipeline registers keep it.
          // (Encoded by Terraform: cdktf does not escape quotes in a JSON string literal nested in jsonencode.)
          CONTAINER_ENVIRONMENT: Fn.jsonencode(service.environment),
          // Secret references (ARNs), never values: ECS reads them when a task starts.
          CONTAINER_SECRETS: Fn.jsonencode(service.secrets),
          LOG_GROUP_NAME: service.logGroup.name,
          SUBNET_IDS: Fn.join(",", props.taskSubnetIds),
          SECURITY_GROUP_IDS: service.securityGroup.id,
          ASSIGN_PUBLIC_IP: props.assignPublicIp ? "ENABLED" : "DISABLED",
          APPSPEC_HOOKS: env.deployment.appSpecHooks,
        };
        return [env.name, values];
      }),
    );
    const [first] = props.environments;
    const variables: Record<string, string> = {
      REPOSITORY_URI: props.repository.repository.repositoryUrl,
      CONTAINER_NAME: first.service.containerName,
      CONTAINER_PORT: String(first.service.containerPort),
      DEPLOY_ENVIRONMENTS: Fn.jsonencode(this.environmentValues),
      ...(props.testCommand ? { TEST_COMMAND: props.testCommand } : {}),
    };

    const cacheMode = props.cache ?? BUILD_DEFAULTS.cache;
    this.project = new CodebuildProject(this, "project", {
      name,
      description: `Builds ${props.appName}'s image and its blue/green deployment artifacts`,
      serviceRole: this.role.role.arn,
      encryptionKey: props.encryptionKey?.keyArn,
      buildTimeout: props.timeoutMinutes ?? BUILD_DEFAULTS.timeoutMinutes,
      source: { type: "CODEPIPELINE", buildspec: props.buildspecPath ?? BUILD_DEFAULTS.buildspecPath },
      artifacts: { type: "CODEPIPELINE" },
      cache:
        cacheMode === "s3"
          ? { type: "S3", location: `${props.artifacts.bucket.bucket}/build-cache` }
          : cacheMode === "local"
            ? { type: "LOCAL", modes: ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"] }
            : { type: "NO_CACHE" },
      environment: {
        type: "LINUX_CONTAINER",
        computeType: props.computeType ?? BUILD_DEFAULTS.computeType,
        image: props.image ?? BUILD_DEFAULTS.image,
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
