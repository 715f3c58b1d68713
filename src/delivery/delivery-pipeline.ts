import { Construct } from "constructs";
import { Codepipeline, CodepipelineStage, CodepipelineTrigger } from "@cdktf/provider-aws/lib/codepipeline";
import { physicalName } from "../core/naming";
import { stackOutput } from "../core/stack-output";
import { DeploymentEnvironment } from "../environment/deployment-environment";
import { ReleaseNotifications } from "../release-safety/release-notifications";
import { PolicyStatement, ServiceRole } from "../security/iam";
import { EnvironmentDeployment, TrafficControl } from "../traffic-control/traffic-control";
import { ApprovalTopic } from "./approval-topic";
import { ArtifactBucket } from "../storage/artifact-bucket";
import { BuildProject } from "./build-project";
import { PipelineSource } from "./sources/pipeline-source";

export interface DeliveryPipelineProps<D extends EnvironmentDeployment> {
  readonly appName: string;
  readonly region: string;
  readonly source: PipelineSource;
  readonly artifacts: ArtifactBucket;
  readonly build: BuildProject;
  /** Deployed in this order; an environment with an approval gets an approval stage before it. */
  readonly environments: DeploymentEnvironment<D>[];
  /** What deploys each environment (its deploy action and the permissions it needs). */
  readonly trafficControl: TrafficControl<D>;
  /** Where the pipeline's outcomes are announced. @default nowhere */
  readonly notifications?: ReleaseNotifications;
  /** One of several services in a shared repository: its folder, whose changes alone start this (V2) pipeline. @default every change */
  readonly folder?: string;
}

/** Artifact names between the stages; the buildspec writes taskdef-<env>.json, appspec-<env>.yaml and imageDetail.json. */
export const ARTIFACTS = { source: "source", build: "build" } as const;
/** Placeholder in a taskdef that CodePipeline replaces with the image URI from imageDetail.json. */
export const IMAGE_PLACEHOLDER = "IMAGE1_NAME";

/** Stage names: Deploy_to_Staging, Approve_Production, … */
export function stageName(verb: "Deploy_to" | "Approve", environment: string): string {
  return `${verb}_${environment.charAt(0).toUpperCase()}${environment.slice(1)}`;
}

/** CodePipeline: Source → Build → (Approve →) Deploy per environment, in order. */
export class DeliveryPipeline<D extends EnvironmentDeployment = EnvironmentDeployment> extends Construct {
  readonly pipeline: Codepipeline;
  readonly role: ServiceRole;
  /** The topic approval requests go to; undefined when no environment needs an approval. */
  readonly approvalTopic?: ApprovalTopic;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps<D>) {
    super(scope, id);
    const { build, environments } = props;
    this.role = new ServiceRole(this, "role", {
      name: physicalName("iamRole", props.appName, "pipeline"),
      servicePrincipal: "codepipeline.amazonaws.com",
      description: "CodePipeline: run source, build, approvals and blue/green deploys",
    });
    props.artifacts.grantReadWrite(this.role);
    props.source.grantPipeline(this.role);

    const approvals = environments.filter((env) => env.settings.approval);
    if (approvals.length) {
      this.approvalTopic = new ApprovalTopic(this, "approvals", {
        name: physicalName("snsTopic", props.appName, "approvals"),
        emails: [...new Set(approvals.flatMap((env) => env.settings.approval!.notifyEmails))],
        encryptionKey: props.artifacts.encryptionKey,
      });
      this.approvalTopic.grantPublish(this.role);
    }

    const statements: PolicyStatement[] = [
      { sid: "RunBuild", actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"], resources: [build.project.arn] },
      ...props.trafficControl.deployerStatements(environments, "pipeline"),
    ];
    this.role.addPolicy("build-deploy", statements);

    const stages: CodepipelineStage[] = [
      { name: "Source", action: [props.source.sourceAction(ARTIFACTS.source)] },
      {
        name: "Build",
        action: [
          {
            name: "Build",
            category: "Build",
            owner: "AWS",
            provider: "CodeBuild",
            version: "1",
            inputArtifacts: [ARTIFACTS.source],
            outputArtifacts: [ARTIFACTS.build],
            configuration: { ProjectName: build.project.name },
          },
        ],
      },
    ];
    for (const env of environments) {
      const approval = env.settings.approval;
      if (approval) {
        stages.push({
          name: stageName("Approve", env.name),
          action: [
            {
              name: "Approve",
              category: "Approval",
              owner: "AWS",
              provider: "Manual",
              version: "1",
              configuration: {
                NotificationArn: this.approvalTopic!.topic.arn,
                CustomData: approval.message ?? `Promote ${props.appName} to ${env.name}? Check the previous environment first.`,
                // By default the previous environment's production URL: once its deployment has finished the
                // candidate serves there, while that environment's test listener points at the emptied old target group.
                ExternalEntityLink: approval.reviewUrl ?? environments[environments.indexOf(env) - 1].url,
              },
            },
          ],
        });
      }
      env.deployment.grantRevisionRead(props.artifacts);
      stages.push({
        name: stageName("Deploy_to", env.name),
        action: [
          env.deployment.pipelineDeployAction({
            artifact: ARTIFACTS.build,
            taskDefinitionFile: `taskdef-${env.name}.json`,
            appSpecFile: `appspec-${env.name}.yaml`,
            imagePlaceholder: IMAGE_PLACEHOLDER,
          }),
        ],
      });
    }

    this.pipeline = new Codepipeline(this, "pipeline", {
      name: physicalName("pipeline", props.appName),
      roleArn: this.role.role.arn,
      artifactStore: [
        {
          type: "S3",
          location: props.artifacts.bucket.bucket,
          ...(props.artifacts.encryptionKey ? { encryptionKey: { id: props.artifacts.encryptionKey.keyArn, type: "KMS" } } : {}),
        },
      ],
      stage: stages,
      ...this.folderTrigger(props),
    });
    props.source.bindPipeline(this.pipeline);
    props.notifications?.announcePipeline(this.pipeline, props.appName);
    const name = this.pipeline.name;
    stackOutput(this, "pipeline_name", name, "CodePipeline name");
    const region = props.region;
    stackOutput(this, "pipeline_console_url", `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${name}/view?region=${region}`, "The pipeline in the AWS console");
    stackOutput(this, "artifact_bucket", props.artifacts.bucket.bucket, "Pipeline artifact bucket");
  }

  private folderTrigger(props: DeliveryPipelineProps<D>): { pipelineType?: string; trigger?: CodepipelineTrigger[] } {
    if (!props.folder) return {};
    const trigger = props.source.folderTrigger?.(props.folder);
    if (!trigger) throw new Error(`${props.appName}: only a CodeStar connection source can start a pipeline on one folder's changes`);
    return { pipelineType: "V2", trigger: [trigger] };
  }
}
