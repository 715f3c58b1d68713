/**
 * A local sandbox: `up` starts moto in the background and deploys the stack into it with
 * `cdktf deploy`, then prints the stack's outputs; `down` destroys it and stops moto.
 * The sandbox keeps everything under .tmp/sandbox/, apart from a real deploy's: its state file and its
 * own cdktf output folder (.tmp/sandbox/cdktf.out), so the real cdktf.out/ (initialized with the real
 * backend by `cdktf diff` / `cdktf deploy`) is never touched, and a real command never meets the
 * sandbox's backend. Either can run first in the same checkout.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { startMoto, withMoto } from "./lib/moto";
import { cdktfEnvironment, outputLines } from "./lib/cdktf-cli";
import { requireTool, ROOT, SCRATCH, terraformEnv } from "./lib/tools";

const DIR = join(SCRATCH, "sandbox");
const MOTO_FILE = join(DIR, "moto.json");
/** The sandbox's synth output and terraform working directories (cdktf `--output`), not cdktf.out/. */
const OUT_DIR = join(DIR, "cdktf.out");

interface RunningMoto {
  pid: number;
  endpoint: string;
  /** The config the sandbox was brought up with (CONFIG, resolved): `down` destroys what that config built. */
  config?: string;
}

/** The config file `up` deploys: CONFIG, else the default, as a path from the checkout. */
function configInUse(): string {
  return relative(ROOT, resolve(ROOT, process.env.CONFIG ?? "config/default.json"));
}

function running(): RunningMoto | undefined {
  if (!existsSync(MOTO_FILE)) return undefined;
  const moto = JSON.parse(readFileSync(MOTO_FILE, "utf8")) as RunningMoto;
  try {
    process.kill(moto.pid, 0);
    return moto;
  } catch {
    return undefined; // stale: that process is gone
  }
}

function cdktf(command: "deploy" | "destroy", endpoint: string, config: string): number {
  const env = cdktfEnvironment(withMoto(terraformEnv(), endpoint), Boolean(process.stdout.isTTY));
  env.CONFIG = config;
  env.CONFIG__sandbox = "false"; // a real provider against moto's API, not the offline planning mode
  env.CONFIG__localStatePath = join(DIR, "terraform.tfstate");
  // `terraform providers lock` asks the registry, which an offline machine cannot reach.
  const args = ["cdktf", command, "--output", OUT_DIR, "--auto-approve", "--skip-provider-lock"];
  const result = spawnSync("npx", args, { cwd: ROOT, env, stdio: "inherit" });
  return result.status ?? 1;
}

async function up(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const config = configInUse();
  let moto = running();
  if (moto?.config && moto.config !== config) {
    console.error(`the sandbox is up with ${moto.config}: take it down first (npm run sandbox:down), then bring it up with ${config}`);
    process.exit(1);
  }
  if (!moto) {
    const started = await startMoto({ detached: true, logFile: openSync(join(DIR, "moto.log"), "a") });
    moto = { pid: started.process.pid!, endpoint: started.endpoint, config };
    writeFileSync(MOTO_FILE, JSON.stringify(moto));
    console.log(`moto started on ${moto.endpoint} (pid ${moto.pid}, log ${join(DIR, "moto.log")})`);
  } else {
    console.log(`moto already running on ${moto.endpoint}`);
  }
  const code = cdktf("deploy", moto.endpoint, config);
  if (code !== 0) {
    console.error("cdktf deploy failed; `npm run sandbox:down` cleans up");
    process.exit(code);
  }
  // Terraform's own reading of the outputs: flat names, maps as maps (cdktf's outputs file nests them by construct).
  const [stack] = readdirSync(join(OUT_DIR, "stacks"));
  const shown = spawnSync("terraform", ["output", "-json"], { cwd: join(OUT_DIR, "stacks", stack), env: terraformEnv(), encoding: "utf8" });
  console.log(`\nSandbox is up (AWS API at ${moto.endpoint}). Outputs:`);
  for (const line of shown.status === 0 ? outputLines(JSON.parse(shown.stdout)) : [`(terraform output failed: ${shown.stderr.trim()})`]) console.log(`  ${line}`);
  console.log(`\nExplore it with the AWS CLI or SDK: AWS_ENDPOINT_URL=${moto.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`);
  console.log("Tear it down with: npm run sandbox:down");
}

function down(): void {
  const moto = running();
  if (!moto) {
    console.log("no sandbox is running");
    rmSync(DIR, { recursive: true, force: true });
    return;
  }
  // What `up` deployed, whatever CONFIG says now.
  const config = moto.config ?? configInUse();
  const code = cdktf("destroy", moto.endpoint, config);
  const left = resourcesInState();
  try {
    process.kill(-moto.pid, "SIGTERM");
  } catch {
    process.kill(moto.pid, "SIGTERM");
  }
  rmSync(MOTO_FILE, { force: true });
  if (code === 0 && left === 0) {
    console.log(`sandbox of ${config} destroyed and moto stopped`);
    process.exit(0);
  }
  console.error(`destroy of the sandbox of ${config} failed (exit ${code}, ${left} resources left in its state); moto stopped anyway (what it held is gone with it)`);
  process.exit(code || 1);
}

/** Resources in the sandbox's state file (0 when there is none). */
function resourcesInState(): number {
  const file = join(DIR, "terraform.tfstate");
  if (!existsSync(file)) return 0;
  return ((JSON.parse(readFileSync(file, "utf8")) as { resources?: Array<{ mode: string }> }).resources ?? []).filter((r) => r.mode === "managed").length;
}

requireTool("terraform", ["version"], "install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) and put it on PATH");
const command = process.argv[2];
if (command === "up") void up();
else if (command === "down") down();
else {
  console.error("usage: tsx scripts/sandbox.ts up|down");
  process.exit(2);
}
