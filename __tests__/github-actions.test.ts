import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformValues } from "./terraform-values";
import { config, deployJobVariables, githubActionsOf, policyDocument, resourceByRef, roleStatements, synth } from "./helpers";
import { renderWorkflow, workflowShapeOf } from "../src/delivery/github-workflow";

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

  it("trusts only the configured repository: the push role its branch, the deploy role only jobs in its GitHub environment", () => {
    const s = github({ branch: "release" });
    const subject = (which: "pushRole" | "deployRole") => trustOf(s, which)[0].condition[1];
    expect(trustOf(s)).toEqual([
      {
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [s.ref(githubActionsOf(s.stack).oidcProviderArn)] }],
        condition: [
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
          { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: ["repo:my-org/shop:environment:production"] },
        ],
      },
    ]);
    expect(subject("pushRole").values).toEqual(["repo:my-org/shop:ref:refs/heads/release"]);
  });

  it("names the last environment's GitHub environment by delivery.githubEnvironment, any by its own githubEnvironment; a pattern uses StringLike", () => {
    const s = github({ githubEnvironment: "prod" });
    expect(trustOf(s)[0].condition[1].values).toEqual(["repo:my-org/shop:environment:prod"]);
    const two = synth({
      source: undefined,
      delivery: { mode: "github-actions", repository: "my-org/shop" },
      environments: [{ name: "staging", githubEnvironment: "qa" }, { name: "production" }],
    });
    expect(githubActionsOf(two.stack).subjects.deploy).toEqual(["repo:my-org/shop:environment:qa", "repo:my-org/shop:environment:production"]);
    expect(trustOf(github({ subjectPattern: "repo:my-org/shop:ref:refs/tags/v*" }), "pushRole")[0].condition[1]).toEqual({
      test: "StringLike",
      variable: "token.actions.githubusercontent.com:sub",
      values: ["repo:my-org/shop:ref:refs/tags/v*"],
    });
  });

  it("gives each environment its own deploy role, allowed only that environment's family, roles and group", () => {
    const s = synth({ source: undefined, delivery: { mode: "github-actions", repository: "my-org/shop" }, environments: [{ name: "staging" }, { name: "production" }] });
    const delivery = githubActionsOf(s.stack);
    expect(delivery.deployRoles).toHaveLength(2);
    s.stack.environments.forEach((env, i) => {
      const statements = roleStatements(s.tf, s.ref(delivery.deployRoles[i].role.id) as string);
      const grants = (action: string) => statements.filter((st) => st.actions.includes(action)).flatMap((st) => st.resources);
      expect(grants("codedeploy:CreateDeployment")).toEqual([s.ref(env.deployment.deploymentGroup.arn)]);
      expect(grants("ecs:RegisterTaskDefinition")).toEqual([`${s.ref(env.service.taskDefinition.arnWithoutRevision)}:*`]);
    });
    // The last keeps the one deploy role's construct and name, so upgrading re-addresses nothing.
    expect(delivery.deployRole).toBe(delivery.deployRoles[1]);
    expect(delivery.deployRole.node.id).toBe("role");
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

  it("outputs the role ARNs, the repository's variables and each GitHub environment's", () => {
    const s = github();
    expect(s.tf.output.github_actions_push_role_arn.value).toBe(s.ref(githubActionsOf(s.stack).pushRole.role.arn));
    expect(s.tf.output.github_actions_deploy_role_arn.value).toBe(s.ref(githubActionsOf(s.stack).deployRole.role.arn));
    expect(s.tf.output.github_actions_variables.value).toMatch(/^\$\{jsonencode\(\{"AWS_REGION" = "eu-central-1", "AWS_PUSH_ROLE_ARN" = aws_iam_role\./);
    expect(s.tf.output.github_actions_environment_variables.value).toMatch(/^\$\{jsonencode\(\{"production" = \{"AWS_DEPLOY_ROLE_ARN" = aws_iam_role\./);
  });
});

describe("app-repo-sample/.github/workflows/deploy.yml", () => {
  const text = readFileSync("app-repo-sample/.github/workflows/deploy.yml", "utf8");
  const workflow = parseYaml(text);
  const deployJob = workflow.jobs["deploy-production"];
  const steps = [...workflow.jobs.build.steps, ...deployJob.steps];
  const uses = steps.map((st: { uses?: string }) => st.uses).filter(Boolean);

  it("reads exactly the variables the stack outputs: the build job the repository's, the deploy job its environment's over them", () => {
    const read = (job: string) => [...new Set([...JSON.stringify(workflow.jobs[job]).matchAll(/vars\.([A-Z_]+)/g)].map((m) => m[1]))].sort();
    const s = github({});
    expect(read("build")).toEqual(Object.keys(githubActionsOf(s.stack).repositoryVariables).sort());
    expect(read("deploy-production").every((name) => name in deployJobVariables(s.stack))).toBe(true);
    expect(Object.keys(githubActionsOf(s.stack).environmentVariables.production).every((name) => read("deploy-production").includes(name))).toBe(true);
    expect(deployJob.environment).toBe("production");
  });

  it("the variables' values are the stack's own: region, container name and port, deployment group", () => {
    const s = github({});
    const env = s.stack.environments[0];
    const values = deployJobVariables(s.stack);
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
    const deploy = deployJob.steps.find((st: { uses?: string }) => st.uses?.startsWith("aws-actions/amazon-ecs-deploy-task-definition"));
    expect(deploy.with).toMatchObject({
      "codedeploy-appspec": "appspec.yaml",
      "codedeploy-application": "${{ vars.CODEDEPLOY_APPLICATION }}",
      "codedeploy-deployment-group": "${{ vars.CODEDEPLOY_DEPLOYMENT_GROUP }}",
    });
    const appspecStep = deployJob.steps.find((st: { run?: string }) => st.run?.includes("appspec.yaml"));
    // The stack's own APPSPEC_HOOKS, as Terraform renders it after an apply.
    const s = github({});
    const hooks = new TerraformValues(s.tf).evaluate(s.ref(deployJobVariables(s.stack).APPSPEC_HOOKS)) as string;
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

describe("the rendered workflow for staging then production", () => {
  const overrides = { source: undefined, delivery: { mode: "github-actions", repository: "my-org/shop" }, environments: [{ name: "staging" }, { name: "production" }] };
  const s = synth(overrides);
  const flow = parseYaml(renderWorkflow(workflowShapeOf(config(overrides))));
  const values = new TerraformValues(s.tf);

  it("renders each environment's AppSpec from its own GitHub environment's variables: its security group and its smoke test", () => {
    s.stack.environments.forEach((env) => {
      const job = flow.jobs[`deploy-${env.name}`];
      const vars = Object.fromEntries(Object.entries(deployJobVariables(s.stack, env.name)).map(([k, v]) => [k, String(values.evaluate(s.ref(v)))]));
      const step = job.steps.find((st: { run?: string }) => st.run?.includes("appspec.yaml"));
      const rendered = (step.run as string).split("\n").slice(1, -2).join("\n").replace(/\$\{\{ vars\.([A-Z_]+) \}\}/g, (_, name: string) => vars[name]);
      const appspec = parseYaml(rendered);
      expect(appspec.Hooks).toEqual([{ AfterAllowTestTraffic: values.evaluate(s.ref(env.smokeTest!.function.arn)) }]);
      expect(appspec.Resources[0].TargetService.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups).toEqual([values.evaluate(s.ref(env.service.securityGroup.id))]);
      // The deploy step names this environment's service and group, through its variables.
      const deploy = job.steps.find((st: { uses?: string }) => st.uses?.startsWith("aws-actions/amazon-ecs-deploy-task-definition"));
      expect(vars[/vars\.([A-Z_]+)/.exec(deploy.with["codedeploy-deployment-group"])![1]]).toBe(values.evaluate(s.ref(env.deployment.deploymentGroup.deploymentGroupName)));
    });
    const groups = s.stack.environments.map((env) => values.evaluate(s.ref(env.deployment.deploymentGroup.deploymentGroupName)));
    expect(new Set(groups).size).toBe(2);
  });
});
