import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config";
import { rawConfig, synthFile, synthRaw } from "./helpers";

/** Every setting path of a config in which every optional block is present. */
function leafPaths(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  if (prefix === "tags" || prefix === "service.environment") return [prefix]; // free-form maps
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe("README", () => {
  const readme = readFileSync("README.md", "utf8");
  const tableRows = readme.split("\n").filter((l) => l.startsWith("| `"));

  it("says for every setting how a change reaches a running stack", () => {
    const lines = readme.split("\n");
    const header = lines.indexOf("| setting | type | default | description | on a running stack |");
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 2).filter((_, i, all) => all.slice(0, i + 1).every((l) => l.startsWith("| `")));
    expect(rows.length).toBeGreaterThan(80);
    for (const row of rows) {
      const cells = row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      expect(cells.length, row).toBe(5);
      expect(cells[4], row).toMatch(/applies now|next deployment|maintenance window|refused|append|state|planning only|rename|top-level|–/);
    }
  });

  it("documents every setting of the schema in the config reference", () => {
    const full = parseConfig(
      rawConfig({
        stateBackend: { bucket: "state-bucket", key: "k", region: "eu-west-1" },
        service: { autoScaling: { minCapacity: 1, maxCapacity: 2 } },
        source: {
          kind: "codestar",
          repositoryId: "a/b",
          connectionArn: "arn:aws:codestar-connections:eu-central-1:123456789012:connection/abc",
        },
      }),
    );
    const sources = [
      { kind: "codestar", repositoryId: "a/b", connectionArn: "arn:aws:codestar-connections:eu-central-1:123456789012:connection/abc", fullClone: true },
      { kind: "codecommit", repositoryName: "app" },
      { kind: "github-oauth", owner: "o", repo: "r", tokenSecretName: "gh-token" },
      { kind: "s3", bucketName: "my-source-bucket" },
    ];
    const paths = [
      ...new Set([
        ...leafPaths(full),
        ...sources.flatMap((source) => leafPaths({ source: parseConfig({ ...rawConfig(), source }).source })),
        ...leafPaths({
          delivery: parseConfig(
            rawConfig({
              source: undefined,
              delivery: { mode: "github-actions", repository: "o/r", githubEnvironment: "prod", subjectPattern: "repo:o/r:*", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
            }),
          ).delivery,
        }),
      ]),
    ];
    expect(paths.length).toBeGreaterThan(50);
    for (const path of paths) {
      const parent = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
      const leaf = path.slice(path.lastIndexOf(".") + 1);
      const documented = tableRows.some(
        (row) =>
          row.includes(`\`${path}\``) || (parent !== "" && row.includes(`\`${parent}.`) && row.includes(`.${leaf}\``)),
      );
      expect(documented, `README config table lacks ${path}`).toBe(true);
    }
  });
});

describe("README's Outputs", () => {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("## Outputs\n"), readme.indexOf("## IAM\n"));
  const rows = section.split("\n").filter((l) => l.startsWith("| `"));
  /** Every output name a row documents, as a pattern: `<environment>_url` matches production_url. */
  const documented = rows.flatMap((row) =>
    [...row.split(" | ")[0].matchAll(/`([a-z_<>]+)`/g)].map((m) => ({ name: m[1], pattern: new RegExp(`^${m[1].replace("<environment>", "[a-z][a-z0-9-]*")}$`) })),
  );
  const CONFIGS = [
    "config/default.json",
    ...readdirSync("examples")
      .filter((f) => f.endsWith(".json"))
      .map((f) => `examples/${f}`),
  ];
  const outputs = new Map(CONFIGS.map((path) => [path, { stack: synthFile(path).stack, names: Object.keys(synthFile(path).tf.output ?? {}) }]));

  it("documents every output of every example, and no output none of them has", () => {
    expect(rows.length).toBeGreaterThan(15);
    const seen = new Set<string>();
    for (const [path, { stack, names }] of outputs) {
      const services = stack.services.map((s) => s.name);
      for (const name of names) {
        // With services, a service's outputs carry its name first.
        const service = services.find((s) => name.startsWith(`${s}_`));
        const unprefixed = service ? name.slice(service.length + 1) : name;
        // A name documented as it is before a pattern that also fits it (test_url, not <environment>_url).
        const row = documented.find((d) => d.name === unprefixed) ?? documented.find((d) => d.pattern.test(unprefixed));
        expect(row, `${path}: output ${name} is not in README's Outputs`).toBeDefined();
        seen.add(row!.name);
      }
    }
    expect(documented.map((d) => d.name).filter((n) => !seen.has(n)), "rows no example synthesizes").toEqual([]);
  });
});

describe("README's Deploy for real", () => {
  it("gives a settings file that synthesizes as written", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = readme.slice(readme.indexOf("## Deploy for real\n"), readme.indexOf("### Team state in S3"));
    const block = /```json\n([\s\S]*?)```/.exec(section);
    expect(block, "no JSON settings file in Deploy for real").not.toBeNull();
    const raw = JSON.parse(block![1].replace(/^ {3}/gm, ""));
    const s = synthRaw(raw);
    expect(s.stack.environments.map((e) => e.name)).toEqual(["production"]);
    expect(Object.keys(s.tf.output)).toContain("connection_activation_url");
  });
});

describe("README's order", () => {
  it("starts with what the reader needs: what it builds, set-up, a try without AWS, a real deploy; the reference and development last", () => {
    const readme = readFileSync("README.md", "utf8");
    const at = (heading: string) => {
      const i = readme.indexOf(`\n## ${heading}\n`);
      expect(i, `no section "${heading}"`).toBeGreaterThan(0);
      return i;
    };
    const order = ["What it builds", "Set up", "Try it without an AWS account", "Deploy for real", "Run your own application", "Configuration", "Outputs", "IAM", "Development and testing", "Layout"];
    const positions = order.map(at);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // moto's internals (its corrections) belong to development, after every section a user reads first.
    expect(readme.indexOf("| correction | moto fault |")).toBeGreaterThan(at("Development and testing"));
  });
});

describe("the documents' synth command", () => {
  // `npx cdktf synth` takes seconds longer and calls HashiCorp's checkpoint service (an error offline).
  it("is npm run synth in every document, never npx cdktf synth", () => {
    const documents = ["README.md", "examples/README.md", "app-repo-sample/README.md"];
    for (const document of documents) expect(readFileSync(document, "utf8"), document).not.toMatch(/npx cdktf synth/);
    expect(readFileSync("README.md", "utf8")).toContain("npm run synth");
  });
});
