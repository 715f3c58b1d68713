import { describe, expect, it } from "vitest";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { CodecommitRepository } from "@cdktf/provider-aws/lib/codecommit-repository";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SANDBOX_TOKEN_PLACEHOLDER } from "../src/delivery/sources/github-oauth-source";
import { CodeCommitSource } from "../src/delivery/sources/codecommit-source";
import { S3Source } from "../src/delivery/sources/s3-source";
import { onlyResource, pipelineOf, resourcesOf, roleStatements, synth } from "./helpers";
import { TerraformValues } from "./terraform-values";

const synthWithSource = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) => synth({ ...extra, source });

const sourceAction = (tf: ReturnType<typeof synth>["tf"]) => onlyResource(tf, Codepipeline.tfResourceType).stage[0].action[0];
const pipelineGrants = (s: ReturnType<typeof synth>, action: string) =>
  roleStatements(s.tf, s.ref(pipelineOf(s.stack).pipeline.role.role.id) as string)
    .filter((st) => st.actions.includes(action))
    .flatMap((st) => st.resources);

describe("source: codestar", () => {
  it("with fullClone, hands CodeBuild a Git clone and lets the build role use the connection", () => {
    const s = synth({ source: { kind: "codestar", repositoryId: "org/repo", fullClone: true } });
    expect(sourceAction(s.tf).configuration.OutputArtifactFormat).toBe("CODEBUILD_CLONE_REF");
    const buildGrants = roleStatements(s.tf, s.ref(pipelineOf(s.stack).build.role.role.id) as string).filter((st) =>
      st.actions.includes("codestar-connections:UseConnection"),
    );
    expect(buildGrants).toHaveLength(1);
    expect(buildGrants[0].resources).toEqual([s.ref((pipelineOf(s.stack).source as unknown as { connectionArn: string }).connectionArn)]);
  });

  it("without fullClone, the build role gets no connection access", () => {
    const s = synth();
    const buildGrants = roleStatements(s.tf, s.ref(pipelineOf(s.stack).build.role.role.id) as string);
    expect(buildGrants.flatMap((st) => st.actions)).not.toContain("codestar-connections:UseConnection");
  });
});

describe("source: codecommit", () => {
  const created = () => synthWithSource({ kind: "codecommit", repositoryName: "shop-app", branchName: "main" });

  it("creates the repository and reads the branch without polling", () => {
    const s = created();
    expect(s.json).toHaveResourceWithProperties(CodecommitRepository, { repository_name: "shop-app" });
    // A new repository is empty: AWS rejects a default branch that does not exist yet.
    expect(onlyResource(s.tf, CodecommitRepository.tfResourceType).default_branch).toBeUndefined();
    expect(sourceAction(s.tf)).toMatchObject({
      owner: "AWS",
      provider: "CodeCommit",
      configuration: { RepositoryName: "shop-app", BranchName: "main", PollForSourceChanges: "false" },
    });
  });

  it("starts the pipeline on pushes to the branch through EventBridge", () => {
    const s = created();
    const source = pipelineOf(s.stack).source as CodeCommitSource;
    const rule = Object.values(resourcesOf(s.tf, CloudwatchEventRule.tfResourceType)).find((r) => r.name.endsWith("-source-push"));
    // As Terraform renders it after an apply: jsonencode of the pattern, the repository ARN resolved.
    const values = new TerraformValues(s.tf);
    expect(JSON.parse(values.evaluate(rule.event_pattern))).toEqual({
      source: ["aws.codecommit"],
      "detail-type": ["CodeCommit Repository State Change"],
      resources: [values.evaluate(s.ref(source.repositoryArn))],
      detail: { event: ["referenceCreated", "referenceUpdated"], referenceType: ["branch"], referenceName: ["main"] },
    });
    expect(s.json).toHaveResourceWithProperties(CloudwatchEventTarget, { arn: s.ref(pipelineOf(s.stack).pipeline.pipeline.arn) });
  });

  it("lets the pipeline read exactly this repository and outputs its clone URLs", () => {
    const s = created();
    const source = pipelineOf(s.stack).source as CodeCommitSource;
    expect(pipelineGrants(s, "codecommit:UploadArchive")).toEqual([s.ref(source.repository!.arn)]);
    expect(s.tf.output.codecommit_clone_url_http.value).toBe(s.ref(source.repository!.cloneUrlHttp));
    expect(s.tf.output.codecommit_clone_url_ssh.value).toBe(s.ref(source.repository!.cloneUrlSsh));
  });

  it("uses an existing repository by name, creating none, its ARN derived without an account lookup", () => {
    const s = synthWithSource({ kind: "codecommit", repositoryName: "legacy-app", createRepository: false });
    expect(s.json).not.toHaveResource(CodecommitRepository);
    const [arn] = pipelineGrants(s, "codecommit:GetBranch") as string[];
    expect(arn).toMatch(/^\$\{format\("arn:%s:%s:%s:%s:%s", .*"codecommit".*"legacy-app"\)\}$/);
    expect(s.tf.output.codecommit_clone_url_http).toBeUndefined();
  });
});

