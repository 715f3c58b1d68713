import { spawnSync, SpawnSyncReturns } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { Codepipeline } from "@cdktf/provider-aws/lib/codepipeline";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { BUILD_ENVIRONMENT_VARIABLES, OPTIONAL_BUILD_VARIABLES, SERVICE_DIRECTORY_VARIABLE } from "../src/delivery/build-project";
import { PER_ENVIRONMENT_VARIABLES, READ_ONLY_ROOT_VARIABLES } from "../src/delivery/application-contract";
import { IMAGE_PLACEHOLDER } from "../src/delivery/delivery-pipeline";
import { config, onlyResource, pipelineOf, resourceByRef, synth, Synthesized } from "./helpers";
import { TerraformValues } from "./terraform-values";

const sample = (file: string) => readFileSync(`app-repo-sample/${file}`, "utf8");
const buildspec = parseYaml(sample("buildspec.yml"));
const postBuild: string = buildspec.phases.post_build.commands.join("\n");
/** Variables CodeBuild sets on every build, not the stack. */
const CODEBUILD_BUILTINS = ["AWS_DEFAULT_REGION", "CODEBUILD_RESOLVED_SOURCE_VERSION"];
/** The buildspec's own shell variables. */
const BUILDSPEC_LOCALS = ["IMAGE_TAG", "RENDER_VARS", "ENV_NAME"];

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

const evaluators = new WeakMap<Synthesized, TerraformValues>();

/** What a synthesized value becomes at apply time (ids, ARNs and names as AWS would give them). */
function applied(value: unknown, s: Synthesized): string {
  if (!evaluators.has(s)) evaluators.set(s, new TerraformValues(s.tf));
  const result = evaluators.get(s)!.evaluate(value);
  return typeof result === "string" ? result : JSON.stringify(result);
}

/** Each environment's templates rendered as the buildspec's loop renders them, with the stack's values. */
function render(overrides: Record<string, unknown> = {}) {
  const s = synth(overrides);
  const project = onlyResource(s.tf, CodebuildProject.tfResourceType);
  const shared: Record<string, string> = { AWS_DEFAULT_REGION: "eu-central-1" };
  // DEPLOY_ENVIRONMENTS is read through the construct's typed values below, one environment at a time.
  for (const v of project.environment.environment_variable) if (v.name !== "DEPLOY_ENVIRONMENTS") shared[v.name] = applied(v.value, s);
  const renderVars = variablesIn(buildspec.env.variables.RENDER_VARS);
  const perEnvironment = s.ref(pipelineOf(s.stack).build.environmentValues) as Record<string, Record<string, string>>;
  const rendered = Object.entries(perEnvironment).map(([name, values]) => {
    // As the loop's defaults: without a read-only root filesystem the stack sends none of its three values.
    const writableRoot = { CONTAINER_READONLY_ROOT_FILESYSTEM: "false", CONTAINER_MOUNT_POINTS: "[]", TASK_VOLUMES: "[]" };
    const all = { ...writableRoot, ...shared, ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k, applied(v, s)])) };
    const taskdef = JSON.parse(envsubst(sample("taskdef.template.json"), renderVars, all));
    // As the buildspec's jq step: a null health check (none configured) is left out.
    for (const container of taskdef.containerDefinitions) if (container.healthCheck === null) delete container.healthCheck;
    return {
      name,
      taskdef,
      appspec: parseYaml(envsubst(sample("appspec.template.yaml"), renderVars, all)),
    };
  });
  return { s, rendered };
}

/**
 * Runs the sample buildspec's own render loop (bash, jq, envsubst) over the stack's per-environment values
 * in a scratch repository holding the sample's templates (or `taskdefTemplate`), then hands its outcome over.
 */
