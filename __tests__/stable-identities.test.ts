import { describe, expect, it } from "vitest";
import { rawConfig, synthRaw, TerraformJson } from "./helpers";

/** Every resource of a synthesized stack by address ("type.name"), with its JSON. */
function resources(tf: TerraformJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const [type, byName] of Object.entries(tf.resource)) for (const [name, body] of Object.entries(byName)) out.set(`${type}.${name}`, JSON.stringify(body));
  return out;
}

/** What removing an item does to the stack: addresses gone, added, and kept but changed. */
function removal(before: Record<string, unknown>, after: Record<string, unknown>) {
  const was = resources(synthRaw(before).tf);
  const is = resources(synthRaw(after).tf);
  return {
    removed: [...was.keys()].filter((address) => !is.has(address)),
    added: [...is.keys()].filter((address) => !was.has(address)),
    changed: [...is.keys()].filter((address) => was.has(address) && was.get(address) !== is.get(address)),
    bodyOf: (address: string) => was.get(address) ?? "",
  };
}

const EXISTING = {
  vpcId: "vpc-0123456789abcdef0",
  publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b"],
  privateSubnetIds: ["subnet-0000000000000000c", "subnet-0000000000000000d"],
};
const existing = (natPublicIps: string[]) => ({
  ...rawConfig({ loadBalancer: { testAllowedCidrs: ["198.51.100.0/24"] } }),
  network: { existing: { ...EXISTING, natPublicIps } },
});
const emails = ["a@example.com", "b@example.com", "c@example.com"];
const cidrs = ["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24"];
const twoEnvironments = (approvalEmails: string[]) =>
  rawConfig({ environments: [{ name: "staging" }, { name: "production", approval: { notifyEmails: approvalEmails } }] });
const withHttps = (allowedCidrs: string[]) => rawConfig({ loadBalancer: { allowedCidrs, domainName: "shop.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" } });

/** Every list setting whose items become resources: the config with three items, and the resources per item. */
const LIST_SETTINGS: Array<{ setting: string; withItems: (items: string[]) => Record<string, unknown>; items: string[]; resourcesPerItem: number }> = [
  { setting: "notifications.emails", withItems: (items) => rawConfig({ notifications: { emails: items } }), items: emails, resourcesPerItem: 1 },
  { setting: "environments[].approval.notifyEmails", withItems: twoEnvironments, items: emails, resourcesPerItem: 1 },
  { setting: "loadBalancer.allowedCidrs", withItems: (items) => rawConfig({ loadBalancer: { allowedCidrs: items } }), items: cidrs, resourcesPerItem: 1 },
  { setting: "loadBalancer.allowedCidrs (with HTTPS: the HTTP and HTTPS ports)", withItems: withHttps, items: cidrs, resourcesPerItem: 2 },
  { setting: "loadBalancer.testAllowedCidrs", withItems: (items) => rawConfig({ loadBalancer: { testAllowedCidrs: items } }), items: cidrs, resourcesPerItem: 1 },
  { setting: "network.existing.natPublicIps (admitted to a narrowed test listener)", withItems: existing, items: ["203.0.113.10", "203.0.113.11", "203.0.113.12"], resourcesPerItem: 1 },
];

describe("resources made from list items are keyed by value", () => {
  for (const { setting, withItems, items, resourcesPerItem } of LIST_SETTINGS) {
    it(`removing the first item of ${setting} deletes only that item's resources`, () => {
      const r = removal(withItems(items), withItems(items.slice(1)));
      expect(r.removed).toHaveLength(resourcesPerItem);
      for (const address of r.removed) expect(r.bodyOf(address)).toContain(items[0]);
      expect(r.added).toEqual([]);
      expect(r.changed).toEqual([]);
    });
  }

  it("removing the first environment deletes only its resources; the other's stay as they were", () => {
    const both = rawConfig({ environments: [{ name: "staging" }, { name: "production" }] });
    const r = removal(both, rawConfig({ environments: [{ name: "production" }] }));
    expect(r.removed.length).toBeGreaterThan(20);
    for (const address of r.removed) expect(address.split(".")[1]).toMatch(/^staging_/);
    expect(r.added).toEqual([]);
    // What serves both environments changes in place: the pipeline's stages, the build's environments,
    // the grants naming both environments' resources, and the release topic's publishers.
    for (const address of r.changed) expect(address).toMatch(/^aws_(codepipeline|codebuild_project|iam_role_policy|sns_topic_policy)\.|^data\./);
    expect(r.changed.filter((address) => address.split(".")[1].startsWith("production_"))).toEqual([]);
  });

  it("removing the first user alarm or smoke-test path deletes no resource", () => {
    for (const [before, after] of [
      [{ deployment: { alarmNames: ["one", "two"] } }, { deployment: { alarmNames: ["two"] } }],
      [{ deployment: { smokeTest: { paths: ["/a", "/b"] } } }, { deployment: { smokeTest: { paths: ["/b"] } } }],
    ]) {
      const r = removal(rawConfig(before), rawConfig(after));
      expect(r.removed).toEqual([]);
      expect(r.added).toEqual([]);
    }
  });

  it("moves each item's resource from the positional address earlier releases gave it, so an upgrade replaces nothing", () => {
    const tf = synthRaw(rawConfig({ notifications: { emails } })).tf as TerraformJson & { moved: Array<{ from: string; to: string }> };
    const subscriptions = Object.keys(tf.resource.aws_sns_topic_subscription);
    const moves = tf.moved.filter((m) => m.from.startsWith("aws_sns_topic_subscription."));
    expect(moves.map((m) => m.from.replace(/_[0-9A-F]{8}$/, ""))).toEqual([0, 1, 2].map((i) => `aws_sns_topic_subscription.release-notifications_email-${i}`));
    expect(moves.map((m) => m.to)).toEqual(subscriptions.map((name) => `aws_sns_topic_subscription.${name}`));
  });
});
