import { z } from "zod";
import { addIssue, Issues } from "../core/schema-fields";

/**
 * The AWS Regions (commercial, China and GovCloud partitions) as AWS's "AWS Regions and Availability Zones"
 * page lists them in late 2026. A region opened later is accepted with `allowUnlistedRegion: true`.
 */
export const AWS_REGIONS = [
  "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
  "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
  "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
  "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
  "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
] as const; // prettier-ignore

/** Settings of the AWS provider and the Terraform state: how the stack talks to AWS, and where its state lives. */
export const providerFields = {
  /** Plan without an AWS account: fake credentials, no account lookups. Never for a real deploy. */
  sandbox: z.boolean().default(false),
  tags: z.record(z.string(), z.string()).default({}),
  stateBackend: z.strictObject({ bucket: z.string().min(3), key: z.string().min(1), region: z.string().optional() }).optional(),
  /** Path of the local state file (default: terraform.<appName>.tfstate in the project root); ignored with stateBackend. */
  localStatePath: z.string().min(1).optional(),
  /** Accept a `region` (and state bucket region) not in AWS_REGIONS: one AWS opened after this release. */
  allowUnlistedRegion: z.boolean().default(false),
};

/** The stack's region and its state bucket's are AWS Regions (a typo fails here, not at deploy). */
export function checkRegions(c: { region: string; stateBackend?: { region?: string }; allowUnlistedRegion: boolean }, ctx: Issues): void {
  if (c.allowUnlistedRegion) return;
  const known = AWS_REGIONS as readonly string[];
  const hint = "a Region AWS opened after this release: set allowUnlistedRegion: true";
  if (!known.includes(c.region)) addIssue(ctx, ["region"], `"${c.region}" is not an AWS Region (${hint}; the Regions: ${known.join(", ")})`);
  const state = c.stateBackend?.region;
  if (state && !known.includes(state)) addIssue(ctx, ["stateBackend", "region"], `"${state}" is not an AWS Region (${hint})`);
}
