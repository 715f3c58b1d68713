import { Construct } from "constructs";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { ArtifactBucket } from "./artifact-bucket";
import { BlueGreenDeployment } from "./blue-green-deployment";
import { BuildProject } from "./build-project";
import { FargateService } from "./fargate-service";
import { passRoleStatement, ServiceRole, siblingArn } from "./iam";
import { NAME_LIMITS, physicalName } from "./naming";
import { PipelineSource } from "./sources/pipeline-source";

export interface DeliveryPipelineProps {
  readonly appName: string;
  readonly source: PipelineSource;
  readonly artifacts: ArtifactBucket;
  readonly build: BuildProject;
  readonly deployment: BlueGreenDeployment;
  /** The service deployed, whose task roles CodePipeline passes when it registers the task definition. */
  readonly service: FargateService;
}

/** Artifact names between the stages; the buildspec writes taskdef.json, appspec.yaml and imageDetail.json. */
export const ARTIFACTS = { source: "source", build: "build" } as const;
/** Placeholder in taskdef.json that CodePipeline replaces with the image URI from imageDetail.json. */
export const IMAGE_PLACEHOLDER = "IMAGE1_NAME";

/** CodePipeline Source → Build → Deploy (CodeDeployToECS blue/green). */
export class DeliveryPipeline extends Construct {
  readonly pipeline: Codepipeline;
  readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    const { deployment, build } = props;
    this.role = new ServiceRole(this, "role", {
      name: physicalName(props.appName, "pipeline", NAME_LIMITS.iamRole),
      servicePrincipal: "codepipeline.amazonaws.com",
      description: "CodePipeline: run source, build and blue/green deploy",
    });
    props.artifacts.grantReadWrite(this.role);
    props.source.grantPipeline(this.role);
    this.role.addPolicy("build-deploy", [
      {
        sid: "RunBuild",
        actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
        resources: [build.project.arn],
      },
      {
        sid: "CreateDeployment",
        actions: ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"],
        resources: [deployment.deploymentGroup.arn],
      },
      {
        sid: "RegisterRevision",
        actions: ["codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"],
        resources: [deployment.application.arn],
      },
      {
        sid: "ReadDeploymentConfig",
        actions: ["codedeploy:GetDeploymentConfig"],
        resources: [siblingArn(deployment.application.arn, `deploymentconfig:${deployment.deploymentConfigName}`)],
      },
      {
        sid: "RegisterTaskDefinition",
        actions: ["ecs:RegisterTaskDefinition"],
        // RegisterTaskDefinition supports no resource-level permissions; what it may pass is limited below.
        resources: ["*"],
      },
      passRoleStatement([props.service.executionRole.role, props.service.taskRole.role], "ecs-tasks.amazonaws.com"),
    ]);

    this.pipeline = new Codepipeline(this, "pipeline", {
      name: props.appName,
      roleArn: this.role.role.arn,
      artifactStore: [{ type: "S3", location: props.artifacts.bucket.bucket }],
      stage: [
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
        {
          name: "Deploy",
          action: [
            {
              name: "Deploy",
              category: "Deploy",
              owner: "AWS",
              provider: "CodeDeployToECS",
              version: "1",
              inputArtifacts: [ARTIFACTS.build],
              configuration: {
                ApplicationName: deployment.application.name,
                DeploymentGroupName: deployment.deploymentGroup.deploymentGroupName,
                TaskDefinitionTemplateArtifact: ARTIFACTS.build,
                TaskDefinitionTemplatePath: "taskdef.json",
                AppSpecTemplateArtifact: ARTIFACTS.build,
                AppSpecTemplatePath: "appspec.yaml",
                Image1ArtifactName: ARTIFACTS.build,
                Image1ContainerName: IMAGE_PLACEHOLDER,
              },
            },
          ],
        },
      ],
    });
  }
}
