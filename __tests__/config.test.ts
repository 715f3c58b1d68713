import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyEnvOverrides, ConfigError, loadConfig, parseConfig } from "../src/config";
import { configErrorFor as errorFor, configErrorForRaw, DEFAULT_CONFIG_RAW, rawConfig } from "./helpers";

describe("config", () => {
  it("the committed default config is valid and resolves documented defaults", () => {
    const c = loadConfig({});
    expect(c.appName).toBe("bluegreen-demo");
    expect(c.sandbox).toBe(false);
    expect(c.loadBalancer).toMatchObject({ productionPort: 80, testPort: 8080, healthCheckPath: "/", deregistrationDelaySeconds: 30 });
    expect(c.deployment).toEqual({
      deploymentConfigName: "CodeDeployDefault.ECSAllAtOnce",
      trafficReroute: "automatic",
      rerouteWaitMinutes: 60,
      terminationWaitMinutes: 5,
      smokeTest: { enabled: true, timeBudgetSeconds: 60, attempts: 3, tracing: true, paths: ["/health"] },
      alarms: {
        enabled: true,
        periodSeconds: 60,
        evaluationPeriods: 2,
        target5xxCount: 5,
        unhealthyHosts: 1,
        responseTimeSeconds: 2,
        responseTimePercentile: "p99",
      },
      alarmNames: [],
      hooks: {},
    });
    expect(c.notifications).toEqual({ emails: [] });
    expect(c.network.natGateways).toBe("single");
    expect(c.artifacts.forceDestroy).toBe(false);
  });

  it("keeps an explicit 0 instead of replacing it with a default", () => {
    const c = parseConfig(rawConfig({ service: { desiredCount: 0 }, deployment: { terminationWaitMinutes: 0 } }));
    expect(c.service.desiredCount).toBe(0);
    expect(c.deployment.terminationWaitMinutes).toBe(0);
  });

  it("CONFIG selects the file and CONFIG__a__b overrides one setting, parsed as JSON when it parses", () => {
    const c = loadConfig({
      CONFIG: "config/default.json",
      CONFIG__sandbox: "true",
      CONFIG__service__desiredCount: "3",
      CONFIG__source__branchName: "develop",
    });
    expect(c.sandbox).toBe(true);
    expect(c.service.desiredCount).toBe(3);
    expect(c.source).toMatchObject({ kind: "codestar", branchName: "develop" });
  });

  it("CONFIG__a=null removes a setting (switching to GitHub Actions delivery drops the source)", () => {
    const c = loadConfig({
      CONFIG: "config/default.json",
      CONFIG__delivery: '{"mode":"github-actions","repository":"my-org/shop"}',
      CONFIG__source: "null",
    });
    expect(c.source).toBeUndefined();
    expect(c.delivery.mode).toBe("github-actions");
  });

  it("overrides never mutate the parsed file", () => {
    const raw = structuredClone(DEFAULT_CONFIG_RAW);
    applyEnvOverrides(raw, { CONFIG__appName: "other" });
    expect(raw).toEqual(DEFAULT_CONFIG_RAW);
  });

  it("a missing config file is one clear error", () => {
    expect(() => loadConfig({ CONFIG: "nope/missing.json" })).toThrow(/Cannot read config file nope\/missing\.json/);
  });

  it("never repeats a database password given in the config", () => {
    expect(() => parseConfig(rawConfig({ database: { password: "hunter2hunter2" } }))).toThrow(/^(?!.*hunter2).*$/);
  });

  it("never repeats a token given in the config in its error message", () => {
    const token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
    for (const source of [
      { kind: "github-oauth", owner: "o", repo: "r", oauthToken: token },
      { kind: "github-oauth", owner: "o", repo: "r", tokenSecretName: token },
    ]) {
      expect(() => parseConfig(rawConfig({ source }))).toThrow(ConfigError);
      try {
        parseConfig(rawConfig({ source }));
      } catch (err) {
        expect((err as Error).message).not.toContain(token);
      }
    }
  });

  describe("rejects bad input with a message naming the field and what is allowed", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["missing repository id", { source: { kind: "codestar", repositoryId: undefined } }, /source\.repositoryId: is required/],
      ["malformed repository id", { source: { kind: "codestar", repositoryId: "just-a-name" } }, /source\.repositoryId: must be owner\/name/],
      [
        "unknown source kind",
        { source: { kind: "svn", repositoryId: "a/b" } },
        /^Invalid config: source\.kind: unknown source kind; allowed: "codestar", "codecommit", "github-oauth", "s3" \(got "svn"\)$/,
      ],
      ["a connection without a repository id", { source: { kind: "codestar", connectionArn: "arn:aws:codestar-connections:eu-central-1:123456789012:connection/abc" } }, /source\.repositoryId: is required/],
      [
        "an approval before the first environment",
        { environments: [{ name: "staging", approval: {} }, { name: "production" }] },
        /environments\.0\.approval: an approval can only come before a later environment/,
      ],
      ["duplicate environment names", { environments: [{ name: "prod" }, { name: "prod" }] }, /environments\.1\.name: "prod" is used twice/],
      [
        "a GitHub token written into the config",
        { source: { kind: "github-oauth", owner: "o", repo: "r", oauthToken: "ghp_abcdefghijklmnopqrstuvwxyz0123456789" } },
        /^Invalid config: source\.oauthToken: a token must not be written in the config; store it in Secrets Manager \(tokenSecretName\) or as an SSM SecureString parameter \(tokenParameterName\)/,
      ],
      [
        "a token given where the secret's name belongs",
        { source: { kind: "github-oauth", owner: "o", repo: "r", tokenSecretName: "ghp_abcdefghijklmnopqrstuvwxyz0123456789" } },
        /source\.tokenSecretName: looks like a token itself/,
      ],
      ["github-oauth without a token name", { source: { kind: "github-oauth", owner: "o", repo: "r" } }, /source\.tokenSecretName: name exactly one of tokenSecretName \(Secrets Manager\) or tokenParameterName \(SSM\)/],
      [
        "an environment override with an invalid Fargate size",
        { environments: [{ name: "staging" }, { name: "production", service: { cpu: 1024, memory: 512 } }] },
        /environments\.1\.service\.memory: 512 MiB is not allowed with 1024 CPU units/,
      ],
      ["a setting environments cannot override", { environments: [{ name: "production", service: { containerName: "x" } }] }, /environments\.0\.service\.containerName: is not a known setting/],
      ["an approval e-mail that is not one", { environments: [{ name: "a" }, { name: "b", approval: { notifyEmails: ["not-mail"] } }] }, /environments\.1\.approval\.notifyEmails\.0: /],
      [
        "an OIDC subject pattern that is a bare *",
        { source: undefined, delivery: { mode: "github-actions", repository: "o/r", subjectPattern: "*" } },
        /delivery\.subjectPattern: a bare "\*" would let every GitHub repository assume the role/,
      ],
      ["a pipeline source with GitHub Actions delivery", { delivery: { mode: "github-actions", repository: "o/r" } }, /^Invalid config: source: must be left out with delivery mode "github-actions"/],
      ["CodePipeline delivery without a source", { source: undefined }, /^Invalid config: source: is required with delivery mode "codepipeline"/],
      [
        "an approval's e-mails with GitHub Actions delivery (its reviewers are the GitHub environment's)",
        { source: undefined, delivery: { mode: "github-actions", repository: "o/r" }, environments: [{ name: "a" }, { name: "b", approval: { notifyEmails: ["qa@example.com"] } }] },
        /environments\.1\.approval: with "github-actions" is the GitHub environment's required reviewers .*give it as \{\}/,
      ],
      [
        "two environments deploying in one GitHub environment",
        { source: undefined, delivery: { mode: "github-actions", repository: "o/r", githubEnvironment: "Staging" }, environments: [{ name: "staging" }, { name: "production" }] },
        /environments\.1\.githubEnvironment: "staging" is also environment staging's GitHub environment/,
      ],
      ["a GitHub environment with CodePipeline delivery", { environments: [{ name: "production", githubEnvironment: "prod" }] }, /environments\.0\.githubEnvironment: is only used with delivery mode "github-actions"/],
      ["an unknown delivery mode", { delivery: { mode: "jenkins" } }, /delivery\.mode: unknown delivery mode; allowed: "codepipeline", "github-actions"/],
      [
        "a database with no private subnets",
        { network: { natGateways: "none" }, database: { enabled: true } },
        /database\.enabled: needs private subnets: set network\.natGateways to "single" or "one-per-az"/,
      ],
      ["a database password in the config", { database: { enabled: true, password: "hunter2hunter2" } }, /^Invalid config: database\.password: must not be given: RDS generates the master password/],
      ["an invalid instance class", { database: { instanceClass: "t3.micro" } }, /database\.instanceClass: must be an RDS instance class/],
      [
        "a KMS key from another region",
        { encryption: { customerManagedKey: "existing", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" } },
        /encryption\.kmsKeyArn: is in us-east-1, but the stack is in eu-central-1: KMS keys are regional/,
      ],
      ["an existing key without its ARN", { encryption: { customerManagedKey: "existing" } }, /encryption\.kmsKeyArn: is required with customerManagedKey "existing"/],
      ["an invalid environment name", { environments: [{ name: "Prod" }] }, /environments\.0\.name: must be 1-20 lowercase letters/],
      [
        "unknown deployment config",
        { deployment: { deploymentConfigName: "CodeDeployDefault.AllAtOnce" } },
        /deployment\.deploymentConfigName: must be one of .*CodeDeployDefault\.ECSAllAtOnce.*\(got "CodeDeployDefault\.AllAtOnce"\)/,
      ],
      ["a subnet outside the VPC", { network: { vpcCidr: "10.1.0.0/16" } }, /network\.publicSubnetCidrs\.0: 10\.0\.0\.0\/24 does not fit in vpcCidr 10\.1\.0\.0\/16/],
      ["a malformed CIDR", { network: { vpcCidr: "10.0.0.1/16" } }, /network\.vpcCidr: must be an IPv4 CIDR block/],
      ["overlapping subnets", { network: { privateSubnetCidrs: ["10.0.0.0/24", "10.0.11.0/24"] } }, /network\.privateSubnetCidrs\.0: 10\.0\.0\.0\/24 overlaps 10\.0\.0\.0\/24/],
      [
        "more AZs than subnets",
        { availabilityZones: ["eu-central-1a", "eu-central-1b", "eu-central-1c"] },
        /network\.publicSubnetCidrs: has 2 subnets for 3 availability zones/,
      ],
      ["a single AZ", { availabilityZones: ["eu-central-1a"] }, /availabilityZones: must list at least 2/],
      ["an AZ from another region", { availabilityZones: ["eu-central-1a", "us-east-1b"] }, /availabilityZones: "us-east-1b" is not in region eu-central-1/],
      ["a port out of range", { service: { containerPort: 70000 } }, /service\.containerPort: must be at most 65535 \(got 70000\)/],
      ["port 0", { loadBalancer: { testPort: 0 } }, /loadBalancer\.testPort: must be at least 1/],
      ["test port equal to production port", { loadBalancer: { testPort: 80 } }, /loadBalancer\.testPort: must differ from productionPort/],
      ["an invalid Fargate size", { service: { cpu: 256, memory: 4096 } }, /service\.memory: 4096 MiB is not allowed with 256 CPU units; allowed: 512-2048/],
      ["an unknown setting", { servce: { desiredCount: 2 } }, /servce: is not a known setting/],
      ["an unknown nested setting", { service: { desiredCont: 2 } }, /service\.desiredCont: is not a known setting/],
      ["an invalid app name", { appName: "My_App" }, /appName: must be 2-64 characters of lowercase letters/],
      ["an invalid log retention", { service: { logRetentionDays: 10 } }, /service\.logRetentionDays: must be one of 1, 3, 5, 7, 14/],
      ["autoscaling min above max", { service: { autoScaling: { minCapacity: 5, maxCapacity: 2 } } }, /service\.autoScaling\.minCapacity: must not exceed maxCapacity/],
      ["a bad NAT mode", { network: { natGateways: "two" } }, /network\.natGateways: must be one of "one-per-az", "single", "none"/],
    ];
    it.each(cases)("%s", (_name, overrides, message) => {
      const text = errorFor(overrides);
      expect(text).toMatch(message);
      expect(text.split("\n")).toHaveLength(1);
    });
  });
});

