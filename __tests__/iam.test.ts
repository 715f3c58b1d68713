import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Network } from "../src/network/network";
import { ServiceRole } from "../src/security/iam";
import { pipelineOf, policyDocument, resourceByRef, resourcesOf, roleStatements, synth, Synthesized } from "./helpers";

function statementsOf(s: Synthesized, role: ServiceRole) {
  return roleStatements(s.tf, s.ref(role.role.id) as string);
}

function grants(s: Synthesized, role: ServiceRole, action: string): unknown[] {
  return statementsOf(s, role)
    .filter((st) => st.actions.includes(action))
    .flatMap((st) => st.resources);
}

describe("IAM least privilege", () => {
  it("every role is assumable only by its own service", () => {
    const s = synth();
    const expected: Array<[ServiceRole, string]> = [
      [s.stack.environments[0].service.executionRole, "ecs-tasks.amazonaws.com"],
      [s.stack.environments[0].service.taskRole, "ecs-tasks.amazonaws.com"],
      [pipelineOf(s.stack).build.role, "codebuild.amazonaws.com"],
      [s.stack.environments[0].deployment.role, "codedeploy.amazonaws.com"],
      [pipelineOf(s.stack).pipeline.role, "codepipeline.amazonaws.com"],
      [s.stack.environments[0].smokeTest!.role, "lambda.amazonaws.com"],
      [(s.stack.network as Network).flowLogs!.role, "vpc-flow-logs.amazonaws.com"],
    ];
    expect(Object.keys(resourcesOf(s.tf, IamRole.tfResourceType))).toHaveLength(expected.length);
    for (const [role, principal] of expected) {
      const trust = policyDocument(s.tf, resourceByRef(s.tf, s.ref(role.role.id)).assume_role_policy);
      expect(trust.statement).toEqual([
        { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [principal] }] },
      ]);
    }
  });

  it("builds trust policies as local policy documents", () => {
    const { json } = synth();
    expect(json).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }] }],
    });
  });

  it('comments every "*" resource in the source with why nothing narrower exists', () => {
    const files = readdirSync("src", { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    let found = 0;
    for (const file of files) {
      const lines = readFileSync(join("src", file), "utf8").split("\n");
      lines.forEach((line, i) => {
        if (!/resources: \["\*"\]/.test(line)) return;
        found++;
        expect(lines[i - 1].trim(), `${file}:${i + 1}`).toMatch(/^\/\//);
      });
    }
    expect(found).toBeGreaterThan(0);
  });

  it("the execution role pulls from this repository only and writes to this log group only", () => {
    const s = synth();
    const role = s.stack.environments[0].service.executionRole;
    expect(grants(s, role, "ecr:BatchGetImage")).toEqual([s.ref(s.stack.repository.repository.arn)]);
    expect(grants(s, role, "ecr:PutImage")).toEqual([]);
    expect(grants(s, role, "logs:PutLogEvents")).toEqual([`${s.ref(s.stack.environments[0].service.logGroup.arn)}:*`]);
  });

  it("the task role has no permissions of its own by default", () => {
    const s = synth();
    expect(statementsOf(s, s.stack.environments[0].service.taskRole)).toEqual([]);
  });

  it("CodeBuild pushes to this repository, uses this bucket and writes its own logs", () => {
    const s = synth();
    const role = pipelineOf(s.stack).build.role;
    const bucketArn = s.ref(pipelineOf(s.stack).artifacts.bucket.arn);
    expect(grants(s, role, "ecr:PutImage")).toEqual([s.ref(s.stack.repository.repository.arn)]);
    expect(grants(s, role, "s3:PutObject")).toEqual([`${bucketArn}/*`]);
    expect(grants(s, role, "logs:PutLogEvents")).toEqual([`${s.ref(pipelineOf(s.stack).build.logGroup.arn)}:*`]);
  });

  it("the pipeline may start this build, deploy to this group and use this connection", () => {
    const s = synth();
    const role = pipelineOf(s.stack).pipeline.role;
    expect(grants(s, role, "codebuild:StartBuild")).toEqual([s.ref(pipelineOf(s.stack).build.project.arn)]);
    expect(grants(s, role, "codedeploy:CreateDeployment")).toEqual([s.ref(s.stack.environments[0].deployment.deploymentGroup.arn)]);
    expect(grants(s, role, "codedeploy:RegisterApplicationRevision")).toEqual([s.ref(s.stack.trafficControl.application.application.arn)]);
    const connection = Object.keys(s.tf.resource.aws_codestarconnections_connection)[0];
    expect(grants(s, role, "codestar-connections:UseConnection")).toEqual([
      `\${aws_codestarconnections_connection.${connection}.arn}`,
    ]);
  });

  it("CodeDeploy may shift only these listeners and manage only this service's task sets", () => {
    const s = synth();
    const role = s.stack.environments[0].deployment.role;
    const lb = s.stack.environments[0].loadBalancer;
    expect(grants(s, role, "elasticloadbalancing:ModifyListener")).toEqual(
      expect.arrayContaining([s.ref(lb.productionListener.arn), s.ref(lb.testListener.arn)]),
    );
    for (const arn of grants(s, role, "elasticloadbalancing:ModifyListener")) expect(arn).not.toBe("*");
    const ecs = grants(s, role, "ecs:CreateTaskSet");
    expect(ecs[0]).toBe(s.ref(s.stack.environments[0].service.service.id));
    expect(ecs[1]).toMatch(/task-set\//);
  });

  it("iam:PassRole is granted only on the two task roles, only towards ECS tasks", () => {
    const s = synth();
    const taskRoles = [s.ref(s.stack.environments[0].service.executionRole.role.arn), s.ref(s.stack.environments[0].service.taskRole.role.arn)];
    let passRoleStatements = 0;
    for (const doc of Object.values(s.tf.data.aws_iam_policy_document) as Array<{ statement: any[] }>) {
      for (const st of doc.statement.filter((x) => x.actions?.includes("iam:PassRole"))) {
        passRoleStatements++;
        expect(st.resources).toEqual(taskRoles);
        expect(st.condition).toEqual([
          { test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] },
        ]);
      }
    }
    // CodePipeline registers the task definition; CodeDeploy creates task sets with it.
    expect(passRoleStatements).toBe(2);
  });
});
