import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformValues } from "./terraform-values";
import { githubActionsOf, policyDocument, resourceByRef, roleStatements, synth } from "./helpers";

const github = (delivery: Record<string, unknown> = {}) =>
  synth({ source: undefined, delivery: { mode: "github-actions", repository: "my-org/shop", ...delivery } });

function trustOf(s: ReturnType<typeof synth>, which: "pushRole" | "deployRole" = "deployRole") {
  const role = resourceByRef(s.tf, s.ref(githubActionsOf(s.stack)[which].role.id));
  return policyDocument(s.tf, role.assume_role_policy).statement;
}

describe("delivery: github-actions", () => {
  it("creates no pipeline, build project or artifact bucket", () => {
    const { json } = github();
    expect(json).not.toHaveResource(Codepipeline);
    expect(json).not.toHaveResource(CodebuildProject);
    expect(json).not.toHaveResource(S3Bucket);
  });

  it("creates GitHub's OIDC provider for the sts.amazonaws.com audience", () => {
    expect(github().json).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
    });
  });

  it("trusts only the configured repository's workflows on the configured branch, for both jobs", () => {
    const s = github({ branch: "release" });
    expect(trustOf(s, "pushRole")).toEqual(trustOf(s, "deployRole"));
    expect(trustOf(s)).toEqual([
      {
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [s.ref(githubActionsOf(s.stack).oidcProviderArn)] }],
        condition: [
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: ["repo:my-org/shop:ref:refs/heads/release"] },
        ],
      },
    ]);
  });

  it("with a GitHub environment, the deploy role trusts only jobs running in it, the push role the branch; a pattern uses StringLike", () => {
    const s = github({ githubEnvironment: "production" });
    expect(trustOf(s)[0].condition[1]).toEqual({
      test: "StringEquals",
      variable: "token.actions.githubusercontent.com:sub",
      values: ["repo:my-org/shop:environment:production"],
    });
    expect(trustOf(s, "pushRole")[0].condition[1].values).toEqual(["repo:my-org/shop:ref:refs/heads/main"]);
    expect(trustOf(github({ subjectPattern: "repo:my-org/shop:ref:refs/tags/v*" }))[0].condition[1]).toEqual({
      test: "StringLike",
      variable: "token.actions.githubusercontent.com:sub",
      values: ["repo:my-org/shop:ref:refs/tags/v*"],
    });
  });

  it("uses an existing OIDC provider by ARN, creating none", () => {
    const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const s = github({ oidcProviderArn: arn });
    expect(s.json).not.toHaveResource(IamOpenidConnectProvider);
    expect(trustOf(s)[0].principals[0].identifiers).toEqual([arn]);
  });

  it("the push role may push to this repository only; the deploy role may pass the two task roles and deploy to this group only", () => {
    const s = github();
    const env = s.stack.environments[0];
    const pushStatements = roleStatements(s.tf, s.ref(githubActionsOf(s.stack).pushRole.role.id) as string);
    expect(pushStatements.filter((st) => st.actions.includes("ecr:PutImage")).flatMap((st) => st.resources)).toEqual([s.ref(s.stack.repository.repository.arn)]);
    expect(pushStatements.flatMap((st) => st.actions)).not.toContain("codedeploy:CreateDeployment");
    const statements = roleStatements(s.tf, s.ref(githubActionsOf(s.stack).deployRole.role.id) as string);
    const grants = (action: string) => statements.filter((st) => st.actions.includes(action)).flatMap((st) => st.resources);
    expect(grants("ecr:PutImage")).toEqual([]);
    expect(grants("ecs:RegisterTaskDefinition")).toEqual([`${s.ref(env.service.taskDefinition.arnWithoutRevision)}:*`]);
    expect(grants("iam:PassRole")).toEqual([s.ref(env.service.executionRole.role.arn), s.ref(env.service.taskRole.role.arn)]);
    expect(grants("codedeploy:CreateDeployment")).toEqual([s.ref(env.deployment.deploymentGroup.arn)]);
    expect(grants("ecs:DescribeServices")).toEqual([s.ref(env.service.service.id)]);
    expect(statements.flatMap((st) => st.actions)).not.toContain("codepipeline:StartPipelineExecution");
  });

  it("outputs both role ARNs and every value the workflow needs", () => {
    const s = github();
    expect(s.tf.output.github_actions_push_role_arn.value).toBe(s.ref(githubActionsOf(s.stack).pushRole.role.arn));
    expect(s.tf.output.github_actions_deploy_role_arn.value).toBe(s.ref(githubActionsOf(s.stack).deployRole.role.arn));
    expect(s.tf.output.github_actions_variables.value).toMatch(/^\$\{jsonencode\(\{"AWS_REGION" = "eu-central-1", "AWS_PUSH_ROLE_ARN" = aws_iam_role\./);
  });
});

describe("app-repo-sample/.github/workflows/deploy.yml", () => {
  const text = readFileSync("app-repo-sample/.github/workflows/deploy.yml", "utf8");
  const workflow = parseYaml(text);
  const steps = [...workflow.jobs.build.steps, ...workflow.jobs.deploy.steps];
  const variableNames = (delivery: Record<string, unknown>) => {
    const s = github(delivery);
    return Object.keys(githubActionsOf(s.stack).variables).sort();
  };
  const uses = steps.map((st: { uses?: string }) => st.uses).filter(Boolean);

  it("reads exactly the variables the stack outputs; DEPLOY_ENVIRONMENT only with an environment trust", () => {
    const read = [...new Set([...text.matchAll(/vars\.([A-Z_]+)/g)].map((m) => m[1]))].sort();
    expect(read).toEqual(variableNames({ githubEnvironment: "production" }));
    expect(read.filter((name) => name !== "DEPLOY_ENVIRONMENT")).toEqual(variableNames({}));
    expect(workflow.jobs.deploy.environment).toBe("${{ vars.DEPLOY_ENVIRONMENT }}");
  });

  it("the variables' values are the stack's own: region, container name and port, deployment group", () => {
    const s = github({});
    const env = s.stack.environments[0];
    const values = githubActionsOf(s.stack).variables;
    expect(values.AWS_REGION).toBe("eu-central-1");
    expect(values.CONTAINER_NAME).toBe("web");
    expect(values.CONTAINER_PORT).toBe("8080");
    expect(s.ref(values.CODEDEPLOY_DEPLOYMENT_GROUP)).toBe(s.ref(env.deployment.deploymentGroup.deploymentGroupName));
    expect(s.ref(values.AWS_DEPLOY_ROLE_ARN)).toBe(s.ref(githubActionsOf(s.stack).deployRole.role.arn));
    expect(s.ref(values.ECR_REPOSITORY_URI)).toBe(s.ref(s.stack.repository.repository.repositoryUrl));
  });

  it("uses the AWS-published actions, asks for an OIDC token, and tags the image with the commit SHA", () => {
    expect(workflow.permissions).toEqual({ "id-token": "write", contents: "read" });
    for (const action of [
      "aws-actions/configure-aws-credentials@v4",
      "aws-actions/amazon-ecr-login@v2",
      "aws-actions/amazon-ecs-render-task-definition@v1",
      "aws-actions/amazon-ecs-deploy-task-definition@v2",
    ]) {
      expect(uses).toContain(action);
    }
    expect(text).toContain(":${{ github.sha }}");
  });

  it("deploys through CodeDeploy with an appspec naming the stack's container and port", () => {
    const deploy = workflow.jobs.deploy.steps.find((st: { uses?: string }) => st.uses?.startsWith("aws-actions/amazon-ecs-deploy-task-definition"));
    expect(deploy.with).toMatchObject({
      "codedeploy-appspec": "appspec.yaml",
      "codedeploy-application": "${{ vars.CODEDEPLOY_APPLICATION }}",
      "codedeploy-deployment-group": "${{ vars.CODEDEPLOY_DEPLOYMENT_GROUP }}",
    });
    const appspecStep = workflow.jobs.deploy.steps.find((st: { run?: string }) => st.run?.includes("appspec.yaml"));
    // The stack's own APPSPEC_HOOKS, as Terraform renders it after an apply.
    const s = github({});
    const hooks = new TerraformValues(s.tf).evaluate(s.ref(githubActionsOf(s.stack).variables.APPSPEC_HOOKS)) as string;
    const smokeTest = new TerraformValues(s.tf).evaluate(s.ref(s.stack.environments[0].smokeTest!.function.arn));
    expect(hooks).toBe(`Hooks: [{"AfterAllowTestTraffic":"${smokeTest}"}]`);
    const appspec = parseYaml(
      appspecStep.run
        .split("\n")
        .slice(1, -2)
        .join("\n")
        .replace("${{ vars.CONTAINER_NAME }}", "web")
        .replace("${{ vars.CONTAINER_PORT }}", "80")
        .replace("${{ vars.SUBNET_IDS }}", "subnet-a,subnet-b")
        .replace("${{ vars.SECURITY_GROUP_IDS }}", "sg-1")
        .replace("${{ vars.ASSIGN_PUBLIC_IP }}", "DISABLED")
        .replace("${{ vars.APPSPEC_HOOKS }}", hooks),
    );
    expect(appspec.Hooks).toEqual([{ AfterAllowTestTraffic: smokeTest }]);
    expect(appspec.Resources[0].TargetService.Properties).toEqual({
      TaskDefinition: "<TASK_DEFINITION>",
      LoadBalancerInfo: { ContainerName: "web", ContainerPort: 80 },
      PlatformVersion: "LATEST",
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ["subnet-a", "subnet-b"], SecurityGroups: ["sg-1"], AssignPublicIp: "DISABLED" } },
    });
  });
});