describe("a section that failed its own checks", () => {
  // The rules across sections used to run on it anyway, and crashed (TypeError in checkNetwork).
  it.each([
    [{ vpcCidr: "10.0.0.0/33" }, /^Invalid config: network\.vpcCidr: must be an IPv4 CIDR block/],
    [{ flowLogs: { retentionDays: 7.5 } }, /^Invalid config: network\.flowLogs\.retentionDays: /],
    [{ publicSubnetCidrs: ["10.0.0.0/24", "10.0.300.0/24"] }, /^Invalid config: network\.publicSubnetCidrs\.1: must be an IPv4 CIDR block/],
  ])("network %j is refused with one line naming the field", (network, message) => {
    // The shipped default config with its network section replaced (not merged) by the bad one.
    const error = configErrorForRaw({ ...JSON.parse(readFileSync("config/default.json", "utf8")), network });
    expect(error).toMatch(message);
    expect(error.split("\n")).toHaveLength(1);
  });
});

describe("$schema", () => {
  it("is accepted at the top of a settings file (an editor's JSON Schema) and changes nothing", () => {
    const plain = parseConfig(rawConfig());
    const withSchema = parseConfig({ ...rawConfig(), $schema: "./config.schema.json" });
    expect({ ...withSchema, $schema: undefined }).toEqual({ ...plain, $schema: undefined });
    expect(() => parseConfig({ ...rawConfig(), network: { ...(rawConfig().network as object), $schema: "x" } })).toThrow(/network\.\$schema: is not a known setting/);
  });
});

