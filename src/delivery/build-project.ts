import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { ArtifactBucket } from "../storage/artifact-bucket";
import { ContainerRepository } from "../service/container-repository";
import { EncryptionKey } from "../security/encryption-key";
import { buildspecValues, BuildspecValues, EnvironmentContract } from "./application-contract";
import { logWriteStatement, ServiceRole } from "../security/iam";
import { logGroupName, physicalName } from "../core/naming";
import { BUILD_DEFAULTS, BUILD_IMAGES } from "./delivery-config";

export interface BuildProjectProps {
  readonly appName: string;
  readonly repository: ContainerRepository;
  readonly artifacts: ArtifactBucket;
  /** What the buildspec renders each environment's task definition and AppSpec from, in deployment order. */
  readonly environments: EnvironmentContract[];
  /** @default BUILD_DEFAULTS.computeType */
  readonly computeType?: string;
  /** @default BUILD_IMAGES for the tasks' CPU architecture */
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
  /**
   * One of several services in a shared repository: its folder. The buildspec is read from there
   * (buildspecPath is relative to it) and receives it as SERVICE_DIRECTORY. @default the repository's root
   */
  readonly serviceDirectory?: string;
}

/** Build-wide variables the buildspec in app-repo-sample/ relies on. */
export const BUILD_ENVIRONMENT_VARIABLES = ["REPOSITORY_URI", "CONTAINER_NAME", "CONTAINER_PORT", "DEPLOY_ENVIRONMENTS"] as const;
/** Set only when configured (build.testCommand). */
export const OPTIONAL_BUILD_VARIABLES = ["TEST_COMMAND"] as const;
/** Set only for one of several services sharing a repository: its folder. */
export const SERVICE_DIRECTORY_VARIABLE = "SERVICE_DIRECTORY";

/**
 * Privileged CodeBuild project that builds, optionally tests, and pushes the image, then renders
 * taskdef-<env>.json and appspec-<env>.yaml for every environment.
 */
export class BuildProject extends Construct {
  readonly project: CodebuildProject;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;
  /** What DEPLOY_ENVIRONMENTS holds, by environment name. */
  readonly environmentValues: Record<string, BuildspecValues>;

  constructor(scope: Construct, id: string, props: BuildProjectProps) {
    super(scope, id);
    const name = physicalName("codebuildProject", props.appName, "build");
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: logGroupName("build", name),
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

    this.environmentValues = Object.fromEntries(props.environments.map((env) => [env.environment, buildspecValues(env)]));
    const [first] = props.environments;
    const variables: Record<string, string> = {
      REPOSITORY_URI: props.repository.repository.repositoryUrl,
      CONTAINER_NAME: first.container.name,
      CONTAINER_PORT: String(first.container.port),
      DEPLOY_ENVIRONMENTS: Fn.jsonencode(this.environmentValues),
      ...(props.testCommand ? { TEST_COMMAND: props.testCommand } : {}),
      ...(props.serviceDirectory ? { [SERVICE_DIRECTORY_VARIABLE]: props.serviceDirectory } : {}),
    };
    const buildspec = props.buildspecPath ?? BUILD_DEFAULTS.buildspecPath;

    const cacheMode = props.cache ?? BUILD_DEFAULTS.cache;
    // One image for every environment, built natively on the architecture its tasks run on.
    const architecture = first.taskDefinition.cpuArchitecture;
    this.project = new CodebuildProject(this, "project", {
      name,
      description: `Builds ${props.appName}'s image and its blue/green deployment artifacts`,
      serviceRole: this.role.role.arn,
      encryptionKey: props.encryptionKey?.keyArn,
      buildTimeout: props.timeoutMinutes ?? BUILD_DEFAULTS.timeoutMinutes,
      source: { type: "CODEPIPELINE", buildspec: props.serviceDirectory ? `${props.serviceDirectory}/${buildspec}` : buildspec },
      artifacts: { type: "CODEPIPELINE" },
      cache:
        cacheMode === "s3"
          ? { type: "S3", location: `${props.artifacts.bucket.bucket}/build-cache` }
          : cacheMode === "local"
            ? { type: "LOCAL", modes: ["LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"] }
            : { type: "NO_CACHE" },
      environment: {
        type: architecture === "ARM64" ? "ARM_CONTAINER" : "LINUX_CONTAINER",
        computeType: props.computeType ?? BUILD_DEFAULTS.computeType,
        image: props.image ?? BUILD_IMAGES[architecture],
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
