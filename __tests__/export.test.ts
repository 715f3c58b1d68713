import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exactShapeLocal, exportedStatePath, preconditionBlocks, unquoteReferences } from "../scripts/export";

/** Runs `npm run export -- <dir>` as a user would (through tsx), with extra environment. */
function exportTo(dir: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/export.ts", dir], { env: { ...process.env, CONFIG: "config/default.json", ...env }, encoding: "utf8" });
}

describe("npm run export", () => {
  it("writes main.tf and the function's zip, with relative paths only and no quoted references", () => {
    const work = mkdtempSync(join(tmpdir(), "export-"));
    try {
      const run = exportTo(join(work, "infra"));
      expect(run.status, run.stderr).toBe(0);
      const main = readFileSync(join(work, "infra", "main.tf"), "utf8");
      expect(main).not.toContain(process.cwd());
      expect(main).toMatch(/backend "local" \{\s+path = "terraform\.bluegreen-demo\.tfstate"/);
      expect(main).toContain('file("terraform.bluegreen-demo.tfstate")');
      expect(main).not.toMatch(/depends_on = \[\s*"/);
      expect(main).not.toMatch(/ignore_changes = \[\s*"/);
      expect(main).toMatch(/lifecycle \{\s+precondition \{\s+condition\s+=/);
      const zip = /filename\s+= "(assets\/[^"]+\.zip)"/.exec(main)![1];
      expect(existsSync(join(work, "infra", zip))).toBe(true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses bad input with synth's one line, and a non-empty folder, writing nothing", () => {
    const work = mkdtempSync(join(tmpdir(), "export-bad-"));
    try {
      const bad = exportTo(join(work, "infra"), { CONFIG__loadBalancer__hostedZoneId: "example.com" });
      expect(bad.status).toBe(1);
      expect(bad.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Invalid config: loadBalancer\.hostedZoneId: must be a Route 53 hosted zone id/)]);
      expect(readdirSync(work)).toEqual([]);
      mkdirSync(join(work, "taken"));
      writeFileSync(join(work, "taken", "keep.tf"), "# mine\n");
      const taken = exportTo(join(work, "taken"));
      expect(taken.status).toBe(1);
      expect(taken.stderr.trim()).toMatch(/^export: .*taken exists and is not empty; give a new or empty folder$/);
      expect(readdirSync(join(work, "taken"))).toEqual(["keep.tf"]);
      const none = spawnSync(process.execPath, ["--import", "tsx", "scripts/export.ts"], { encoding: "utf8" });
      expect(none.status).toBe(1);
      expect(none.stderr.trim()).toBe("export: give the folder to write, e.g. npm run export -- ../infra");
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);

  it("fixes what cdktf's HCL rendering gets wrong: quoted references, precondition lists, numeric-looking strings", () => {
    expect(unquoteReferences('  depends_on = [\n    "aws_lb.a_1",\n  ]\n  ignore_changes = [\n    "default_action",\n  ]')).toBe(
      "  depends_on = [\n    aws_lb.a_1,\n  ]\n  ignore_changes = [\n    default_action,\n  ]",
    );
    expect(preconditionBlocks("  lifecycle {\n    precondition = [\n      {\n        condition = true\n      },\n      {\n        condition = false\n      },\n    ]\n  }")).toBe(
      "  lifecycle {\n      precondition {\n        condition = true\n      }\n      precondition {\n        condition = false\n      }\n  }",
    );
    expect(exactShapeLocal('locals {\n  running_stack_shape = {\n    major = 16\n  }\n  other = 1\n}', { major: "16", note: "${x}" })).toBe(
      'locals {\n  running_stack_shape = {"major":"16","note":"$${x}"}\n  other = 1\n}',
    );
    expect(exportedStatePath("shop", undefined)).toBe("terraform.shop.tfstate");
    expect(exportedStatePath("shop", "/home/me/state.tfstate")).toBe("terraform.shop.tfstate");
    expect(exportedStatePath("shop", "state/shop.tfstate")).toBe("state/shop.tfstate");
  });
});
