import { describe, expect, it } from "vitest";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { onlyResource, pipelineOf, resourcesOf, roleStatements, synth } from "./helpers";

const withDatabase = (database: Record<string, unknown> = {}) => synth({ database: { enabled: true, ...database } });

describe("database (RDS PostgreSQL)", () => {
  it("is off by default", () => {
    expect(synth().json).not.toHaveResource(DbInstance);
  });

  it("runs in the private subnets, not publicly accessible, encrypted, with a password RDS manages", () => {
    const s = withDatabase({ engineVersion: "16.4", instanceClass: "db.t4g.small", allocatedStorageGb: 30, backupRetentionDays: 14 });
    expect(s.json).toHaveResourceWithProperties(DbSubnetGroup, { subnet_ids: s.stack.network.privateSubnetIds.map((id) => s.ref(id)) });
    const db = onlyResource(s.tf, DbInstance.tfResourceType);
    expect(db).toMatchObject({
      engine: "postgres",
      engine_version: "16.4",
      instance_class: "db.t4g.small",
      allocated_storage: 30,
      backup_retention_period: 14,
      publicly_accessible: false,
      storage_encrypted: true,
      manage_master_user_password: true,
      port: 5432,
    });
    expect(db.password).toBeUndefined();
  });

  it("keeps deletion protection and a final snapshot by default, both settings", () => {
    expect(withDatabase().json).toHaveResourceWithProperties(DbInstance, {
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "bluegreen-demo-production-db-final",
    });
    const loose = onlyResource(withDatabase({ deletionProtection: false, finalSnapshot: false }).tf, DbInstance.tfResourceType);
    expect(loose).toMatchObject({ deletion_protection: false, skip_final_snapshot: true });
    expect(loose.final_snapshot_identifier).toBeUndefined();
  });

  it("chains the security groups: ALB ← listener ports, tasks ← ALB only, database ← tasks only on 5432", () => {
    const s = withDatabase();
    const env = s.stack.environments[0];
    const rulesOf = (sg: unknown) =>
      Object.values(resourcesOf(s.tf, VpcSecurityGroupIngressRule.tfResourceType))
        .filter((r) => r.security_group_id === s.ref(sg))
        .map((r) => ({ port: r.from_port, to: r.to_port, from: r.referenced_security_group_id ?? r.cidr_ipv4 }));
    expect(rulesOf(env.loadBalancer.securityGroup.id)).toEqual([
      { port: 80, to: 80, from: "0.0.0.0/0" },
      { port: 8080, to: 8080, from: "0.0.0.0/0" },
    ]);
    expect(rulesOf(env.service.securityGroup.id)).toEqual([{ port: 0, to: 65535, from: s.ref(env.loadBalancer.securityGroup.id) }]);
    expect(rulesOf(env.database!.securityGroup.id)).toEqual([{ port: 5432, to: 5432, from: s.ref(env.service.securityGroup.id) }]);
  });

  it("hands the credentials to the container as ECS secrets from RDS's secret, never as plain variables", () => {
    const s = withDatabase();
    const env = s.stack.environments[0];
    const containers = onlyResource(s.tf, EcsTaskDefinition.tfResourceType).container_definitions as string;
    const secretArn = String(s.ref(env.database!.secretArn)).slice(2, -1);
    expect(containers).toContain(
      `"secrets" = [{"name" = "DATABASE_USERNAME", "valueFrom" = format("%s:username::", ${secretArn})}, {"name" = "DATABASE_PASSWORD", "valueFrom" = format("%s:password::", ${secretArn})}]`,
    );
    expect(containers).toContain('"name" = "DATABASE_HOST"');
    expect(containers).not.toMatch(/"name" = "DATABASE_PASSWORD", "value"/);
    expect(env.service.environment.map((e) => e.name)).toEqual(["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME"]);
  });

  it("lets the execution role read exactly that secret", () => {
    const s = withDatabase();
    const env = s.stack.environments[0];
    const grants = roleStatements(s.tf, s.ref(env.service.executionRole.role.id) as string)
      .filter((st) => st.actions.includes("secretsmanager:GetSecretValue"))
      .flatMap((st) => st.resources);
    expect(grants).toEqual([s.ref(env.database!.secretArn)]);
  });

  it("gives each environment its own instance, reachable from its own tasks only", () => {
    const s = synth({ database: { enabled: true }, environments: [{ name: "staging" }, { name: "production" }] });
    expect(Object.values(resourcesOf(s.tf, DbInstance.tfResourceType)).map((d) => d.identifier).sort()).toEqual([
      "bluegreen-demo-production-db",
      "bluegreen-demo-staging-db",
    ]);
    for (const env of s.stack.environments) {
      const rule = Object.values(resourcesOf(s.tf, VpcSecurityGroupIngressRule.tfResourceType)).find(
        (r) => r.security_group_id === s.ref(env.database!.securityGroup.id),
      );
      expect(rule.referenced_security_group_id).toBe(s.ref(env.service.securityGroup.id));
    }
  });

  it("puts the secret references into each environment's rendered task definition", () => {
    const s = withDatabase();
    expect(s.ref(pipelineOf(s.stack).build.environmentValues.production.CONTAINER_SECRETS)).toMatch(/^\$\{jsonencode\(\[\{"name" = "DATABASE_USERNAME"/);
  });
});
