import { describe, expect, it } from "vitest";
import { cidrContains, cidrsOverlap, isCidr } from "../src/network/cidr";
import { physicalName } from "../src/core/naming";

describe("physicalName", () => {
  it("joins app name and suffix when it fits", () => {
    expect(physicalName("targetGroup", "shop", "blue")).toBe("shop-blue");
  });

  it("truncates long names to the limit, keeps the suffix, and adds a hash so they stay unique", () => {
    const a = physicalName("targetGroup", "payments-reconciliation-service-eu", "green");
    const b = physicalName("targetGroup", "payments-reconciliation-service-us", "green");
    expect(a).toHaveLength(32);
    expect(a.endsWith("-green")).toBe(true);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9-]+$/);
  });

  it("never leaves a trailing or doubled hyphen where it cut", () => {
    const name = physicalName("targetGroup", "abcdefghijklmnopqrs-tuvwxyz-0123456789", "blue");
    expect(name.length).toBeLessThanOrEqual(32);
    expect(name).not.toMatch(/--/);
  });

  it("is deterministic, so a re-synth never renames (and so replaces) a resource", () => {
    expect(physicalName("loadBalancer", "a".repeat(60), "alb")).toBe(physicalName("loadBalancer", "a".repeat(60), "alb"));
  });

  it("keeps RDS identifiers to AWS's character rules: no doubled or trailing hyphen, even where it cuts", () => {
    expect(physicalName("rdsInstance", "my--app-production", "db")).toBe("my-app-production-db");
    const cut = physicalName("rdsInstance", `a${"-b".repeat(40)}`, "db");
    expect(cut.length).toBeLessThanOrEqual(63);
    expect(cut).toMatch(/^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/);
  });
});

describe("cidr", () => {
  it("accepts canonical blocks only", () => {
    expect(isCidr("10.0.0.0/16")).toBe(true);
    expect(isCidr("10.0.0.1/16")).toBe(false);
    expect(isCidr("10.0.0.0/33")).toBe(false);
    expect(isCidr("300.0.0.0/8")).toBe(false);
    expect(isCidr("10.0.0.0")).toBe(false);
  });

  it("tells containment and overlap", () => {
    expect(cidrContains("10.0.0.0/16", "10.0.255.0/24")).toBe(true);
    expect(cidrContains("10.0.0.0/16", "10.1.0.0/24")).toBe(false);
    expect(cidrContains("10.0.0.0/24", "10.0.0.0/16")).toBe(false);
    expect(cidrsOverlap("10.0.0.0/24", "10.0.0.128/25")).toBe(true);
    expect(cidrsOverlap("10.0.0.0/25", "10.0.0.128/25")).toBe(false);
  });
});
