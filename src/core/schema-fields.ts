import { z } from "zod";

/**
 * Building blocks every config section uses: field types AWS constrains the same way everywhere, and the
 * two ways a section's fields are offered (with its defaults at the top level, all optional in an
 * environment's overrides), so that a default is written once, in the section's DEFAULTS constant.
 */

export const port = z.number().int().min(1).max(65535);
export const minutes = (max: number) => z.number().int().min(0).max(max);
export const absolutePath = z.string().regex(/^\/\S*$/, { message: "must be an absolute path such as /health" });
/** A KMS key by ARN (a key id, not an alias: grants and key policies need the key). */
export const kmsKeyArn = z
  .string()
  .regex(/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, { message: "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)" });
export const gitBranch = z.string().regex(/^[^\s~^:?*[\\]+$/, { message: "must be a Git branch name" });

/** CloudWatch Logs accepts only these retention values (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
export const logRetention = z.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
  message: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
});

/**
 * The error of a discriminated union whose discriminator is missing or names no variant: a missing one is
 * a required field, an unknown one (`what`: "source kind") a value outside `allowed`.
 */
export function discriminatorError(discriminator: string, what: string, allowed: readonly string[]) {
  return (issue: { code: string; input?: unknown }) => {
    if (issue.code !== "invalid_union") return undefined;
    const list = allowed.map((k) => `"${k}"`).join(", ");
    const given = (issue.input as Record<string, unknown> | undefined)?.[discriminator];
    return { message: given === undefined ? `is required; allowed: ${list}` : `unknown ${what}; allowed: ${list}` };
  };
}

type Fields = Record<string, z.ZodType>;

/** A section's fields with its defaults applied: a field with a default gets it when left out; any other is optional. */
export type WithDefaults<F extends Fields, D> = { [K in keyof F]: K extends keyof D ? z.ZodDefault<F[K]> : z.ZodOptional<F[K]> };

export function withDefaults<F extends Fields, D extends { readonly [K in keyof F]?: z.output<F[K]> }>(fields: F, defaults: D): WithDefaults<F, D> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, schema]) => [key, key in defaults ? schema.default(defaults[key as keyof D] as never) : schema.optional()]),
  ) as WithDefaults<F, D>;
}

/** The same fields, every one optional and without defaults: what an environment overrides, and nothing else. */
export type AllOptional<F extends Fields> = { [K in keyof F]: z.ZodOptional<F[K]> };

export function allOptional<F extends Fields>(fields: F): AllOptional<F> {
  return Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])) as AllOptional<F>;
}

/** Reports one config error at `path` (a superRefine's context, as every section's checks receive it). */
export type Issues = z.core.$RefinementCtx;
export function addIssue(ctx: Issues, path: Array<string | number>, message: string): void {
  ctx.addIssue({ code: "custom", path, message });
}
