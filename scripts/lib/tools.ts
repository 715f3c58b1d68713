import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");
/** Scratch space for the terraform tiers; git-ignored. */
export const SCRATCH = join(ROOT, ".tmp");

/** The offline provider mirror: TF_PLUGIN_DIR, else /opt/tf-plugins, else none (use the registry). */
export function pluginDir(): string | undefined {
  const candidates = [process.env.TF_PLUGIN_DIR, "/opt/tf-plugins"].filter((d): d is string => !!d);
  return candidates.find((d) => existsSync(d));
}

/** Fails with one line saying what is missing and how to get it (in CI a missing tool is a failure, never a skip). */
export function requireTool(command: string, versionArgs: string[], howToGet: string): void {
  const probe = spawnSync(command, versionArgs, { stdio: "ignore" });
  if (probe.error || probe.status !== 0) {
    console.error(`${command} not found or not working: ${howToGet}`);
    process.exit(1);
  }
}

/**
 * Environment for terraform and cdktf: no checkpoint calls, and, where an offline mirror exists, a CLI
 * config that installs providers from it (so `cdktf deploy`'s own `terraform init` works offline too).
 */
export function terraformEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", ...extra };
  const mirror = pluginDir();
  if (mirror) {
    mkdirSync(SCRATCH, { recursive: true });
    const cliConfig = join(SCRATCH, "terraform.rc");
    const text = `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`;
    // Tiers run side by side in CI: the file is replaced whole (rename), never rewritten under a reading terraform.
    if (!existsSync(cliConfig) || readFileSync(cliConfig, "utf8") !== text) {
      writeFileSync(`${cliConfig}.${process.pid}`, text);
      renameSync(`${cliConfig}.${process.pid}`, cliConfig);
    }
    env.TF_CLI_CONFIG_FILE = cliConfig;
  }
  return env;
}

/** `terraform init` arguments: the offline mirror when there is one, the normal registry otherwise. */
export function initArgs(stateFile: string): string[] {
  const mirror = pluginDir();
  return [
    "init",
    "-input=false",
    "-no-color",
    `-backend-config=path=${stateFile}`,
    ...(mirror ? [`-plugin-dir=${mirror}`] : []),
  ];
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/**
 * Runs a command to completion, capturing its output; never throws for a non-zero exit. With
 * timeoutSeconds, the command is ended (SIGTERM, as Ctrl-C would) when it runs longer, and code is 124.
 */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutSeconds?: number } = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env });
    let timedOut = false;
    const timer = options.timeoutSeconds
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGTERM");
        }, options.timeoutSeconds * 1000)
      : undefined;
    child.on("close", () => clearTimeout(timer));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (err) => done({ code: 127, stdout, stderr: stderr + String(err), seconds: (Date.now() - started) / 1000 }));
    child.on("close", (code) =>
      done({ code: timedOut ? 124 : code ?? 1, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

/**
 * Synthesizes the app for one config file into outdir (the same precompiled app `cdktf synth` and
 * `npm run synth` run) and returns the stack's directory.
 */
export async function synthesize(configPath: string, outdir: string, env: NodeJS.ProcessEnv): Promise<RunResult & { stackDir?: string }> {
  const result = await run(process.execPath, [join(ROOT, "scripts", "synth.mjs")], {
    env: { ...env, CONFIG: configPath, CDKTF_OUTDIR: outdir },
  });
  if (result.code !== 0) return result;
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  const [stack] = Object.values(manifest.stacks) as Array<{ workingDirectory: string }>;
  return { ...result, stackDir: join(outdir, stack.workingDirectory) };
}

/** The last lines of a command's output, for a failure report. */
export function tail(result: RunResult, lines = 25): string {
  return `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-lines).join("\n");
}
