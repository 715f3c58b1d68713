import { z } from "zod";
import { absolutePath, addIssue, allOptional, Issues, logRetention, port, withDefaults } from "../core/schema-fields";
import { ENVIRONMENT_VARIABLE_NAME, secretsSchema } from "./secrets-config";
import { checkTaskRole, taskRoleSchema } from "./task-role-config";

/** Valid Fargate task sizes: CPU units and the memory (MiB) each allows. */
const FARGATE_MEMORY_BY_CPU: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n += step) out.push(n);
  return out;
}

/** The service settings an environment may override; at top level they are every environment's defaults. */
const perEnvironmentFields = {
  cpu: z.number().int(),
  memory: z.number().int(),
  desiredCount: z.number().int().min(0).max(1000),
  /** Target tracking on average CPU; when set, desired_count is left to autoscaling. */
  autoScaling: z.strictObject({
    minCapacity: z.number().int().min(0),
    maxCapacity: z.number().int().min(1),
    targetCpuPercent: z.number().min(1).max(100).default(60),
  }),
  /** Non-secret environment variables for the container. */
  environment: z.record(z.string().regex(ENVIRONMENT_VARIABLE_NAME), z.string()),
  /** Environment variables ECS fills from Secrets Manager or SSM when a task starts: references, never values. */
  secrets: secretsSchema,
  /** The application's own AWS permissions. */
  taskRole: taskRoleSchema,
  /** ECS Exec (`aws ecs execute-command`) into the running containers. */
  enableExecuteCommand: z.boolean(),
  /** The container's own health check: ECS replaces a task whose container reports unhealthy. Ranges as ECS allows them. */
  healthCheck: z.strictObject({
    /** As Docker's HEALTHCHECK: ["CMD", "node", "healthcheck.mjs"] or ["CMD-SHELL", "curl -f http://localhost/health || exit 1"]. */
    command: z
      .array(z.string().min(1))
      .min(2)
      .refine((c) => ["CMD", "CMD-SHELL"].includes(c[0]), { message: 'must start with "CMD" or "CMD-SHELL"' }),
    intervalSeconds: z.number().int().min(5).max(300).default(30),
    timeoutSeconds: z.number().int().min(2).max(60).default(5),
    retries: z.number().int().min(1).max(10).default(3),
    /** Failures in this time after the container starts do not count. @default none */
    startPeriodSeconds: z.number().int().min(0).max(300).optional(),
  }),
  containerInsights: z.enum(["enabled", "enhanced", "disabled"]),
  logRetentionDays: logRetention,
  /** The container's root filesystem read-only; only `writablePaths` may be written. */
  readonlyRootFilesystem: z.boolean(),
  /** With a read-only root filesystem: the paths the application still writes, each an empty volume of the task's own. */
  writablePaths: z.array(absolutePath.refine((p) => p !== "/", { message: "must not be / (that is the root filesystem)" })).max(20),
};

/** Settings every environment's service shares. */
const sharedFields = {
  containerName: z.string().regex(/^[A-Za-z0-9][\w-]{0,254}$/),
  containerPort: port,
  /** Image the first task definition runs, before the pipeline has built one. */
  initialImage: z.string().min(1),
  /** Fargate's CPU architecture: one image is built for every environment, so they share it. ARM64 is Graviton. */
  cpuArchitecture: z.enum(["X86_64", "ARM64"]),
};

/** Defaults of the service settings (autoScaling has none: a fixed desiredCount). */
export const SERVICE_DEFAULTS = {
  containerName: "app",
  containerPort: 80,
  initialImage: "public.ecr.aws/docker/library/httpd:2.4",
  cpuArchitecture: "X86_64" as const,
  cpu: 256,
  memory: 512,
  desiredCount: 1,
  environment: {} as Record<string, string>,
  secrets: {},
  enableExecuteCommand: false,
  containerInsights: "enabled" as const,
  logRetentionDays: 30,
  readonlyRootFilesystem: false,
  writablePaths: ["/tmp"],
};

