import { describe, expect, it } from "vitest";
import { DataAwsS3Object } from "@cdktf/provider-aws/lib/data-aws-s3-object";
import { DataAwsS3Objects } from "@cdktf/provider-aws/lib/data-aws-s3-objects";
import { DataAwsSsmParametersByPath } from "@cdktf/provider-aws/lib/data-aws-ssm-parameters-by-path";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { SHAPE_OUTPUT, shapeParameterName, stackShape } from "../src/release-safety/running-stack-guard";
import { loadConfig, parseConfig } from "../src/config";
import { config, rawConfig, resourcesOf, synth, synthFile } from "./helpers";

/** Unit view of the guard; its behaviour is proved with real Terraform plans in the terraform tier (scripts/terraform/guard-cases.ts). */
describe("running-stack guard", () => {
  it("records the settings a running stack must keep as an output, from a local the rules compare with", () => {
    const { tf } = synth();
    expect(tf.output[SHAPE_OUTPUT].value).toBe("${jsonencode(local.running_stack_shape)}");
    expect((tf as any).locals.running_stack_shape).toEqual(stackShape(config()));
  });

  it("refuses each change it guards with a precondition naming the setting", () => {
    const guards = Object.values(resourcesOf(synth().tf, "terraform_data"));
    expect(guards).toHaveLength(1);
    const messages = guards[0].lifecycle.precondition.map((p: { error_message: string }) => p.error_message.split(":")[0]);
    expect(messages).toEqual([
      "region",
      "appName",
      "network.existing",
      "availabilityZones / network.vpcCidr / network.publicSubnetCidrs",
      "network.natGateways / network.privateSubnetCidrs",
      "encryption.customerManagedKey",
      "delivery.mode",
      "source",
      "service.enableExecuteCommand",
      "database / environments",
      "database.engineVersion",
    ]);
  });

  it("records the network: created by the stack, or the existing VPC's id", () => {
    expect(stackShape(config()).network).toBe("created");
    const existing = parseConfig({
      ...rawConfig(),
      network: { existing: { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b"], privateSubnetIds: ["subnet-0000000000000000c", "subnet-0000000000000000d"] } },
    });
    expect(stackShape(existing)).toMatchObject({ network: "vpc-0123456789abcdef0", tasksInPublicSubnets: false });
  });

  it("reads the local state file the backend keeps", () => {
    const { tf } = synth({ localStatePath: "state/shop.tfstate" });
    expect(tf.terraform.backend.local.path).toBe("state/shop.tfstate");
    expect((tf as any).locals.running_stack_state).toBe('${try(jsondecode(file("state/shop.tfstate")), {})}');
  });

  it("with an S3 backend, reads the state object through the S3 data sources, only if it exists", () => {
    const { json, tf } = synth({ stateBackend: { bucket: "tf-state", key: "shop/terraform.tfstate" } });
    expect(json).toHaveDataSourceWithProperties(DataAwsS3Objects, { bucket: "tf-state", prefix: "shop/terraform.tfstate" });
    expect(json).toHaveDataSourceWithProperties(DataAwsS3Object, { bucket: "tf-state", key: "shop/terraform.tfstate" });
    const object = Object.values(tf.data.aws_s3_object)[0] as { count: string };
    expect(object.count).toMatch(/^\$\{contains\(data\.aws_s3_objects\.[\w-]+\.keys, "shop\/terraform\.tfstate"\) \? 1 : 0\}$/);
  });

  it("records which storage the source owns, and each environment's protected database", () => {
    const shape = stackShape(config({ source: { kind: "codecommit", repositoryName: "shop" }, database: { enabled: true } }));
    expect(shape.sourceStorage).toBe("codecommit:shop");
    expect(shape.databases).toEqual({ production: { databaseName: "app", username: "app_admin", deletionProtection: true, engineMajor: "16" } });
    expect(stackShape(config({ network: { natGateways: "none" } })).privateSubnetCidrs).toEqual([]);
  });

  it("records each environment's ECS Exec setting, which a running service under CodeDeploy keeps", () => {
    const shape = stackShape(config({ environments: [{ name: "staging", service: { enableExecuteCommand: true } }, { name: "production" }] }));
    expect(shape.executeCommand).toEqual({ staging: true, production: false });
  });
});

describe("running-stack guard, S3 state in another region", () => {
  it("reads the state object through a provider in the bucket's region", () => {
    const { tf } = synth({ stateBackend: { bucket: "tf-state", key: "k", region: "us-east-1" } });
    expect(tf.provider.aws).toContainEqual(expect.objectContaining({ alias: "state", region: "us-east-1" }));
    for (const data of [...Object.values(tf.data.aws_s3_objects), ...Object.values(tf.data.aws_s3_object)] as Array<{ provider: string }>) {
      expect(data.provider).toBe("aws.state");
    }
  });
});

describe("running-stack guard: the record in the account", () => {
  it("records the same settings as an SSM parameter named after the app", () => {
    const { json } = synth();
    expect(json).toHaveResourceWithProperties(SsmParameter, {
      name: shapeParameterName(config().appName),
      type: "String",
      tier: "Standard",
      value: "${jsonencode(local.running_stack_shape)}",
    });
  });

  it("reads the parameter by path (nothing found is no error) and falls back to it only when the state holds no record", () => {
    const { json, tf } = synth({ sandbox: false });
    expect(json).toHaveDataSourceWithProperties(DataAwsSsmParametersByPath, { path: `/${config().appName}`, recursive: false });
    const locals = (tf as any).locals;
    expect(locals.running_stack_account_record).toContain(`index(data.aws_ssm_parameters_by_path.`);
    expect(locals.running_stack_account_record).toContain(`"${shapeParameterName(config().appName)}"`);
    expect(locals.running_stack_recorded).toBe(
      '${jsondecode(coalesce(lookup(lookup(local.running_stack_state, "outputs", {}), "running_stack_shape", { value = "" }).value, local.running_stack_account_record, "{}"))}',
    );
  });

  it("reads nothing from the account in sandbox mode", () => {
    const { json, tf } = synth({ sandbox: true });
    expect(json).not.toHaveDataSourceWithProperties(DataAwsSsmParametersByPath, {});
    expect((tf as any).locals.running_stack_account_record).toBe('${""}');
  });

  it("keeps a record too large for a standard parameter in an advanced one, and refuses at synth one too large for that", () => {
    const environments = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `environment-${String(i).padStart(8, "0")}` }));
    const large = synth({ database: { enabled: true }, environments: environments(40) });
    expect(Buffer.byteLength(JSON.stringify(stackShape(config({ database: { enabled: true }, environments: environments(40) }))))).toBeGreaterThan(4096);
    expect(Object.values(resourcesOf(large.tf, SsmParameter.tfResourceType))[0].tier).toBe("Advanced");
    expect(Object.values(resourcesOf(synth().tf, SsmParameter.tfResourceType))[0].tier).toBe("Standard");
    expect(() => synth({ database: { enabled: true }, environments: environments(80) })).toThrow(/more than an SSM parameter holds \(8192\)/);
  });
});

