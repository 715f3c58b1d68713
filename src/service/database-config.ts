import { z } from "zod";
import { addIssue, Issues, logRetention, withDefaults } from "../core/schema-fields";

/** What RDS for PostgreSQL can export to CloudWatch Logs. */
export const POSTGRES_LOG_EXPORTS = ["postgresql", "upgrade", "iam-db-auth-error"] as const;

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
  iamAuthentication: true,
  logExports: ["postgresql", "upgrade"] as Array<(typeof POSTGRES_LOG_EXPORTS)[number]>,
  logRetentionDays: 30,
  performanceInsights: false,
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
  /** Connections may also authenticate with IAM (CKV_AWS_161); the password keeps working. */
  iamAuthentication: z.boolean(),
  /** The logs RDS sends to CloudWatch Logs (CKV_AWS_129), each to a log group the stack creates. */
  logExports: z.array(z.enum(POSTGRES_LOG_EXPORTS)),
  logRetentionDays: logRetention,
  /**
   * Performance Insights, 7 days (free; CKV_AWS_353). Off by default: AWS does not support it on every
   * instance class (not on db.t4g.micro for MySQL and MariaDB), and its console is moving to Database Insights.
   */
  performanceInsights: z.boolean(),
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
