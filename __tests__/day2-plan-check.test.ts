import { describe, expect, it } from "vitest";
import { unsafeChanges } from "../scripts/e2e-day2";

/** The day-2 tier's reading of a plan (scripts/e2e-day2.ts), on plans it must reject and one it must pass. */
describe("day-2 plan check", () => {
  const change = (type: string, actions: string[], before: Record<string, unknown> | null = {}, after: Record<string, unknown> | null = {}) => ({
    address: `${type}.x`,
    type,
    change: { actions, before, after },
  });

  it("rejects replacing a target group a listener uses, and deleting a subnet", () => {
    expect(unsafeChanges([change("aws_lb_target_group", ["delete", "create"]), change("aws_subnet", ["delete"])])).toEqual([
      "aws_lb_target_group.x: delete+create of a resource in use",
      "aws_subnet.x: delete of a resource in use",
    ]);
  });

  it("rejects an in-place service update AWS refuses under CODE_DEPLOY (network configuration)", () => {
    const problems = unsafeChanges([
      change("aws_ecs_service", ["update"], { network_configuration: [{ subnets: ["a"] }], desired_count: 1 }, { network_configuration: [{ subnets: ["b"] }], desired_count: 1 }),
    ]);
    expect(problems).toEqual(["aws_ecs_service.x: updates network_configuration, which AWS refuses on a CODE_DEPLOY service"]);
  });

  it("passes what AWS allows: desired count on the service, a new task definition revision, a security group rule", () => {
    expect(
      unsafeChanges([
        change("aws_ecs_service", ["update"], { desired_count: 1, tags: {} }, { desired_count: 2, tags: {} }),
        change("aws_ecs_task_definition", ["delete", "create"]),
        change("aws_vpc_security_group_ingress_rule", ["delete", "create"]),
      ]),
    ).toEqual([]);
  });
});
