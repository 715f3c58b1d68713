import { describe, expect, it } from "vitest";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { onlyResource, pipelineOf, synth } from "./helpers";

describe("BlueGreenStack", () => {
  it("pins the AWS provider to 5.100.0", () => {
    expect(synth().tf.terraform.required_providers.aws).toEqual({ source: "aws", version: "5.100.0" });
  });

  it("tags everything once, through the provider's default_tags", () => {
    const { tf } = synth();
    expect(tf.provider.aws[0]).toMatchObject({
      region: "eu-central-1",
      default_tags: [{ tags: { application: "bluegreen-demo", project: "bluegreen-demo", "managed-by": "cdktf" } }],
    });
  });

  it("real deploys use the normal credential chain; only sandbox fakes credentials and skips AWS lookups", () => {
    const real = synth().tf.provider.aws[0];
    expect(real.access_key).toBeUndefined();
    expect(real.skip_credentials_validation).toBeUndefined();
    expect(synth({ sandbox: true }).json).toHaveProviderWithProperties(AwsProvider, {
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: "true",
    });
  });

  it("uses an S3 state backend with locking when one is configured", () => {
    const { tf } = synth({ stateBackend: { bucket: "tf-state-bucket", key: "bluegreen/terraform.tfstate" } });
    expect(tf.terraform.backend).toEqual({
      s3: {
        bucket: "tf-state-bucket",
        key: "bluegreen/terraform.tfstate",
        region: "eu-central-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it("keeps local state where localStatePath says (the sandbox keeps its state apart from a real deploy's)", () => {
    const { tf } = synth({ localStatePath: "/tmp/sandbox/terraform.tfstate" });
    expect(tf.terraform.backend).toEqual({ local: { path: "/tmp/sandbox/terraform.tfstate" } });
  });

  it("outputs the production and test URLs, ECR URL, pipeline and connection activation", () => {
    const { tf, stack, ref } = synth({ loadBalancer: { testPort: 9090 } });
    const dns = ref(stack.environments[0].loadBalancer.loadBalancer.dnsName);
    const value = (name: string) => tf.output[name]?.value;
    expect(value("production_url")).toBe(`http://${dns}`);
    expect(value("test_url")).toBe(`http://${dns}:9090`);
    expect(value("ecr_repository_url")).toBe(ref(stack.repository.repository.repositoryUrl));
    expect(value("pipeline_name")).toBe(ref(pipelineOf(stack).pipeline.pipeline.name));
    expect(value("pipeline_console_url")).toBe(
      `https://eu-central-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/${ref(pipelineOf(stack).pipeline.pipeline.name)}/view?region=eu-central-1`,
    );
    expect(value("connection_arn")).toMatch(/^\$\{aws_codestarconnections_connection\..+\.arn\}$/);
    expect(value("connection_activation_url")).toBe(
      "https://eu-central-1.console.aws.amazon.com/codesuite/settings/connections?region=eu-central-1",
    );
    expect(tf.output.connection_activation_url.description).toMatch(/PENDING/);
  });

  it("puts no secret-looking value in the synthesized JSON", () => {
    const { json } = synth();
    expect(json).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(json).not.toMatch(/"(OAuthToken|password|secret_key)"/i);
    expect(onlyResource(synth().tf, "aws_codepipeline").stage[0].action[0].configuration).not.toHaveProperty("OAuthToken");
  });
});
