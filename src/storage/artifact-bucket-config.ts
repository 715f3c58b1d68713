import { z } from "zod";
import { withDefaults } from "../core/schema-fields";

/** Defaults of the `artifacts` section: the pipeline's artifact bucket. */
export const ARTIFACT_BUCKET_DEFAULTS = { forceDestroy: false, noncurrentVersionExpirationDays: 30 };

export const artifactsSchema = z
  .strictObject(withDefaults({ forceDestroy: z.boolean(), noncurrentVersionExpirationDays: z.number().int().min(1) }, ARTIFACT_BUCKET_DEFAULTS))
  .prefault({});
