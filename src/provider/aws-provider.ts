import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

/** Credentials used only in sandbox mode, where nothing talks to AWS; they grant nothing anywhere. */
export const SANDBOX_CREDENTIALS = { accessKey: "sandbox", secretKey: "sandbox" } as const;

export interface ProviderAndBackendProps {
  readonly appName: string;
  readonly region: string;
  /** Tags every resource carries besides `application`. */
  readonly tags: Record<string, string>;
  /** Offline planning with fake credentials and no account lookups. */
  readonly sandbox: boolean;
  /** Team state in S3 (locked with S3's conditional writes); without it, a local state file. @default local */
  readonly stateBackend?: { readonly bucket: string; readonly key: string; readonly region?: string };
  /** Path of the local state file. @default terraform.<appName>.tfstate in the working directory */
  readonly localStatePath?: string;
}

/** Where the local backend keeps the state: the configured path, or cdktf's default in the project root. */
export function localStatePath(props: Pick<ProviderAndBackendProps, "appName" | "localStatePath">): string {
  return props.localStatePath ?? `${process.cwd()}/terraform.${props.appName}.tfstate`;
}

/**
 * The stack's AWS provider (tagging every resource with the application) and its state backend. Returns
 * the provider that can read the S3 state bucket when it is in another region (the running-stack guard
 * reads the state object).
 */
export function addProviderAndBackend(stack: TerraformStack, props: ProviderAndBackendProps): { readonly stateProvider?: AwsProvider } {
  const sandbox = props.sandbox
    ? {
        ...SANDBOX_CREDENTIALS,
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: "true",
        skipRegionValidation: true,
      }
    : {};
  new AwsProvider(stack, "aws", { region: props.region, defaultTags: [{ tags: { application: props.appName, ...props.tags } }], ...sandbox });
  const backend = props.stateBackend;
  if (!backend) {
    new LocalBackend(stack, { path: localStatePath(props) });
    return {};
  }
  const stateRegion = backend.region ?? props.region;
  const s3 = new S3Backend(stack, { bucket: backend.bucket, key: backend.key, region: stateRegion, encrypt: true });
  // S3-native state locking (Terraform >= 1.10); cdktf 0.21's typed config predates it.
  s3.addOverride("use_lockfile", true);
  if (stateRegion === props.region) return {};
  return { stateProvider: new AwsProvider(stack, "state-region", { region: stateRegion, alias: "state", ...sandbox }) };
}
