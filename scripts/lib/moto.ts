import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./tools";

export const MOTO_LAUNCHER = join(ROOT, "scripts", "moto", "launcher.py");
const PYTHON = process.env.PYTHON ?? "python3";

export interface Moto {
  readonly endpoint: string;
  readonly port: number;
  /** The corrections the launcher reported as active. */
  readonly corrections: string[];
  /** The launcher's line for each answer of 500 or more, each connection dropped before its answer and each answer replayed to a retried call: reports show them. */
  readonly serverErrors: string[];
  readonly process: ChildProcess;
  stop(): void;
}

/** Fails with one line when python3 or moto's server cannot be used. */
export function requireMoto(): void {
  const probe = spawnSync(PYTHON, ["-c", "import moto, werkzeug, sys; sys.stdout.write(moto.__version__)"], { encoding: "utf8" });
  if (probe.error) fail(`${PYTHON} not found: install Python 3 (apt-get install python3) or set PYTHON`);
  if (probe.status !== 0) fail(`moto's server is not installed for ${PYTHON}: pip install 'moto[server]==5.2.1'`);
  if (probe.stdout.trim() !== "5.2.1") {
    console.warn(`note: moto ${probe.stdout.trim()} found; the launcher's corrections were written for moto 5.2.1`);
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** A free TCP port on 127.0.0.1, or the MOTO_PORT given (failing if it is busy). */
export async function freePort(): Promise<number> {
  const wanted = process.env.MOTO_PORT ? Number(process.env.MOTO_PORT) : 0;
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => fail(`port ${wanted} on 127.0.0.1 is busy: stop what uses it, or unset MOTO_PORT to pick a free port`));
    server.listen(wanted, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : wanted;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts moto's server (through the launcher, with its corrections) on 127.0.0.1 and waits until it
 * answers. `detached` leaves it running after this process exits (the sandbox).
 */
export async function startMoto(options: { detached?: boolean; logFile?: number; requestLog?: string } = {}): Promise<Moto> {
  requireMoto();
  const port = await freePort();
  const child = spawn(PYTHON, [MOTO_LAUNCHER, String(port)], {
    cwd: ROOT,
    // ACM issues a requested certificate after this many seconds (moto's default is 60).
    env: {
      ...process.env,
      MOTO_ACM_VALIDATION_WAIT: process.env.MOTO_ACM_VALIDATION_WAIT ?? "3",
      // AWS's managed policies exist in every account; moto loads them only when asked (service.taskRole.managedPolicyArns attaches them).
      MOTO_IAM_LOAD_MANAGED_POLICIES: "true",
      ...(options.requestLog ? { MOTO_REQUEST_LOG: options.requestLog } : {}),
    },
    detached: true, // own process group, so stop() also ends moto's worker threads' process
    stdio: options.logFile !== undefined ? ["ignore", options.logFile, options.logFile] : ["ignore", "pipe", "pipe"],
  });
  const corrections: string[] = [];
  const serverErrors: string[] = [];
  // Start-up output only (for a failed start); later errors are kept in serverErrors.
  let output = "";
  const keep = (chunk: Buffer) => {
    if (output.length < 20_000) output += chunk;
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    keep(chunk);
    for (const m of chunk.toString().matchAll(/^moto correction active: ([\w-]+)/gm)) corrections.push(m[1]);
  });
  let partialLine = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    keep(chunk);
    const lines = (partialLine + chunk.toString()).split("\n");
    partialLine = lines.pop() ?? "";
    // The launcher's 5xx lines, and werkzeug's own when answering failed (a request the client may then send again).
    serverErrors.push(...lines.filter((line) => /^(moto answered 5\d\d |moto replayed |Error on request)/.test(line)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
  };
  if (!options.detached) {
    process.once("exit", stop);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        stop();
        process.exit(130);
      });
    }
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`moto exited during start-up (code ${child.exitCode}):\n${output.trim().slice(-2000)}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      /* not yet listening */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (Date.now() >= deadline) {
    stop();
    fail(`moto did not answer on ${endpoint} within 30 s`);
  }
  if (options.detached) child.unref();
  return { endpoint, port, corrections, serverErrors, process: child, stop };
}

/** A copy of env that points the AWS provider and SDK at moto, with test credentials and no profile. */
export function withMoto(env: NodeJS.ProcessEnv, endpoint: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  for (const key of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"]) {
    delete out[key];
  }
  return out;
}

/** How an AWS SDK client reaches moto: its endpoint, the stack's region and test credentials. */
export function motoClientConfig(region: string, endpoint: string) {
  return { region, endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
}

/** How a report shows a moto's serverErrors: a heading (with `label`, when several motos report together) and a line each. */
export function serverErrorLines(serverErrors: readonly string[], label = ""): string[] {
  return [`${label ? `${label}: ` : ""}moto's 500 answers, dropped connections and replayed answers:${serverErrors.length ? "" : " none"}`, ...serverErrors.map((line) => `  ${line}`)];
}

/**
 * Mutating requests moto received again after answering the same one (same action and body) with success:
 * a create or delete the client sent twice. From the launcher's MOTO_REQUEST_LOG.
 */
export function repeatedRequests(requestLog: string): string[] {
  if (!existsSync(requestLog)) return [];
  const succeeded = new Map<string, string>();
  const repeated: string[] = [];
  for (const line of readFileSync(requestLog, "utf8").split("\n")) {
    const [time, status, action, digest, , replayed] = line.split(" ");
    if (!digest || replayed || !/(^|\.)(Create|Delete|Put|Register|Deregister|Authorize|Revoke|Modify|Update|Associate|Attach|Detach)/.test(action)) continue;
    const key = `${action} ${digest}`;
    if (succeeded.has(key)) repeated.push(`${action} at ${succeeded.get(key)} (answered 2xx) and again at ${time} (answered ${status})`);
    else if (status.startsWith("2")) succeeded.set(key, time);
  }
  return repeated;
}
