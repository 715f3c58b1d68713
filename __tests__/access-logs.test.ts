import { describe, expect, it } from "vitest";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { configErrorFor, pipelineOf, policyDocument, resourcesOf, synth, synthFile, Synthesized } from "./helpers";
import { S3Source } from "../src/delivery/sources/s3-source";
import { IamPolicy, TEST_ACCOUNT, TerraformValues } from "./terraform-values";

/**
 * CKV_AWS_91 (load balancer access logs) and CKV_AWS_18 (S3 server access logging), issue 22: one log
 * bucket per stack, off by default, and a bucket policy that admits each delivery to its own prefix only.
 */

const on = { accessLogs: { enabled: true } };

/** The log bucket's policy as S3 would hold it after an apply. */
function bucketPolicy(s: Synthesized): IamPolicy {
  const policy = resourcesOf(s.tf, "aws_s3_bucket_policy")[s.stack.accessLogs!.policy.friendlyUniqueId];
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy.policy)![1];
  return new TerraformValues(s.tf).policyDocument(name);
}

/** Whether the log bucket's policy lets this principal (a service or an account) put this object, as S3 evaluates it. */
async function mayPut(s: Synthesized, principal: string, key: string, context: Record<string, string> = {}): Promise<string> {
  const values = new TerraformValues(s.tf);
  const bucketArn = values.evaluate(s.ref(s.stack.accessLogs!.bucket.arn)) as string;
  // An account's principal is also bound by its own account's policies: grant it the call there, so that only the bucket's policy decides.
  const ownAccount = principal.startsWith("arn:") ? [{ name: "own-account", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }] } }] : [];
  const result = await runSimulation(
    {
      identityPolicies: ownAccount,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: bucketPolicy(s),
      request: { action: "s3:PutObject", principal, resource: { resource: `${bucketArn}/${key}`, accountId: TEST_ACCOUNT }, contextVariables: context },
    },
    {},
  );
  if (result.resultType === "error") return `invalid request: ${JSON.stringify(result.errors)}`;
  return result.overallResult;
}

