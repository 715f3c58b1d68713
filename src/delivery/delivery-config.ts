import { z } from "zod";
import { addIssue, allOptional, discriminatorError, gitBranch, Issues, logRetention, withDefaults } from "../core/schema-fields";

/** The branch whose workflow runs may push and deploy, unless the config names another. */
export const DEFAULT_DEPLOY_BRANCH = "main";

const githubActionsDelivery = z.strictObject({
  /** GitHub Actions builds and deploys (through CodeDeploy); no CodePipeline or CodeBuild is created. */
  mode: z.literal("github-actions"),
  /** owner/name of the repository whose workflows may assume the deploy role (required without services; with them each service names its own). */
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, { message: "must be owner/name, e.g. my-org/my-app" }).optional(),
  /** Branch whose pushes build and deploy: the push role's trust and the workflow's trigger (replaced by subjectPattern when set). */
  branch: gitBranch.default(DEFAULT_DEPLOY_BRANCH),
  /** The GitHub environment of the last environment's deploy job (its deploy role trusts only jobs there). @default that environment's githubEnvironment, else its name */
  githubEnvironment: z.string().regex(/^[\w.-]+$/).optional(),
  /** Full OIDC subject pattern replacing the branch for the build job, e.g. repo:org/app:ref:refs/tags/v*. */
  subjectPattern: z
    .string()
    .refine((p) => p.trim() !== "*", { message: 'a bare "*" would let every GitHub repository assume the role; name the repository' })
    .refine((p) => p.startsWith("repo:"), { message: 'must start with "repo:<owner>/<name>:"' })
    .optional(),
  /** ARN of the account's existing GitHub OIDC provider (an account has at most one); created when absent. */
  oidcProviderArn: z
    .string()
    .regex(/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, {
      message: "must be the ARN of the token.actions.githubusercontent.com OIDC provider",
    })
    .optional(),
});

/** The GitHub environment each stack environment's deploy job runs in: its own setting, else (the last) delivery.githubEnvironment, else its name. */
export function githubEnvironmentsOf(
  environments: ReadonlyArray<{ readonly name: string; readonly githubEnvironment?: string }>,
  lastEnvironment?: string,
): string[] {
  return environments.map((env, i) => env.githubEnvironment ?? (i === environments.length - 1 ? lastEnvironment : undefined) ?? env.name);
}

/** The `delivery` section: codepipeline (default): CodePipeline with CodeBuild; github-actions: a GitHub workflow deploys through CodeDeploy. */
export const deliverySchema = z
  .discriminatedUnion("mode", [z.strictObject({ mode: z.literal("codepipeline") }), githubActionsDelivery], {
    error: discriminatorError("mode", "delivery mode", ["codepipeline", "github-actions"]),
  })
  .default({ mode: "codepipeline" });
export type DeliverySettings = z.output<typeof deliverySchema>;
export type GitHubActionsSettings = Extract<DeliverySettings, { mode: "github-actions" }>;

/**
 * The default of `build.image`, by the tasks' CPU architecture (`service.cpuArchitecture`): the build
 * runs on the architecture it builds for. (AWS has since renamed the x86 image amazonlinux-x86_64-standard:5.0;
 * the older name still works and is kept, so running stacks see no change.)
 */
export const BUILD_IMAGES = {
  X86_64: "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
  ARM64: "aws/codebuild/amazonlinux-aarch64-standard:3.0",
} as const;

/** Defaults of the `build` section: the CodeBuild project (testCommand has none: no test run; image: BUILD_IMAGES). */
export const BUILD_DEFAULTS = {
  computeType: "BUILD_GENERAL1_SMALL" as const,
  buildspecPath: "buildspec.yml",
  timeoutMinutes: 30,
  logRetentionDays: 30,
  cache: "none" as const,
};

const buildFields = {
  computeType: z.enum(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"]),
  image: z.string().min(1),
  buildspecPath: z.string().min(1),
  timeoutMinutes: z.number().int().min(5).max(2160),
  logRetentionDays: logRetention,
  /** Run inside the freshly built image before it is pushed; a failure stops the pipeline. */
  testCommand: z.string().min(1),
  /** none; s3: cache in the artifact bucket; local: Docker layer and source cache on the build host. */
  cache: z.enum(["none", "s3", "local"]),
};

export const buildSchema = z.strictObject(withDefaults(buildFields, BUILD_DEFAULTS)).prefault({});
/** One of several services' own build settings (`services.<name>.build`), over the top-level `build`. */
export const buildOverridesSchema = z.strictObject(allOptional(buildFields));

/** `environments[].approval`: a person approves in the pipeline before the environment is deployed. */
export const approvalSchema = z.strictObject({
  /** E-mail addresses subscribed to the approval topic (each confirms once). */
  notifyEmails: z.array(z.email()).default([]),
  /** Shown to the approver. */
  message: z.string().max(500).optional(),
  /** Link shown with the request; defaults to the environment's test listener URL. */
  reviewUrl: z.url().optional(),
});

/** Each deploy job runs in a GitHub environment of its own: two environments sharing one would share a deploy role's trust. */
export function checkGitHubEnvironments(
  environments: ReadonlyArray<{ readonly name: string; readonly githubEnvironment?: string }>,
  delivery: DeliverySettings,
  ctx: Issues,
): void {
  if (delivery.mode !== "github-actions") {
    const i = environments.findIndex((e) => e.githubEnvironment);
    if (i >= 0) addIssue(ctx, ["environments", i, "githubEnvironment"], 'is only used with delivery mode "github-actions"');
    return;
  }
  const names = githubEnvironmentsOf(environments, delivery.githubEnvironment).map((n) => n.toLowerCase());
  names.forEach((name, i) => {
    const first = names.indexOf(name);
    if (first !== i) {
      addIssue(
        ctx,
        ["environments", i, "githubEnvironment"],
        `"${name}" is also environment ${environments[first].name}'s GitHub environment (GitHub compares names without case); each deploy job needs its own, or its role would admit the other's job`,
      );
    }
  });
}

/** The build runs on the architecture it builds the tasks' image for (CodeBuild builds natively). */
export function checkBuildArchitecture(image: string | undefined, architecture: "X86_64" | "ARM64", ctx: Issues, at: Array<string | number> = []): void {
  const imageArchitecture = !image ? undefined : /aarch64|arm64/i.test(image) ? "ARM64" : /x86_64|amd64/i.test(image) ? "X86_64" : undefined;
  if (imageArchitecture && imageArchitecture !== architecture) {
    addIssue(
      ctx,
      [...at, "build", "image"],
      `is an ${imageArchitecture === "ARM64" ? "ARM (aarch64)" : "x86_64"} image, but service.cpuArchitecture is ${architecture}: the build makes the tasks' image on its own architecture; use ${BUILD_IMAGES[architecture]} (or leave build.image out)`,
    );
  }
}
