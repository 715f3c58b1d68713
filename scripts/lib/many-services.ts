import { readFileSync } from "node:fs";

/**
 * The default config with `count` services (svc1…svcN, each on /svcN/* with its own CodeCommit
 * repository) in staging and production: the scale the bench times and the terraform tier plans.
 */
export function manyServicesConfig(count: number): Record<string, unknown> {
  const config = JSON.parse(readFileSync("config/default.json", "utf8"));
  delete config.source;
  config.environments = [{ name: "staging" }, { name: "production" }];
  config.services = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `svc${i + 1}`,
      { routing: { paths: [`/svc${i + 1}/*`], priority: i + 1 }, source: { kind: "codecommit", repositoryName: `${config.appName}-svc${i + 1}` } },
    ]),
  );
  return config;
}
