import { z } from "zod";
import { withDefaults } from "../core/schema-fields";

/**
 * Defaults of the `accessLogs` section: the load balancers' access logs and the stack's buckets' server
 * access logs, into one log bucket the stack creates. Off by default: it is a second bucket per stack,
 * billed by the volume of requests it records, whose retention a team chooses.
 */
export const ACCESS_LOG_DEFAULTS = { enabled: false, expireAfterDays: 365, forceDestroy: false };

export const accessLogsSchema = z
  .strictObject(
    withDefaults(
      {
        enabled: z.boolean(),
        /** Days a log object is kept before S3 expires it. */
        expireAfterDays: z.number().int().min(1).max(3650),
        /** Delete every log object with the stack on destroy (else destroy stops at a bucket that holds logs). */
        forceDestroy: z.boolean(),
      },
      ACCESS_LOG_DEFAULTS,
    ),
  )
  .prefault({});

export type AccessLogSettings = z.output<typeof accessLogsSchema>;
