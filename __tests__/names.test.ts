import { describe, expect, it } from "vitest";
import { NAME_RULES, NameKind } from "../src/core/naming";
import { synth, synthFile, Synthesized } from "./helpers";
import { TerraformValues } from "./terraform-values";

/**
 * Every physical name in the synthesized JSON, checked against AWS's limit for its kind, at the
 * schema's longest names: a 64-character app name, three 20-character environment names, every
 * optional resource on. The provider checks only some of these limits; AWS refuses the rest at apply.
 */

/** Which name kind each named field of each resource type is. */
const NAMED_FIELDS: Record<string, Record<string, NameKind | "user-given">> = {
  aws_lb: { name: "loadBalancer" },
  aws_lb_target_group: { name: "targetGroup" },
  aws_iam_role: { name: "iamRole" },
  aws_security_group: { name: "securityGroup" },
  aws_ecs_cluster: { name: "ecsCluster" },
  aws_ecs_service: { name: "ecsService" },
  aws_ecs_task_definition: { family: "taskFamily" },
  aws_cloudwatch_log_group: { name: "logGroup" },
  aws_codebuild_project: { name: "codebuildProject" },
  aws_codedeploy_app: { name: "codedeployApplication" },
  // A deployment group names its config: predefined (CodeDeployDefault.*, AWS's) or a reference to the stack's.
  aws_codedeploy_deployment_group: { deployment_group_name: "deploymentGroup", deployment_config_name: "user-given" },
  aws_codedeploy_deployment_config: { deployment_config_name: "deploymentConfig" },
  aws_codepipeline: { name: "pipeline" },
  aws_sns_topic: { name: "snsTopic" },
  aws_cloudwatch_event_rule: { name: "eventRule" },
  aws_db_instance: { identifier: "rdsInstance", final_snapshot_identifier: "rdsSnapshot" },
  aws_db_subnet_group: { name: "dbSubnetGroup" },
  aws_ecr_repository: { name: "ecrRepository" },
  aws_s3_bucket: { bucket_prefix: "bucketPrefix" },
  aws_codestarconnections_connection: { name: "codestarConnection" },
  aws_kms_alias: { name: "kmsAlias" },
  aws_ssm_parameter: { name: "ssmParameter" },
  aws_appautoscaling_policy: { name: "scalingPolicy" },
  aws_lambda_function: { function_name: "lambdaFunction" },
  aws_cloudwatch_metric_alarm: { alarm_name: "cloudwatchAlarm" },
  // Inline policy names are constants of this code ("deploy", "ecr-push"…), far below IAM's 128.
  aws_iam_role_policy: { name: "user-given" },
  // The user names the repository (the schema allows AWS's 100 characters).
  aws_codecommit_repository: { repository_name: "user-given" },
};

/** Fields that hold a physical name, whatever the resource. */
const NAME_FIELD_KEYS = [
  "name", "name_prefix", "identifier", "family", "bucket", "bucket_prefix", "deployment_group_name", "repository_name",
  "final_snapshot_identifier", "function_name", "alarm_name", "deployment_config_name",
];

function names(s: Synthesized): Array<{ where: string; kind: NameKind | "user-given"; value: string }> {
  const values = new TerraformValues(s.tf);
  const found: Array<{ where: string; kind: NameKind | "user-given"; value: string }> = [];
  for (const [type, byId] of Object.entries(s.tf.resource)) {
    for (const [id, block] of Object.entries(byId)) {
      for (const field of NAME_FIELD_KEYS) {
        // A plain reference names another resource (a bucket's lifecycle rule names its bucket): checked there.
        if (!(field in block) || /^\$\{[\w-]+\.[\w-]+\.[\w]+\}$/.test(String(block[field]))) continue;
        const kind = NAMED_FIELDS[type]?.[field];
        if (!kind) throw new Error(`${type}.${field} sets a physical name with no rule in NAMED_FIELDS (src/core/naming.ts NAME_RULES)`);
        found.push({ where: `${type}.${id}.${field}`, kind, value: String(values.field(type, id, field)) });
      }
    }
  }
  return found;
}

function expectWithinLimits(s: Synthesized): void {
  const all = names(s);
  expect(all.length).toBeGreaterThan(20);
  for (const { where, kind, value } of all) {
    if (kind === "user-given") continue;
    const rule = NAME_RULES[kind];
    expect(value.length, `${where} = ${value}`).toBeLessThanOrEqual(rule.max);
    if ("rdsIdentifier" in rule) expect(value, `${where}: RDS identifier rules`).toMatch(/^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/);
    if (kind === "loadBalancer" || kind === "targetGroup") expect(value, where).toMatch(/^[a-zA-Z0-9](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/);
  }
}

const LIMIT_CONFIGS = ["config/limits/maximal-names-codecommit.json", "config/limits/maximal-names-github-actions.json"];

describe("physical names at the schema's maximal lengths", () => {
  for (const file of LIMIT_CONFIGS) {
    it(`${file}: every name is within AWS's limit for its kind`, () => {
      expectWithinLimits(synthFile(file));
    });
  }

  for (const source of [{ kind: "codestar", repositoryId: "my-org/shop" }, { kind: "s3" }]) {
    it(`the ${source.kind} source's names, at the longest app and environment names`, () => {
      const raw = synthFile(LIMIT_CONFIGS[0]).stack;
      expectWithinLimits(
        synth({
          appName: raw.node.id,
          availabilityZones: ["eu-central-1a", "eu-central-1b"],
          source,
          environments: raw.environments.map((env) => ({ name: env.name })),
        }),
      );
    });
  }

  it("names stay distinct between environments that share a long prefix once cut", () => {
    const s = synthFile(LIMIT_CONFIGS[0]);
    for (const kind of ["loadBalancer", "targetGroup", "iamRole", "rdsInstance"] as const) {
      const ofKind = names(s).filter((n) => n.kind === kind).map((n) => n.value);
      expect(new Set(ofKind).size, kind).toBe(ofKind.length);
    }
  });

  it("an app name at the schema's maximum is cut only where AWS needs it", () => {
    const s = synthFile(LIMIT_CONFIGS[0]);
    const clusters = names(s).filter((n) => n.kind === "ecsCluster").map((n) => n.value);
    expect(clusters).toContain(`${s.stack.node.id}-staging-eu-central-1`);
  });
});
