import { z } from "zod";
import { withDefaults } from "../core/schema-fields";

/** Defaults of the `ecr` section: the image repository. */
export const CONTAINER_REPOSITORY_DEFAULTS = {
  scanOnPush: true,
  imageTagMutability: "MUTABLE" as const,
  maxImageCount: 30,
  untaggedExpiryDays: 7,
  forceDelete: false,
};

export const containerRepositorySchema = z
  .strictObject(
    withDefaults(
      {
        scanOnPush: z.boolean(),
        imageTagMutability: z.enum(["MUTABLE", "IMMUTABLE"]),
        maxImageCount: z.number().int().min(1).max(10000),
        untaggedExpiryDays: z.number().int().min(1),
        forceDelete: z.boolean(),
      },
      CONTAINER_REPOSITORY_DEFAULTS,
    ),
  )
  .prefault({});