function runBuildspecLoop(
  s: Synthesized,
  options: { serviceDirectory?: string; taskdefTemplate?: string },
  inspect: (run: SpawnSyncReturns<string>, read: (file: string) => string) => void,
): void {
  const loop = buildspec.phases.post_build.commands.find((c: string) => c.startsWith("for ENV_NAME"));
  const dir = mkdtempSync(join(tmpdir(), "buildspec-"));
  try {
    // CodeBuild runs the buildspec from the repository's root; a service's templates sit in its folder.
    const folder = join(dir, options.serviceDirectory ?? ".");
    mkdirSync(folder, { recursive: true });
    copyFileSync("app-repo-sample/appspec.template.yaml", join(folder, "appspec.template.yaml"));
    if (options.taskdefTemplate) writeFileSync(join(folder, "taskdef.template.json"), options.taskdefTemplate);
    else copyFileSync("app-repo-sample/taskdef.template.json", join(folder, "taskdef.template.json"));
    const perEnvironment = s.ref(pipelineOf(s.stack).build.environmentValues) as Record<string, Record<string, string>>;
    const deployEnvironments = Object.fromEntries(
      Object.entries(perEnvironment).map(([name, values]) => [name, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, applied(v, s)]))]),
    );
    const run = spawnSync("bash", ["-euo", "pipefail", "-c", loop], {
      cwd: dir,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        DEPLOY_ENVIRONMENTS: JSON.stringify(deployEnvironments),
        RENDER_VARS: buildspec.env.variables.RENDER_VARS,
        CONTAINER_NAME: "web",
        CONTAINER_PORT: "8080",
        AWS_DEFAULT_REGION: "eu-central-1",
        ...(options.serviceDirectory ? { [SERVICE_DIRECTORY_VARIABLE]: options.serviceDirectory } : {}),
      },
    });
    inspect(run, (file) => readFileSync(join(dir, file), "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TOKEN_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:shop/api-token-AbCdEf";
const realApplication = {
  environments: [{ name: "staging" }, { name: "production" }],
  service: {
    secrets: { API_TOKEN: { secretsManager: TOKEN_ARN, jsonKey: "token" }, FEATURE_FLAGS: { ssmParameter: "/shop/feature-flags" } },
    healthCheck: { command: ["CMD", "node", "src/healthcheck.mjs"], intervalSeconds: 15, timeoutSeconds: 3, retries: 2 },
    cpuArchitecture: "ARM64",
  },
};
const twoEnvironments = { environments: [{ name: "staging" }, { name: "production", service: { cpu: 512, memory: 2048, environment: { GREETING: "hi" } } }] };
/** Read-only in the first environment only: the loop must not carry its volumes into the next one. */
const readOnlyStaging = {
  environments: [{ name: "staging", service: { readonlyRootFilesystem: true, writablePaths: ["/tmp", "/var/cache/nginx"] } }, { name: "production" }],
};

describe("app-repo-sample", () => {
  it("the buildspec writes, per environment, the files each Deploy action reads", () => {
    expect(buildspec.artifacts.files.sort()).toEqual(["appspec-*.yaml", "imageDetail.json", "taskdef-*.json"]);
    expect(postBuild).toMatch(/"ImageURI"/);
    expect(postBuild).toMatch(/> "taskdef-\$ENV_NAME\.json"/);
    expect(postBuild).toMatch(/> "appspec-\$ENV_NAME\.yaml"/);
    const stages = onlyResource(synth(twoEnvironments).tf, Codepipeline.tfResourceType).stage;
    const deploys = stages.flatMap((st: { action: any[] }) => st.action).filter((a: any) => a.provider === "CodeDeployToECS");
    expect(deploys.map((a: any) => [a.configuration.TaskDefinitionTemplatePath, a.configuration.AppSpecTemplatePath])).toEqual([
      ["taskdef-staging.json", "appspec-staging.yaml"],
      ["taskdef-production.json", "appspec-production.yaml"],
    ]);
  });

  it("tags the image with the commit's short SHA and runs the configured test command in it", () => {
    const preBuild = buildspec.phases.pre_build.commands.join("\n");
    expect(preBuild).toMatch(/IMAGE_TAG="\$\(echo "\$CODEBUILD_RESOLVED_SOURCE_VERSION" \| cut -c 1-7\)"/);
    expect(buildspec.phases.build.commands.join("\n")).toMatch(/docker run --rm --entrypoint sh "\$REPOSITORY_URI:\$IMAGE_TAG" -c "\$TEST_COMMAND"/);
  });

  it("uses only variables the stack sets on the CodeBuild project (or CodeBuild's own)", () => {
    const allowed = [...BUILD_ENVIRONMENT_VARIABLES, ...OPTIONAL_BUILD_VARIABLES, SERVICE_DIRECTORY_VARIABLE, ...PER_ENVIRONMENT_VARIABLES, ...READ_ONLY_ROOT_VARIABLES, ...CODEBUILD_BUILTINS, ...BUILDSPEC_LOCALS];
    for (const file of ["buildspec.yml", "taskdef.template.json", "appspec.template.yaml"]) {
      for (const name of variablesIn(sample(file))) expect(allowed, `${file}: $${name}`).toContain(name);
    }
    const templateVars = variablesIn(sample("taskdef.template.json") + sample("appspec.template.yaml"));
    expect(variablesIn(buildspec.env.variables.RENDER_VARS)).toEqual(templateVars);
  });

  it("renders, for each environment, a task definition whose container name and port match that environment's service", () => {
    for (const overrides of [{}, { service: { containerName: "api", containerPort: 8080 } }, twoEnvironments]) {
      const { s, rendered } = render(overrides);
      expect(rendered.map((r) => r.name)).toEqual(s.stack.environments.map((e) => e.name));
      for (const { name, taskdef, appspec } of rendered) {
        const env = s.stack.environments.find((e) => e.name === name)!;
        const lbBlock = resourceByRef(s.tf, s.ref(env.service.service.id)).load_balancer[0];
        const [container] = taskdef.containerDefinitions;
        expect(container.name).toBe(lbBlock.container_name);
        expect(container.portMappings[0].containerPort).toBe(lbBlock.container_port);
        expect(container.image).toBe(`<${IMAGE_PLACEHOLDER}>`);
        const props = appspec.Resources[0].TargetService.Properties;
        expect(props.LoadBalancerInfo).toEqual({ ContainerName: lbBlock.container_name, ContainerPort: lbBlock.container_port });
        expect(props.TaskDefinition).toBe("<TASK_DEFINITION>");
      }
    }
  });

  it("renders each environment's task definition with its own family, roles, size, logs and environment", () => {
    const { s, rendered } = render(twoEnvironments);
    for (const { name, taskdef } of rendered) {
      const service = s.stack.environments.find((e) => e.name === name)!.service;
      expect(taskdef).toMatchObject({
        family: applied(s.ref(service.taskDefinition.family), s),
        cpu: String(service.cpu),
        memory: String(service.memory),
        executionRoleArn: applied(s.ref(service.executionRole.role.arn), s),
        taskRoleArn: applied(s.ref(service.taskRole.role.arn), s),
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
      });
      expect(taskdef.containerDefinitions[0].environment).toEqual(service.environment);
      expect(taskdef.containerDefinitions[0].logConfiguration.options["awslogs-group"]).toBe(applied(s.ref(service.logGroup.name), s));
    }
    expect(rendered.find((r) => r.name === "production")!.taskdef.cpu).toBe("512");
    expect(rendered.find((r) => r.name === "staging")!.taskdef.cpu).toBe("256");
  });

  it("renders the appspec's network configuration from the stack's task subnets and each service's security group", () => {
    const { s, rendered } = render({ network: { natGateways: "none" } });
    const net = rendered[0].appspec.Resources[0].TargetService.Properties.NetworkConfiguration.AwsvpcConfiguration;
    expect(net.AssignPublicIp).toBe("ENABLED");
    expect(net.SecurityGroups).toEqual([applied(s.ref(s.stack.environments[0].service.securityGroup.id), s)]);
    expect(net.Subnets).toEqual(s.stack.network.publicSubnetIds.map((id) => applied(s.ref(id), s)));
  });

  it("lists each environment's lifecycle hooks in its appspec: the smoke test, then deployment.hooks in event order", () => {
    const { s, rendered } = render({
      environments: [{ name: "staging", deployment: { smokeTest: { enabled: false } } }, { name: "production", deployment: { hooks: { AfterInstall: "warm-cache" } } }],
      deployment: { hooks: { BeforeAllowTraffic: "arn:aws:lambda:eu-central-1:123456789012:function:check-db:live" } },
    });
    const smokeTest = applied(s.ref(s.stack.environments[1].smokeTest!.function.arn), s);
    expect(smokeTest).toBe("arn:aws:lambda:eu-central-1:123456789012:function:bluegreen-demo-production-smoke-test");
    expect(rendered.find((r) => r.name === "staging")!.appspec.Hooks).toEqual([
      { BeforeAllowTraffic: "arn:aws:lambda:eu-central-1:123456789012:function:check-db:live" },
    ]);
    expect(rendered.find((r) => r.name === "production")!.appspec.Hooks).toEqual([
      { AfterInstall: "warm-cache" },
      { AfterAllowTestTraffic: smokeTest },
      { BeforeAllowTraffic: "arn:aws:lambda:eu-central-1:123456789012:function:check-db:live" },
    ]);
  });

  it("writes no Hooks section without hooks", () => {
    const { rendered } = render({ deployment: { smokeTest: { enabled: false } } });
    expect(rendered[0].appspec).not.toHaveProperty("Hooks");
    expect(rendered[0].appspec.Resources[0].TargetService.Type).toBe("AWS::ECS::Service");
  });

  it("renders the application's secrets (references only), health check and ARM64 platform into every environment's task definition", () => {
    const { rendered } = render(realApplication);
    for (const { taskdef } of rendered) {
      expect(taskdef.runtimePlatform).toEqual({ cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" });
      const [container] = taskdef.containerDefinitions;
      expect(container.secrets).toEqual([
        { name: "API_TOKEN", valueFrom: `${TOKEN_ARN}:token::` },
        { name: "FEATURE_FLAGS", valueFrom: "/shop/feature-flags" },
      ]);
      expect(container.healthCheck).toEqual({ command: ["CMD", "node", "src/healthcheck.mjs"], interval: 15, timeout: 3, retries: 2 });
    }
    const plain = render().rendered[0].taskdef;
    expect(plain.runtimePlatform).toEqual({ cpuArchitecture: "X86_64", operatingSystemFamily: "LINUX" });
    expect(plain.containerDefinitions[0]).not.toHaveProperty("healthCheck");
  });

  it.each([
    ["two environments", twoEnvironments, undefined],
    ["secrets, a health check and ARM64", realApplication, undefined],
    ["one of several services, its templates in its folder of a shared repository", twoEnvironments, "services/api"],
    ["a read-only root filesystem in one environment, a writable one in the next", readOnlyStaging, undefined],
  ])("the buildspec's own render loop (bash, jq, envsubst) writes the same files as the templates rendered here: %s", (_, overrides, serviceDirectory) => {
    const { s, rendered } = render(overrides);
    runBuildspecLoop(s, { serviceDirectory }, (run, read) => {
      expect(run.status, `${run.stderr} (the loop needs bash, jq and envsubst: .ci/run installs them)`).toBe(0);
      for (const { name, taskdef, appspec } of rendered) {
        expect(JSON.parse(read(`taskdef-${name}.json`))).toEqual(taskdef);
        expect(parseYaml(read(`appspec-${name}.yaml`))).toEqual(appspec);
      }
    });
  });

  it("renders a read-only root filesystem with its writable paths as volumes, and a writable root with none", () => {
    const { rendered } = render(readOnlyStaging);
    const staging = rendered.find((r) => r.name === "staging")!.taskdef;
    expect(staging.containerDefinitions[0]).toMatchObject({
      readonlyRootFilesystem: true,
      mountPoints: [
        { sourceVolume: "writable-tmp", containerPath: "/tmp", readOnly: false },
        { sourceVolume: "writable-var-cache-nginx", containerPath: "/var/cache/nginx", readOnly: false },
      ],
    });
    expect(staging.volumes).toEqual([{ name: "writable-tmp" }, { name: "writable-var-cache-nginx" }]);
    const production = rendered.find((r) => r.name === "production")!.taskdef;
    expect(production.containerDefinitions[0]).toMatchObject({ readonlyRootFilesystem: false, mountPoints: [] });
    expect(production.volumes).toEqual([]);
  });

  it("stops the build when the stack asks for a read-only root filesystem and the repository's template predates it", () => {
    const { s } = render(readOnlyStaging);
    // The sample template as it was before the setting: without its three lines.
    const lines = sample("taskdef.template.json").split("\n");
    const old = lines.filter((line) => !/"(readonlyRootFilesystem|mountPoints|volumes)"/.test(line)).join("\n");
    expect(old.split("\n")).toHaveLength(lines.length - 3);
    runBuildspecLoop(s, { taskdefTemplate: old }, (run) => {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/taskdef\.template\.json does not set readonlyRootFilesystem, mountPoints and volumes .*for staging/);
    });
  });

  it("its README says which delivery mode needs each file, and lists every file a user copies", () => {
    const rows = sample("README.md")
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) => l.split(" | "));
    const modeOf = new Map(rows.flatMap(([files, mode]) => [...files.matchAll(/`([^`]+)`/g)].map((m) => [m[1], mode] as const)));
    for (const mode of modeOf.values()) expect(["both", "`codepipeline`", "`github-actions`"]).toContain(mode);
    // What each delivery reads: the buildspec and templates CodeBuild's; the workflow GitHub's.
    expect([modeOf.get("buildspec.yml"), modeOf.get("taskdef.template.json"), modeOf.get("appspec.template.yaml")]).toEqual(Array(3).fill("`codepipeline`"));
    expect(modeOf.get(".github/workflows/deploy.yml")).toBe("`github-actions`");
    const copied = readdirSync("app-repo-sample").filter((f) => !["README.md", ".dockerignore", ".github", "src", "node_modules"].includes(f));
    for (const file of copied) expect([...modeOf.keys()].some((k) => k === file || k === `${file}/`), `${file} is not in app-repo-sample/README.md`).toBe(true);
  });

  it("the image listens on the default container port", () => {
    const exposed = /^EXPOSE (\d+)$/m.exec(sample("Dockerfile"));
    const lbBlock = onlyResource(synth().tf, EcsService.tfResourceType).load_balancer[0];
    expect(Number(exposed?.[1])).toBe(lbBlock.container_port);
    expect(sample("Dockerfile")).toMatch(new RegExp(`^ENV .*\\bPORT=${lbBlock.container_port}\\b`, "m"));
  });

  it("the Dockerfile builds in two stages and runs the package's start command as a non-root user", () => {
    const lines = sample("Dockerfile").split("\n");
    const stages = lines.filter((l) => l.startsWith("FROM "));
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/ AS dependencies$/);
    const runtime = lines.slice(lines.indexOf(stages[1]));
    expect(runtime.filter((l) => l.startsWith("USER ")).pop()).toMatch(/^USER (?!root\b|0\b)\S+$/);
    const start = JSON.parse(sample("package.json")).scripts.start as string;
    const cmd = JSON.parse(runtime.find((l) => l.startsWith("CMD "))!.slice(4)) as string[];
    expect(cmd.join(" ")).toBe(start);
    // build.testCommand runs `npm test` inside the image: the tests and the package file are in it.
    for (const copied of ["src", "test", "package.json"]) expect(runtime.some((l) => l.startsWith("COPY ") && l.includes(copied))).toBe(true);
    expect(config().build.testCommand).toBe("npm test");
  });
});