describe("source: github-oauth (legacy GitHub v1 action)", () => {
  it("reads the token from Secrets Manager by name; the JSON holds only the reference", () => {
    const s = synthWithSource({ kind: "github-oauth", owner: "snowiow", repo: "green-blue-ecs-example", branchName: "master", tokenSecretName: "ci/github-token" });
    expect(s.json).toHaveDataSourceWithProperties(DataAwsSecretsmanagerSecretVersion, { secret_id: "ci/github-token" });
    const action = sourceAction(s.tf);
    expect(action).toMatchObject({ owner: "ThirdParty", provider: "GitHub", version: "1" });
    expect(action.configuration).toEqual({
      Owner: "snowiow",
      Repo: "green-blue-ecs-example",
      Branch: "master",
      OAuthToken: expect.stringMatching(/^\$\{data\.aws_secretsmanager_secret_version\.[^.]+\.secret_string\}$/),
      PollForSourceChanges: "true",
    });
  });

  it("or from an SSM SecureString parameter, decrypted", () => {
    const s = synthWithSource({ kind: "github-oauth", owner: "o", repo: "r", tokenParameterName: "/ci/github-token" });
    expect(s.json).toHaveDataSourceWithProperties(DataAwsSsmParameter, { name: "/ci/github-token", with_decryption: true });
    expect(sourceAction(s.tf).configuration.OAuthToken).toMatch(/^\$\{data\.aws_ssm_parameter\.[^.]+\.value\}$/);
  });

  it("in sandbox mode makes no secret read and plans with a placeholder", () => {
    const s = synthWithSource({ kind: "github-oauth", owner: "o", repo: "r", tokenSecretName: "ci/github-token" }, { sandbox: true });
    expect(s.json).not.toHaveDataSourceWithProperties(DataAwsSecretsmanagerSecretVersion, {});
    expect(sourceAction(s.tf).configuration.OAuthToken).toBe(SANDBOX_TOKEN_PLACEHOLDER);
  });
});

describe("source: s3", () => {
  it("creates a versioned source bucket and reads the object key from it", () => {
    const s = synthWithSource({ kind: "s3", objectKey: "releases/app.zip" });
    const source = pipelineOf(s.stack).source as S3Source;
    expect(sourceAction(s.tf)).toMatchObject({
      provider: "S3",
      configuration: { S3Bucket: s.ref(source.bucketName), S3ObjectKey: "releases/app.zip", PollForSourceChanges: "true" },
    });
    expect(s.json).toHaveResourceWithProperties(S3BucketVersioningA, {
      bucket: s.ref(source.bucket!.bucket.id),
      versioning_configuration: { status: "Enabled" },
    });
    expect(pipelineGrants(s, "s3:GetObjectVersion")).toContain(`${s.ref(source.bucket!.bucket.arn)}/releases/app.zip`);
  });

  it("uses an existing bucket by name", () => {
    const s = synthWithSource({ kind: "s3", bucketName: "team-releases" });
    expect(sourceAction(s.tf).configuration.S3Bucket).toBe("team-releases");
    expect(s.tf.output.source_bucket.value).toBe("team-releases");
  });
});

