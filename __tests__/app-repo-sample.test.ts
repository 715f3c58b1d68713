import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { BUILD_ENVIRONMENT_VARIABLES } from "../src/build-project";
import { IMAGE_PLACEHOLDER } from "../src/delivery-pipeline";
import { onlyResource, synth } from "./helpers";

const sample = (file: string) => readFileSync(`app-repo-sample/${file}`, "utf8");
const buildspec = parseYaml(sample("buildspec.yml"));
/** Variables CodeBuild sets on every build, not the stack. */
const CODEBUILD_BUILTINS = ["AWS_DEFAULT_REGION", "CODEBUILD_RESOLVED_SOURCE_VERSION"];

function variablesIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]))].sort();
}

/** envsubst with a SHELL-FORMAT: replaces ${VAR} / $VAR for the listed names only. */
function envsubst(text: string, names: string[], values: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}|\$([A-Z0-9_]+)/g, (whole, a, b) => {
    const name = a ?? b;
    return names.includes(name) ? values[name] ?? "" : whole;
  });
}

/**
 * What a synthesized value becomes at apply time, as a readable stand-in: "${aws_subnet.a.id}" becomes
 * "aws_subnet.a.id", and a join(",", [...]) of such references their comma-joined stand-ins.
 */
function applied(value: unknown): string {
  const text = String(value);
  const joined = /^\$\{join\(",", \[(.*)\]\)\}$/.exec(text);
  if (joined) return joined[1].split(", ").join(",");
  return text.replace(/^\$\{(.*)\}$/, "$1");
}

/** The templates rendered as the buildspec renders them, with the values the stack sets on CodeBuild. */
function render(overrides: Record<string, unknown> = {}) {
  const s = synth(overrides);
  const project = onlyResource(s.tf, CodebuildProject.tfResourceType);
  const values: Record<string, string> = { AWS_DEFAULT_REGION: "eu-central-1" };
  for (const v of project.environment.environment_variable) values[v.name] = applied(v.value);
  const renderVars = variablesIn(buildspec.env.variables.RENDER_VARS);
  return {
    s,
    taskdef: JSON.parse(envsubst(sample("taskdef.template.json"), renderVars, values)),
    appspec: parseYaml(envsubst(sample("appspec.template.yaml"), renderVars, values)),
  };
}

describe("app-repo-sample", () => {
  it("the buildspec emits exactly what the Deploy action reads", () => {
    expect(buildspec.artifacts.files.sort()).toEqual(["appspec.yaml", "imageDetail.json", "taskdef.json"]);
    const postBuild = buildspec.phases.post_build.commands.join("\n");
    expect(postBuild).toMatch(/"ImageURI"/);
    expect(postBuild).toMatch(/> taskdef\.json/);
    expect(postBuild).toMatch(/> appspec\.yaml/);
  });

  it("tags the image with the commit's short SHA", () => {
    const preBuild = buildspec.phases.pre_build.commands.join("\n");
    expect(preBuild).toMatch(/IMAGE_TAG="\$\(echo "\$CODEBUILD_RESOLVED_SOURCE_VERSION" \| cut -c 1-7\)"/);
  });

  it("uses only variables the stack sets on the CodeBuild project (or CodeBuild's own)", () => {
    const allowed = [...BUILD_ENVIRONMENT_VARIABLES, ...CODEBUILD_BUILTINS, "IMAGE_TAG", "RENDER_VARS"];
    for (const file of ["buildspec.yml", "taskdef.template.json", "appspec.template.yaml"]) {
      for (const name of variablesIn(sample(file))) expect(allowed, `${file}: $${name}`).toContain(name);
    }
    const templateVars = variablesIn(sample("taskdef.template.json") + sample("appspec.template.yaml"));
    expect(variablesIn(buildspec.env.variables.RENDER_VARS)).toEqual(templateVars);
  });

  it("renders a task definition whose container name and port match the service's load balancer", () => {
    for (const service of [{}, { containerName: "api", containerPort: 8080 }]) {
      const { s, taskdef, appspec } = render({ service });
      const lbBlock = onlyResource(s.tf, EcsService.tfResourceType).load_balancer[0];
      const [container] = taskdef.containerDefinitions;
      expect(container.name).toBe(lbBlock.container_name);
      expect(container.portMappings[0].containerPort).toBe(lbBlock.container_port);
      expect(container.image).toBe(`<${IMAGE_PLACEHOLDER}>`);
      const props = appspec.Resources[0].TargetService.Properties;
      expect(props.LoadBalancerInfo).toEqual({ ContainerName: lbBlock.container_name, ContainerPort: lbBlock.container_port });
      expect(props.TaskDefinition).toBe("<TASK_DEFINITION>");
    }
  });

  it("renders the task definition with the stack's family, roles, size, logs and environment", () => {
    const { s, taskdef } = render({ service: { cpu: 512, memory: 2048, environment: { GREETING: "hi" } } });
    const service = s.stack.service;
    expect(taskdef).toMatchObject({
      family: applied(s.ref(service.taskDefinition.family)),
      cpu: "512",
      memory: "2048",
      executionRoleArn: applied(s.ref(service.executionRole.role.arn)),
      taskRoleArn: applied(s.ref(service.taskRole.role.arn)),
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
    });
    expect(taskdef.containerDefinitions[0].environment).toEqual([{ name: "GREETING", value: "hi" }]);
    expect(taskdef.containerDefinitions[0].logConfiguration.options["awslogs-group"]).toBe(applied(s.ref(service.logGroup.name)));
  });

  it("renders the appspec's network configuration from the stack's task subnets and security group", () => {
    const { s, appspec } = render({ network: { natGateways: "none" } });
    const net = appspec.Resources[0].TargetService.Properties.NetworkConfiguration.AwsvpcConfiguration;
    expect(net.AssignPublicIp).toBe("ENABLED");
    expect(net.SecurityGroups).toEqual([applied(s.ref(s.stack.service.securityGroup.id))]);
    expect(net.Subnets).toEqual(s.stack.network.publicSubnets.map((subnet) => applied(s.ref(subnet.id))));
  });

  it("the image listens on the default container port", () => {
    const exposed = /^EXPOSE (\d+)$/m.exec(sample("Dockerfile"));
    const lbBlock = onlyResource(synth().tf, EcsService.tfResourceType).load_balancer[0];
    expect(Number(exposed?.[1])).toBe(lbBlock.container_port);
  });
});
