import { createHash } from "node:crypto";

/** AWS length limits for the physical names this stack sets. */
export const NAME_LIMITS = {
  loadBalancer: 32,
  targetGroup: 32,
  codestarConnection: 32,
  iamRole: 64,
  bucketPrefix: 37,
  default: 100,
} as const;

/**
 * Builds `${appName}-${suffix}` and, when that exceeds maxLength, truncates the app name and appends a
 * 6-character hash of the full name, so long names stay valid and distinct (two apps that share a long
 * prefix still get different names). The suffix is always kept whole so the name still says what it is.
 */
export function physicalName(appName: string, suffix: string, maxLength: number = NAME_LIMITS.default): string {
  const full = suffix ? `${appName}-${suffix}` : appName;
  if (full.length <= maxLength) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 6);
  const tail = suffix ? `-${hash}-${suffix}` : `-${hash}`;
  const room = maxLength - tail.length;
  if (room < 1) throw new Error(`Name suffix "${suffix}" leaves no room within ${maxLength} characters`);
  // ALB and target group names may not end with a hyphen, nor contain two in a row after truncation.
  const head = appName.slice(0, room).replace(/-+$/, "");
  return `${head}${tail}`;
}
