import { describe, expect, it } from "vitest";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { onlyResource, pipelineOf, synth } from "./helpers";

describe("DeliveryPipeline", () => {
  it("stores artifacts in the artifact bucket and runs as its own role", () => {
    const { json, stack, ref } = synth();
    expect(json).toHaveResourceWithProperties(Codepipeline, {
      name: "bluegreen-demo",
      role_arn: ref(pipelineOf(stack).pipeline.role.role.arn),
      artifact_store: [{ type: "S3", location: ref(pipelineOf(stack).artifacts.bucket.bucket) }],
    });
  });

  it("runs Source → Build → Deploy, passing artifacts along", () => {
    const { tf, stack, ref } = synth();
    const stages = onlyResource(tf, Codepipeline.tfResourceType).stage;
    expect(stages.map((s: { name: string }) => s.name)).toEqual(["Source", "Build", "Deploy_to_Production"]);
    const [source, build, deploy] = stages.map((s: { action: any[] }) => s.action[0]);
    expect(source).toMatchObject({ category: "Source", provider: "CodeStarSourceConnection", output_artifacts: ["source"] });
    expect(build).toMatchObject({
      category: "Build",
      provider: "CodeBuild",
      input_artifacts: ["source"],
      output_artifacts: ["build"],
      configuration: { ProjectName: ref(pipelineOf(stack).build.project.name) },
    });
    expect(deploy).toMatchObject({
      category: "Deploy",
      owner: "AWS",
      provider: "CodeDeployToECS",
      input_artifacts: ["build"],
      configuration: {
        ApplicationName: ref(stack.trafficControl.application.application.name),
        DeploymentGroupName: ref(stack.environments[0].deployment.deploymentGroup.deploymentGroupName),
        TaskDefinitionTemplateArtifact: "build",
        TaskDefinitionTemplatePath: "taskdef-production.json",
        AppSpecTemplateArtifact: "build",
        AppSpecTemplatePath: "appspec-production.yaml",
        Image1ArtifactName: "build",
        Image1ContainerName: "IMAGE1_NAME",
      },
    });
  });

  it("creates a CodeStar connection for the configured Git host and reads the configured repository and branch", () => {
    const { json, tf } = synth({
      source: { kind: "codestar", providerType: "GitLab", repositoryId: "team/shop", branchName: "release" },
    });
    expect(json).toHaveResourceWithProperties(CodestarconnectionsConnection, { provider_type: "GitLab", name: "bluegreen-demo-source" });
    const connections = Object.keys(tf.resource.aws_codestarconnections_connection);
    expect(connections).toHaveLength(1);
    const stage = onlyResource(tf, Codepipeline.tfResourceType).stage[0];
    expect(stage.action[0].configuration).toEqual({
      ConnectionArn: `\${aws_codestarconnections_connection.${connections[0]}.arn}`,
      FullRepositoryId: "team/shop",
      BranchName: "release",
      OutputArtifactFormat: "CODE_ZIP",
      DetectChanges: "true",
    });
  });

  it("uses an existing connection when its ARN is given, creating none", () => {
    const arn = "arn:aws:codestar-connections:eu-central-1:123456789012:connection/0a1b2c3d-aaaa-bbbb-cccc-123456789012";
    const { json, tf } = synth({ source: { kind: "codestar", repositoryId: "team/shop", connectionArn: arn } });
    expect(json).not.toHaveResource(CodestarconnectionsConnection);
    expect(onlyResource(tf, Codepipeline.tfResourceType).stage[0].action[0].configuration.ConnectionArn).toBe(arn);
  });
});
