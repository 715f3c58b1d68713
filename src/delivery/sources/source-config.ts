import { z } from "zod";
import { discriminatorError, gitBranch } from "../../core/schema-fields";

/** Defaults of the source kinds' settings. */
export const SOURCE_DEFAULTS = {
  /** The branch a Git source follows. */
  branchName: "main",
  providerType: "GitHub" as const,
  fullClone: false,
  createRepository: true,
  objectKey: "source.zip",
};
const branchName = gitBranch.default(SOURCE_DEFAULTS.branchName);

const codeStarSource = z.strictObject({
  kind: z.literal("codestar"),
  /** Git host behind the connection. */
  providerType: z.enum(["GitHub", "Bitbucket", "GitLab"]).default(SOURCE_DEFAULTS.providerType),
  /** Repository as owner/name, e.g. my-org/my-app. */
  repositoryId: z.string().regex(/^[\w.-]+(\/[\w.-]+)+$/, { message: "must be owner/name, e.g. my-org/my-app" }),
  branchName,
  /** ARN of an existing, already activated connection; when absent the stack creates one (PENDING until activated). */
  connectionArn: z
    .string()
    .regex(/^arn:aws[\w-]*:(codestar-connections|codeconnections):[\w-]+:\d{12}:connection\/[\w-]+$/, {
      message: "must be a CodeStar/CodeConnections connection ARN",
    })
    .optional(),
  /** Hand CodeBuild a full Git clone (CODEBUILD_CLONE_REF) instead of a zip, e.g. for `git log` in tests. */
  fullClone: z.boolean().default(SOURCE_DEFAULTS.fullClone),
});

const codeCommitSource = z.strictObject({
  kind: z.literal("codecommit"),
  repositoryName: z.string().regex(/^[\w.-]{1,100}$/, { message: "must be 1-100 letters, digits, '.', '_' or '-'" }),
  /** Create the repository (clone URLs become outputs); false uses an existing one of that name. */
  createRepository: z.boolean().default(SOURCE_DEFAULTS.createRepository),
  branchName,
});

const LITERAL_SECRET_MESSAGE =
  "a token must not be written in the config; store it in Secrets Manager (tokenSecretName) or as an SSM SecureString parameter (tokenParameterName) and name it";
const looksLikeToken = (v: string) => /^(ghp_|gho_|ghu_|ghs_|github_pat_)|^[0-9a-f]{40}$/.test(v);
const secretName = z.string().min(1).refine((v) => !looksLikeToken(v), { message: `looks like a token itself: ${LITERAL_SECRET_MESSAGE}` });

const gitHubOAuthSource = z
  .strictObject({
    kind: z.literal("github-oauth"),
    owner: z.string().regex(/^[\w.-]+$/, { message: "must be a GitHub user or organisation" }),
    repo: z.string().regex(/^[\w.-]+$/, { message: "must be a repository name" }),
    branchName,
    /** Name of the Secrets Manager secret holding the OAuth token (read at plan/apply, never in config or JSON). */
    tokenSecretName: secretName.optional(),
    /** Name of the SSM SecureString parameter holding the token. */
    tokenParameterName: secretName.optional(),
    /** Rejected: a token written into the config. */
    oauthToken: z.unknown().refine((v) => v === undefined, { message: LITERAL_SECRET_MESSAGE }).optional(),
  })
  .refine((s) => !!s.tokenSecretName !== !!s.tokenParameterName, {
    message: "name exactly one of tokenSecretName (Secrets Manager) or tokenParameterName (SSM)",
    path: ["tokenSecretName"],
  });

const s3Source = z.strictObject({
  kind: z.literal("s3"),
  /** An existing versioned bucket; when absent the stack creates one. */
  bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "must be an S3 bucket name" }).optional(),
  /** Key of the zipped source; every new version starts the pipeline. */
  objectKey: z.string().min(1).default(SOURCE_DEFAULTS.objectKey),
});

export const SOURCE_KINDS = ["codestar", "codecommit", "github-oauth", "s3"] as const;

/** The `source` section (CodePipeline delivery only): where the code comes from, one kind of four. */
export const sourceSchema = z.discriminatedUnion("kind", [codeStarSource, codeCommitSource, gitHubOAuthSource, s3Source], {
  error: discriminatorError("kind", "source kind", SOURCE_KINDS),
});
export type SourceSettings = z.output<typeof sourceSchema>;