describe("the running-stack guard with several services", () => {
  const three = loadConfig({ CONFIG: "examples/three-services.json" });

  it("records ECS Exec and databases per service and environment, and the source storage each service's own source created", () => {
    const shape = stackShape(three);
    expect(shape.executeCommand).toEqual({
      "web/staging": false,
      "web/production": false,
      "api/staging": false,
      "api/production": false,
      "admin/staging": false,
      "admin/production": false,
    });
    expect(Object.keys(shape.databases)).toEqual(["api/staging", "api/production"]);
    // web and api build from folders of the shared repository (a connection, no storage); admin's S3 source bucket is the stack's.
    expect(shape.sourceStorage).toBe("admin/s3-bucket");
  });

  it("refuses only a recorded service's storage that is gone, and counts a service's source resources as the stack's", () => {
    const s = synthFile("examples/three-services.json");
    const preconditions = (s.tf as any).data.terraform_data ?? (s.tf as any).resource.terraform_data;
    const rules: Array<{ condition: string }> = Object.values(preconditions as Record<string, any>)[0].lifecycle.precondition;
    expect(rules.some((r) => r.condition.includes('alltrue([for recorded in split(",", lookup(local.running_stack_recorded, "sourceStorage"'))).toBe(true);
    expect((s.tf as any).locals.running_stack_owns_source_storage).toContain('can(regex("^service-[a-z0-9-]+_source_", r.name))');
  });
});
