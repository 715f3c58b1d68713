import { z } from "zod";
import { addIssue, Issues, kmsKeyArn } from "../core/schema-fields";

export const ENCRYPTION_DEFAULTS = { customerManagedKey: "aws-managed" as const };

export const encryptionSchema = z
  .strictObject({
    /**
     * aws-managed: each service's own AWS key (default); create: one customer-managed key (rotation on) for
     * ECR, the artifact bucket, the log groups and the databases; existing: the key named in kmsKeyArn.
     */
    customerManagedKey: z.enum(["aws-managed", "create", "existing"]).default(ENCRYPTION_DEFAULTS.customerManagedKey),
    kmsKeyArn: kmsKeyArn.optional(),
  })
  .prefault({});
export type EncryptionSettings = z.output<typeof encryptionSchema>;

/** An existing key must be named, in the stack's region; a key ARN without "existing" is a mistake. */
export function checkEncryption(encryption: EncryptionSettings, region: string, ctx: Issues): void {
  const keyArn = encryption.kmsKeyArn;
  if (encryption.customerManagedKey === "existing" && !keyArn) addIssue(ctx, ["encryption", "kmsKeyArn"], 'is required with customerManagedKey "existing"');
  if (keyArn && encryption.customerManagedKey !== "existing") addIssue(ctx, ["encryption", "kmsKeyArn"], 'is only used with customerManagedKey "existing"');
  const keyRegion = keyArn?.split(":")[3];
  if (keyRegion && keyRegion !== region) {
    addIssue(ctx, ["encryption", "kmsKeyArn"], `is in ${keyRegion}, but the stack is in ${region}: KMS keys are regional, give a key from ${region}`);
  }
}
