import { z } from "zod";
import { addIssue, Issues } from "../core/schema-fields";
import { buildSchema, checkBuildArchitecture, checkGitHubEnvironments, deliverySchema } from "../delivery/delivery-config";
import { sourceSchema } from "../delivery/sources/source-config";
import { checkLoadBalancer, loadBalancerSchema } from "../network/load-balancer-config";
import { checkNetwork, networkSchema } from "../network/network-config";
import { checkRegions, providerFields } from "../provider/provider-config";
import { notificationsSchema } from "../release-safety/release-safety-config";
import { checkEncryption, encryptionSchema } from "../security/encryption-config";
import { containerRepositorySchema } from "../service/container-repository-config";
import { artifactsSchema } from "../storage/artifact-bucket-config";
import { accessLogsSchema } from "../storage/access-log-config";
import { checkDatabase, databaseSchema } from "../service/database-config";
import { checkService, serviceSchema } from "../service/service-config";
import { checkDeployment, deploymentSchema } from "../traffic-control/deployment-config";
import { EnvironmentDefaults, environmentSchema, resolveEnvironment } from "./environments";
import { checkRoutes } from "../network/service-routing-config";
import { resolveService, serviceEntrySchema, serviceName } from "./services";

/** The whole config: each section's schema (beside the construct it configures), composed. */
const configObject = z.strictObject({
  /** A JSON Schema for editors (completion, checks as you type); the stack ignores it. */
  $schema: z.string().optional(),
  /** Short name of the application: prefixes every physical name. */
  appName: z.string().regex(/^[a-z][a-z0-9-]{0,62}[a-z0-9]$/, {
    message: "must be 2-64 characters of lowercase letters, digits and hyphens, starting with a letter",
  }),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { message: "must be an AWS region such as eu-central-1" }),
  /** Availability zones; given here so that planning needs no AWS call. At least 2 (an ALB needs two). */
  availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/)).min(2),
  ...providerFields,
  network: networkSchema,
  loadBalancer: loadBalancerSchema,
  service: serviceSchema,
  ecr: containerRepositorySchema,
  artifacts: artifactsSchema,
  /** The load balancers' access logs and the buckets' server access logs, to one log bucket. */
  accessLogs: accessLogsSchema,
  build: buildSchema,
  deployment: deploymentSchema,
  /** Release events (deployment start, success, failure, rollback; pipeline failed or succeeded) on one SNS topic. */
  notifications: notificationsSchema,
  database: databaseSchema,
  encryption: encryptionSchema,
  /** Where the code comes from (CodePipeline delivery only). */
  source: sourceSchema.optional(),
  delivery: deliverySchema,
  /** Deployed in this order by the pipeline; each has its own ALB, service and deployment group. */
  environments: z.array(environmentSchema).min(1).default([{ name: "production" }]),
  /**
   * Several services on one platform, by name: each environment's network, cluster and load balancer are
   * shared, each service has its own repository, pipeline, target groups, rules and deployment group.
   * Without it, `service` is the one service (and every environment has its own load balancer).
   */
  services: z.record(serviceName, serviceEntrySchema).optional(),
});

type ConfigObject = z.output<typeof configObject>;

/**
 * The rules across sections run only on a config whose sections passed their own checks (a pipe stops at the
 * first schema's issues): a cross-section check never reads a field its section refused.
 */
export const configSchema = configObject
  .pipe(z.custom<ConfigObject>().superRefine(checkAcrossSections))
  .transform((c) => ({
    ...c,
    environments: c.environments.map((env) => resolveEnvironment(c, env)),
    services: Object.entries(c.services ?? {}).map(([name, entry]) => resolveService(c, name, entry, c.environments)),
  }));

