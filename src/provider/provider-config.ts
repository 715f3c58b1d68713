import { z } from "zod";

/** Settings of the AWS provider and the Terraform state: how the stack talks to AWS, and where its state lives. */
export const providerFields = {
  /** Plan without an AWS account: fake credentials, no account lookups. Never for a real deploy. */
  sandbox: z.boolean().default(false),
  tags: z.record(z.string(), z.string()).default({}),
  stateBackend: z.strictObject({ bucket: z.string().min(3), key: z.string().min(1), region: z.string().optional() }).optional(),
  /** Path of the local state file (default: terraform.<appName>.tfstate in the project root); ignored with stateBackend. */
  localStatePath: z.string().min(1).optional(),
};