describe("an unknown setting", () => {
  it("names the closest known one when there is one, at any depth", () => {
    expect(errorFor({ service: { desiredCont: 2 } })).toBe("Invalid config: service.desiredCont: is not a known setting (did you mean service.desiredCount?)");
    expect(errorFor({ network: { natGateway: "single" } })).toBe("Invalid config: network.natGateway: is not a known setting (did you mean network.natGateways?)");
    expect(errorFor({ environments: [{ name: "production", loadBalancr: {} }] })).toMatch(/^Invalid config: environments\.0\.loadBalancr: is not a known setting \(did you mean environments\.0\.loadBalancer\?\)$/);
    expect(errorFor({ appNam: "x" })).toMatch(/appNam: is not a known setting \(did you mean appName\?\)/);
  });

  it("points to the reference when nothing is close", () => {
    expect(errorFor({ service: { zzzzzzzzzz: 1 } })).toBe("Invalid config: service.zzzzzzzzzz: is not a known setting (check the spelling against the README's config reference)");
  });
});

describe("a value of the wrong type", () => {
  it("says what is allowed there: the range of a number, the values of a choice, true or false", () => {
    expect(errorFor({ service: { desiredCount: "2" } })).toMatch(/^Invalid config: service\.desiredCount: must be a whole number (from \d+ to \d+|of at least \d+) \(got "2"\)$/);
    expect(errorFor({ network: { natGateways: 1 } })).toBe('Invalid config: network.natGateways: must be one of "one-per-az", "single", "none" (got 1)');
    expect(errorFor({ accessLogs: { enabled: "yes" } })).toBe('Invalid config: accessLogs.enabled: must be true or false (got "yes")');
  });
});