/** The rules that span sections; each section's own rules are its module's, called here in the config's order. */
function checkAcrossSections(c: ConfigObject, ctx: Issues): void {
  checkRegions(c, ctx);
  for (const az of c.availabilityZones) {
    if (!az.startsWith(c.region)) addIssue(ctx, ["availabilityZones"], `"${az}" is not in region ${c.region}`);
  }
  if (new Set(c.availabilityZones).size !== c.availabilityZones.length) addIssue(ctx, ["availabilityZones"], "must not repeat a zone");
  checkNetwork(c.network, c.availabilityZones, ctx);

  if (c.services) {
    checkServices(c, ctx);
  } else if (c.delivery.mode === "codepipeline" && !c.source) {
    addIssue(ctx, ["source"], 'is required with delivery mode "codepipeline" (kinds: "codestar", "codecommit", "github-oauth", "s3")');
  }
  if (c.delivery.mode === "github-actions" && !c.services && !c.delivery.repository) addIssue(ctx, ["delivery", "repository"], "is required (string)");
  if (c.delivery.mode === "github-actions" && c.source) {
    addIssue(ctx, ["source"], 'must be left out with delivery mode "github-actions": the workflow in the repository is the source');
  }
  checkGitHubEnvironments(c.environments, c.delivery, ctx);
  // With GitHub Actions an approval is the GitHub environment's required reviewers: GitHub users or teams, set there.
  if (c.delivery.mode === "github-actions") {
    const i = c.environments.findIndex((e) => e.approval && (e.approval.notifyEmails.length || e.approval.message || e.approval.reviewUrl));
    if (i >= 0) {
      addIssue(
        ctx,
        ["environments", i, "approval"],
        'with "github-actions" is the GitHub environment\'s required reviewers (GitHub users or teams, added in its settings): give it as {}; notifyEmails, message and reviewUrl are CodePipeline\'s',
      );
    }
  }
  if (c.database.enabled && c.network.natGateways === "none") {
    addIssue(ctx, ["database", "enabled"], 'needs private subnets: set network.natGateways to "single" or "one-per-az" (with "none" there are none)');
  }
  checkDatabase(c.database, ctx);
  checkBuildArchitecture(c.build.image, c.service.cpuArchitecture, ctx);
  checkEncryption(c.encryption, c.region, ctx);

  const names = c.environments.map((e) => e.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) addIssue(ctx, ["environments", i, "name"], `"${name}" is used twice; environment names must be unique`);
  });
  const domains = c.environments.map((env) => resolveEnvironment(c, env).loadBalancer.domainName);
  domains.forEach((domain, i) => {
    const first = domains.indexOf(domain);
    if (domain && first !== i) {
      addIssue(ctx, ["environments", i, "loadBalancer", "domainName"], `"${domain}" is also environment ${c.environments[first].name}'s; give each environment its own name`);
    }
  });
  if (c.environments[0]?.approval) {
    addIssue(ctx, ["environments", 0, "approval"], "an approval can only come before a later environment (it gates promotion from the one before it)");
  }
  // Check each environment as it will be built (its overrides over the defaults); the top level
  // reports under its own path, an environment under environments.N.
  checkEnvironment(c, c, [], ctx);
  c.environments.forEach((env, i) => {
    if (env.service || env.loadBalancer || env.deployment) checkEnvironment(c, resolveEnvironment(c, env), ["environments", i], ctx);
  });
}

/** Several services: each its own source and database, routes that share the listeners, and each service as it will be built in every environment. */
function checkServices(c: ConfigObject, ctx: Issues): void {
  const services = Object.entries(c.services ?? {});
  if (services.length === 0) addIssue(ctx, ["services"], "lists no service: name at least one, or leave services out (service is then the one service)");
  if (c.delivery.mode === "github-actions") {
    if (c.delivery.repository) addIssue(ctx, ["delivery", "repository"], "with services, each service names its own repository (services.<name>.repository), whose jobs alone its roles trust");
    if (c.delivery.subjectPattern) addIssue(ctx, ["delivery", "subjectPattern"], "names one repository; with services each service's build job is trusted on delivery.branch of its own repository");
    checkServiceRepositories(services, ctx);
  } else {
    checkSharedRepository(c, services, ctx);
  }
  if (c.database.enabled) addIssue(ctx, ["database", "enabled"], "with services, give the database to the service that uses it (services.<name>.database)");
  checkRoutes(services.map(([name, entry]) => ({ name, routing: entry.routing })), ctx);
  checkHostsCovered(c, services, ctx);
  for (const [name, entry] of services) {
    const at = ["services", name];
    if (c.delivery.mode === "codepipeline" && entry.repository) {
      addIssue(ctx, [...at, "repository"], 'is for delivery mode "github-actions"; with CodePipeline the service\'s source (or folder) names its repository');
    }
    if (c.delivery.mode === "codepipeline" && !entry.source && !entry.folder) {
      addIssue(ctx, [...at, "source"], 'is required: each service\'s pipeline builds from its own repository (kinds: "codestar", "codecommit", "github-oauth", "s3"), or from its folder of the shared source (services.<name>.folder)');
    }
    if (entry.database.enabled && c.network.natGateways === "none") {
      addIssue(ctx, [...at, "database", "enabled"], 'needs private subnets: set network.natGateways to "single" or "one-per-az" (with "none" there are none)');
    }
    checkDatabase(entry.database, ctx);
    const resolved = resolveService(c, name, entry, c.environments);
    checkEnvironment(c, resolved, at, ctx);
    checkBuildArchitecture(resolved.build.image, resolved.service.cpuArchitecture, ctx, at);
    c.environments.forEach((env, i) => {
      if (env.service || env.loadBalancer || env.deployment) checkEnvironment(c, resolved.environments[i], ["environments", i], ctx);
    });
  }
}