export const serviceSchema = z.strictObject(withDefaults({ ...sharedFields, ...perEnvironmentFields }, SERVICE_DEFAULTS)).prefault({});
export const serviceOverridesSchema = z.strictObject(allOptional(perEnvironmentFields));
/** One of several services' own settings (`services.<name>.service`): every field, shared ones included, over the top-level defaults. */
export const serviceEntryOverridesSchema = z.strictObject(allOptional({ ...sharedFields, ...perEnvironmentFields }));
export type ServiceSettings = z.output<typeof serviceSchema>;

/** One environment's service as it will be built: a task size Fargate offers, and a sane scaling range. */
export function checkService(service: ServiceSettings, at: Array<string | number>, ctx: Issues): void {
  const allowedMemory = FARGATE_MEMORY_BY_CPU[service.cpu];
  if (!allowedMemory) {
    addIssue(ctx, [...at, "service", "cpu"], `${service.cpu} is not a Fargate CPU size; allowed: ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")}`);
  } else if (!allowedMemory.includes(service.memory)) {
    addIssue(
      ctx,
      [...at, "service", "memory"],
      `${service.memory} MiB is not allowed with ${service.cpu} CPU units; allowed: ${allowedMemory[0]}-${allowedMemory[allowedMemory.length - 1]} (${allowedMemory.join(", ")})`,
    );
  }
  const scaling = service.autoScaling;
  if (scaling && scaling.minCapacity > scaling.maxCapacity) addIssue(ctx, [...at, "service", "autoScaling", "minCapacity"], "must not exceed maxCapacity");
  for (const name of Object.keys(service.secrets)) {
    if (name in service.environment) addIssue(ctx, [...at, "service", "secrets", name], "is also in service.environment: give each variable once, as a secret or as a plain value");
  }
  const check = service.healthCheck;
  if (check && check.timeoutSeconds >= check.intervalSeconds) addIssue(ctx, [...at, "service", "healthCheck", "timeoutSeconds"], "must be shorter than intervalSeconds");
  checkTaskRole(service.taskRole, [...at, "service", "taskRole"], ctx);
  const volumes = new Map<string, string>();
  for (const [i, path] of service.writablePaths.entries()) {
    const name = writableVolumeName(path);
    const earlier = volumes.get(name);
    if (earlier !== undefined) addIssue(ctx, [...at, "service", "writablePaths", i], `"${path}" gives the same volume name as "${earlier}" (${name}); give each path once`);
    volumes.set(name, path);
  }
}

/** The task's volume that keeps `path` writable: its name, from the path (letters, digits, hyphens). */
export function writableVolumeName(path: string): string {
  return `writable${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "")}`;
}

/**
 * What a read-only root filesystem adds to the task: the container's flag and mount points, and the
 * task's volumes (no host or EFS: on Fargate an empty, task-scoped bind mount on the task's ephemeral
 * storage, as the ECS Developer Guide's "Bind mounts" describes). Nothing when the root stays writable.
 */
export function ecsWritableStorage(readonlyRootFilesystem: boolean, writablePaths: readonly string[]): EcsWritableStorage | undefined {
  if (!readonlyRootFilesystem) return undefined;
  return {
    readonlyRootFilesystem: true,
    mountPoints: writablePaths.map((containerPath) => ({ sourceVolume: writableVolumeName(containerPath), containerPath, readOnly: false })),
    volumes: writablePaths.map((path) => ({ name: writableVolumeName(path) })),
  };
}

export interface EcsWritableStorage {
  readonly readonlyRootFilesystem: true;
  readonly mountPoints: ReadonlyArray<{ readonly sourceVolume: string; readonly containerPath: string; readonly readOnly: false }>;
  readonly volumes: ReadonlyArray<{ readonly name: string }>;
}

/** A container health check as ECS's container definition takes it. */
export interface EcsHealthCheck {
  readonly command: string[];
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
  readonly startPeriod?: number;
}

export function ecsHealthCheck(check: NonNullable<ServiceSettings["healthCheck"]>): EcsHealthCheck {
  return {
    command: check.command,
    interval: check.intervalSeconds,
    timeout: check.timeoutSeconds,
    retries: check.retries,
    ...(check.startPeriodSeconds !== undefined ? { startPeriod: check.startPeriodSeconds } : {}),
  };
}
