import { z } from "zod";
import { addIssue, Issues, withDefaults } from "../core/schema-fields";

/** Defaults of the `database` section (maxAllocatedStorageGb has none: no storage autoscaling). */
export const DATABASE_DEFAULTS = {
  enabled: false,
  engineVersion: "16",
  instanceClass: "db.t4g.micro",
  allocatedStorageGb: 20,
  backupRetentionDays: 7,
  databaseName: "app",
  username: "app_admin",
  multiAz: false,
  deletionProtection: true,
  finalSnapshot: true,
};

const databaseFields = {
  /** A PostgreSQL instance per environment, reachable from that environment's tasks only. */
  enabled: z.boolean(),
  /** Major ("16") or full ("16.4") PostgreSQL version. */
  engineVersion: z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a PostgreSQL version such as "16" or "16.4"' }),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be an RDS instance class such as db.t4g.micro" }),
  allocatedStorageGb: z.number().int().min(20).max(65536),
  /** Storage autoscaling ceiling; none when absent. */
  maxAllocatedStorageGb: z.number().int().min(21).max(65536),
  backupRetentionDays: z.number().int().min(0).max(35),
  databaseName: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/),
  /** Master user; RDS generates its password and keeps it in Secrets Manager. */
  username: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/),
  multiAz: z.boolean(),
  deletionProtection: z.boolean(),
  /** Take a final snapshot when the instance is destroyed. */
  finalSnapshot: z.boolean(),
  /** Rejected: RDS generates and rotates the password; it never belongs in the config. */
  password: z.unknown().refine((v) => v === undefined, {
    message: "must not be given: RDS generates the master password and keeps it in Secrets Manager; the tasks receive it as an ECS secret",
  }),
};

export const databaseSchema = z.strictObject(withDefaults(databaseFields, DATABASE_DEFAULTS)).prefault({});
export type DatabaseSettings = z.output<typeof databaseSchema>;

export function checkDatabase(database: DatabaseSettings, ctx: Issues): void {
  if (database.maxAllocatedStorageGb !== undefined && database.maxAllocatedStorageGb <= database.allocatedStorageGb) {
    addIssue(ctx, ["database", "maxAllocatedStorageGb"], "must exceed allocatedStorageGb");
  }
}