/** With HTTPS, a service's host must be one the environment's certificate covers: the stack requests one for domainName only. */
function checkHostsCovered(c: ConfigObject, services: Array<[string, NonNullable<ConfigObject["services"]>[string]]>, ctx: Issues): void {
  for (const env of c.environments.map((e) => resolveEnvironment(c, e))) {
    const lb = env.loadBalancer;
    if (!lb.domainName || lb.certificateArn) continue;
    for (const [name, entry] of services) {
      const host = entry.routing.hosts.find((h) => h !== lb.domainName);
      if (host) {
        addIssue(
          ctx,
          ["services", name, "routing", "hosts"],
          `"${host}" is not covered by the certificate the stack requests for ${env.name}'s ${lb.domainName}: give loadBalancer.certificateArn of a certificate that covers it (a wildcard or a name of its own), or route the service by path`,
        );
        return;
      }
    }
  }
}

/**
 * With GitHub Actions, each service's workflow runs in the service's own repository: its roles trust
 * that repository's jobs only. Jobs of one repository present the same OIDC subjects, so two services
 * sharing one could each assume the other's roles.
 */
function checkServiceRepositories(services: Array<[string, NonNullable<ConfigObject["services"]>[string]]>, ctx: Issues): void {
  const seen = new Map<string, string>();
  for (const [name, entry] of services) {
    const at = ["services", name];
    if (entry.folder) addIssue(ctx, [...at, "folder"], 'is for CodePipeline; with "github-actions" each service has its own repository (services.<name>.repository), whose jobs alone its roles trust');
    if (entry.source) addIssue(ctx, [...at, "source"], 'must be left out with delivery mode "github-actions": the workflow in the service\'s repository is the source');
    if (!entry.repository) {
      addIssue(ctx, [...at, "repository"], 'is required with delivery mode "github-actions": the service\'s own repository (owner/name), whose jobs alone its roles trust');
      continue;
    }
    const other = seen.get(entry.repository.toLowerCase());
    if (other) addIssue(ctx, [...at, "repository"], `"${entry.repository}" is also services.${other}'s; jobs of one repository present the same OIDC subjects, so each service needs its own`);
    seen.set(entry.repository.toLowerCase(), name);
  }
}

/** With services, the top-level source is the repository services share, each from its own folder: a CodeStar connection's. */
function checkSharedRepository(c: ConfigObject, services: Array<[string, NonNullable<ConfigObject["services"]>[string]]>, ctx: Issues): void {
  const inFolders = services.filter(([, entry]) => entry.folder);
  for (const [name, entry] of inFolders) {
    if (entry.source) addIssue(ctx, ["services", name, "source"], "and folder exclude each other: give the service its own repository (source) or its folder of the shared one (folder)");
  }
  if (!c.source) {
    if (inFolders.length) addIssue(ctx, ["services", inFolders[0][0], "folder"], 'needs the repository the services share: set source (kind "codestar")');
    return;
  }
  if (!inFolders.length) {
    addIssue(ctx, ["source"], "with services, is the repository services share by folder, but none names one (services.<name>.folder): give each service its own source instead");
  } else if (c.source.kind !== "codestar") {
    addIssue(
      ctx,
      ["source", "kind"],
      'must be "codestar" for services sharing a repository by folder: CodePipeline starts a pipeline on one folder\'s changes (a V2 trigger) only for a CodeStar connection source',
    );
  }
}

function checkEnvironment(c: ConfigObject, e: EnvironmentDefaults, at: Array<string | number>, ctx: Issues): void {
  checkLoadBalancer(e.loadBalancer, c.region, at, ctx);
  checkDeployment(e.deployment, at, ctx);
  checkSmokeTestReachesTestListener(c, e, at, ctx);
  checkService(e.service, at, ctx);
}

/** The smoke test calls the test listener from where the network sends it: that address must be admitted. */
function checkSmokeTestReachesTestListener(c: ConfigObject, e: EnvironmentDefaults, at: Array<string | number>, ctx: Issues): void {
  if (!e.deployment.smokeTest.enabled || e.loadBalancer.testAllowedCidrs.includes("0.0.0.0/0")) return;
  const existing = c.network.existing;
  if (existing && existing.natPublicIps.length === 0) {
    addIssue(
      ctx,
      [...at, "loadBalancer", "testAllowedCidrs"],
      'shuts out the smoke test: in an existing network it calls the test listener from the private subnets\' NAT addresses; list them in network.existing.natPublicIps, add "0.0.0.0/0", or set deployment.smokeTest.enabled to false',
    );
  }
  // Without NAT the smoke test runs outside the VPC, so it reaches the test listener from the internet.
  if (!existing && c.network.natGateways === "none") {
    addIssue(
      ctx,
      [...at, "loadBalancer", "testAllowedCidrs"],
      'shuts out the smoke test: with network.natGateways "none" it calls the test listener from the internet; add "0.0.0.0/0", use a NAT mode (it then calls from the NAT addresses), or set deployment.smokeTest.enabled to false',
    );
  }
}