describe("the log bucket", () => {
  it("is not created by default, and no load balancer or bucket logs (README: a second bucket, billed by volume)", () => {
    const s = synth();
    expect(s.stack.accessLogs).toBeUndefined();
    expect(resourcesOf(s.tf, S3BucketLoggingA.tfResourceType)).toEqual({});
    for (const lb of Object.values(resourcesOf(s.tf, Lb.tfResourceType))) expect(lb.access_logs).toBeUndefined();
  });

  it("is private, versioned, SSE-S3 encrypted (what ALB log delivery supports), owner-enforced and expired after a year by default", () => {
    const s = synth(on);
    const logs = s.stack.accessLogs!;
    const bucket = s.ref(logs.bucket.id);
    const of = (type: string) => Object.values(resourcesOf(s.tf, type)).filter((r) => r.bucket === bucket);
    expect(resourcesOf(s.tf, "aws_s3_bucket")[logs.bucket.friendlyUniqueId]).toMatchObject({ bucket_prefix: "bluegreen-demo-logs-", force_destroy: false });
    expect(of("aws_s3_bucket_versioning")[0].versioning_configuration.status).toBe("Enabled");
    expect(of("aws_s3_bucket_server_side_encryption_configuration")[0].rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
    expect(of("aws_s3_bucket_public_access_block")[0]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(of("aws_s3_bucket_ownership_controls")[0].rule.object_ownership).toBe("BucketOwnerEnforced");
    expect(of("aws_s3_bucket_lifecycle_configuration")[0].rule[0]).toMatchObject({ status: "Enabled", expiration: [{ days: 365 }] });
  });

  it("keeps logs as long as asked, and refuses a retention S3 cannot take", () => {
    const s = synth({ accessLogs: { enabled: true, expireAfterDays: 90, forceDestroy: true } });
    const bucket = s.ref(s.stack.accessLogs!.bucket.id);
    const lifecycle = Object.values(resourcesOf(s.tf, "aws_s3_bucket_lifecycle_configuration")).find((r) => r.bucket === bucket);
    expect(lifecycle.rule[0].expiration).toEqual([{ days: 90 }]);
    expect(configErrorFor({ accessLogs: { enabled: true, expireAfterDays: 0 } })).toBe("Invalid config: accessLogs.expireAfterDays: must be at least 1 (got 0)");
    expect(configErrorFor({ accessLogs: { enable: true } })).toMatch(/^Invalid config: accessLogs\.enable: is not a known setting/);
  });
});

describe("CKV_AWS_91: every load balancer's access logs", () => {
  it("go to the log bucket under alb/<environment>, once the bucket policy admits the delivery", () => {
    const s = synth({ ...on, environments: [{ name: "staging" }, { name: "production" }] });
    const logs = s.stack.accessLogs!;
    for (const env of s.stack.environments) {
      const lb = resourcesOf(s.tf, Lb.tfResourceType)[env.loadBalancer.loadBalancer.friendlyUniqueId];
      expect(lb.access_logs).toEqual({ bucket: s.ref(logs.bucket.id), prefix: `alb/${env.name}`, enabled: true });
      expect(lb.depends_on).toContain(`aws_s3_bucket_policy.${logs.policy.friendlyUniqueId}`);
    }
  });

  it("are admitted for Elastic Load Balancing (its service principal, and the region's account where there is one) under each prefix only", async () => {
    const s = synth({ ...on, environments: [{ name: "staging" }, { name: "production" }] });
    const object = (env: string) => `alb/${env}/AWSLogs/${TEST_ACCOUNT}/elasticloadbalancing/eu-central-1/2026/12/01/log.gz`;
    for (const principal of ["logdelivery.elasticloadbalancing.amazonaws.com", "arn:aws:iam::054676820928:root"]) {
      expect(await mayPut(s, principal, object("staging")), principal).toBe("Allowed");
      expect(await mayPut(s, principal, object("production")), principal).toBe("Allowed");
      expect(await mayPut(s, principal, `alb/staging/AWSLogs/210987654321/x.gz`), `${principal}: another account's folder`).toBe("ImplicitlyDenied");
      expect(await mayPut(s, principal, "s3/artifacts/x"), `${principal}: the buckets' prefix`).toBe("ImplicitlyDenied");
    }
    expect(await mayPut(s, "arn:aws:iam::156460612806:root", object("staging")), "another region's account").toBe("ImplicitlyDenied");
  });

  it("name only the service principal in a region opened after August 2022 (no regional account there)", () => {
    const s = synth({ ...on, region: "ap-southeast-5", availabilityZones: ["ap-southeast-5a", "ap-southeast-5b"] });
    expect(s.tf.data.aws_elb_service_account).toBeUndefined();
    const statements = policyDocument(s.tf, resourcesOf(s.tf, "aws_s3_bucket_policy")[s.stack.accessLogs!.policy.friendlyUniqueId].policy).statement;
    const principals = statements.flatMap((st) => st.principals.flatMap((p: { identifiers: string[] }) => p.identifiers));
    expect(principals).toEqual(["logging.s3.amazonaws.com", "logdelivery.elasticloadbalancing.amazonaws.com"]);
  });
});

describe("CKV_AWS_18: the stack's buckets log their requests", () => {
  it("the artifact bucket and a created S3 source bucket, each under s3/<label>/, admitted from that bucket only", async () => {
    const s = synth({ ...on, source: { kind: "s3" } });
    const values = new TerraformValues(s.tf);
    const pipeline = pipelineOf(s.stack);
    const logging = Object.values(resourcesOf(s.tf, S3BucketLoggingA.tfResourceType));
    const artifacts = s.ref(pipeline.artifacts.bucket.id);
    const source = s.ref((pipeline.source as S3Source).bucket!.bucket.id);
    expect(logging.map((l) => [l.bucket, l.target_prefix])).toEqual([
      [artifacts, "s3/artifacts/"],
      [source, "s3/source/"],
    ]);
    for (const l of logging) expect(l.depends_on).toEqual([`aws_s3_bucket_policy.${s.stack.accessLogs!.policy.friendlyUniqueId}`]);
    const artifactsArn = values.evaluate(s.ref(pipeline.artifacts.bucket.arn)) as string;
    expect(await mayPut(s, "logging.s3.amazonaws.com", "s3/artifacts/2026-12-01-00-00-00-0123", { "aws:SourceArn": artifactsArn })).toBe("Allowed");
    expect(await mayPut(s, "logging.s3.amazonaws.com", "s3/source/2026-12-01-00-00-00-0123", { "aws:SourceArn": artifactsArn }), "the other bucket's prefix").toBe("ImplicitlyDenied");
    expect(await mayPut(s, "logging.s3.amazonaws.com", "s3/artifacts/x", { "aws:SourceArn": "arn:aws:s3:::someone-elses-bucket" }), "another bucket").toBe("ImplicitlyDenied");
    expect(await mayPut(s, "logging.s3.amazonaws.com", `alb/production/AWSLogs/${TEST_ACCOUNT}/x`, { "aws:SourceArn": artifactsArn }), "the load balancers' prefix").toBe(
      "ImplicitlyDenied",
    );
  });

  it("with several services: one shared load balancer per environment, and each service's artifact bucket under its own prefix", () => {
    const s = synthFile("examples/three-services.json");
    expect(s.stack.accessLogs).toBeUndefined();
    const withLogs = synth({ ...on, services: { web: { folder: "web", routing: { paths: ["/*"], priority: 100 } }, api: { folder: "api", routing: { paths: ["/api/*"], priority: 10 } } } });
    const lbs = Object.values(resourcesOf(withLogs.tf, Lb.tfResourceType));
    expect(lbs.map((lb) => lb.access_logs.prefix)).toEqual(["alb/production"]);
    const prefixes = Object.values(resourcesOf(withLogs.tf, S3BucketLoggingA.tfResourceType)).map((l) => l.target_prefix);
    expect(prefixes.sort()).toEqual(["s3/api-artifacts/", "s3/web-artifacts/"]);
  });

  it("GitHub Actions delivery has no artifact bucket: only the load balancers log", () => {
    const s = synthFile("examples/seed-004-github-actions.json");
    const withLogs = synth({ ...on, delivery: { mode: "github-actions", repository: "acme/shop" }, source: undefined });
    expect(s.stack.accessLogs).toBeUndefined();
    expect(resourcesOf(withLogs.tf, S3BucketLoggingA.tfResourceType)).toEqual({});
    expect(Object.values(resourcesOf(withLogs.tf, Lb.tfResourceType))[0].access_logs.enabled).toBe(true);
  });
});
