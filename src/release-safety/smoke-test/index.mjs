// CodeDeploy lifecycle hook (ECS blue/green, AfterAllowTestTraffic): smoke-tests the replacement
// task set through the test listener, then reports Succeeded or Failed to CodeDeploy, exactly once.
// Runtime: Lambda nodejs20.x or later (same code on 22.x/24.x); no dependency but @aws-sdk/client-codedeploy,
// which those runtimes ship, and Node built-ins.
//
// Environment (read at each invocation; seconds may be fractional):
//   TARGET_URL               required. Base URL of the test listener, e.g. http://my-alb-1.eu-west-1.elb.amazonaws.com:8080
//   PATHS                    JSON list of paths to GET, default ["/"]. Redirects are not followed: a 301 is just a status.
//   EXPECTED_STATUS          ALB health-check matcher: "200", "200-399", "200,204" (items may mix codes and ranges). Default "200".
//   TIME_BUDGET_SECONDS      total time for all requests, retries and backoff, default 60. Keep it under the Lambda timeout.
//   ATTEMPTS                 tries per path (wrong status, timeout or connection error), default 3.
//   REQUEST_TIMEOUT_SECONDS  per request, default 5 (cut shorter when less of the budget is left).
//   HOST_HEADER              optional Host header to send instead of TARGET_URL's host.
//   TARGET_ADDRESSES         optional JSON list of IPs to connect to, tried in order, instead of resolving TARGET_URL's
//                            host; the Host header (and TLS SNI) stays TARGET_URL's host. Lets the function reach an
//                            internet-facing ALB through its private addresses from inside the VPC.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from "@aws-sdk/client-codedeploy";

const codedeploy = new CodeDeployClient({});

/** Parses an ALB matcher ("200", "200-399", "200,204") into a predicate; throws on bad syntax. */
export function parseStatusMatcher(spec) {
  const ranges = String(spec).split(",").map((item) => {
    const m = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(item);
    const [lo, hi] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [];
    if (!m || lo < 100 || hi > 599 || lo > hi) throw new Error(`invalid EXPECTED_STATUS item "${item}" in "${spec}"`);
    return [lo, hi];
  });
  return (status) => ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

/** Joins the base URL (which may carry a path prefix) and a path (which may carry a query). */
export function buildUrl(base, path) {
  const url = new URL(base);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`TARGET_URL must be http(s): ${base}`);
  const rel = new URL(path.startsWith("/") ? path : `/${path}`, "http://placeholder");
  url.pathname = url.pathname.replace(/\/+$/, "") + rel.pathname;
  url.search = rel.search;
  return url;
}

/** Reads and validates the configuration; throws a readable error on any bad value. */
export function readConfig(env = process.env) {
  const num = (name, dflt) => {
    const v = env[name] === undefined || env[name] === "" ? dflt : Number(env[name]);
    if (!(v > 0)) throw new Error(`${name} must be a positive number, got "${env[name]}"`);
    return v;
  };
  const list = (name, dflt) => {
    if (!env[name]) return dflt;
    const v = JSON.parse(env[name]);
    if (!Array.isArray(v) || !v.length || v.some((s) => typeof s !== "string" || !s)) {
      throw new Error(`${name} must be a non-empty JSON list of strings, got ${env[name]}`);
    }
    return v;
  };
  if (!env.TARGET_URL) throw new Error("TARGET_URL is not set");
  const paths = list("PATHS", ["/"]);
  paths.forEach((p) => buildUrl(env.TARGET_URL, p));
  return {
    targetUrl: env.TARGET_URL, paths, matches: parseStatusMatcher(env.EXPECTED_STATUS || "200"),
    budgetMs: num("TIME_BUDGET_SECONDS", 60) * 1000, attempts: Math.max(1, Math.floor(num("ATTEMPTS", 3))),
    timeoutMs: num("REQUEST_TIMEOUT_SECONDS", 5) * 1000, hostHeader: env.HOST_HEADER || undefined,
    addresses: list("TARGET_ADDRESSES", [null]).map((a) => {
      if (a !== null && !net.isIP(a)) throw new Error(`TARGET_ADDRESSES must list IP addresses, got "${a}"`);
      return a;
    }),
  };
}

/** One GET to `address` (or the URL's own host); resolves with the status, rejects on error or timeout. */
function get(url, address, hostHeader, timeoutMs) {
  const hostname = url.hostname.replace(/^\[|\]$/g, ""); // IPv6 literals come bracketed
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "https:" ? https : http).request({
      host: address ?? hostname, port: url.port || undefined, path: url.pathname + url.search, method: "GET",
      headers: { host: hostHeader ?? url.host, "user-agent": "codedeploy-smoke-test" },
      servername: net.isIP(hostname) ? undefined : hostname, agent: false, // SNI and certificate name: the URL's host
    });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${Math.round(timeoutMs)} ms`)), timeoutMs);
    req.on("response", (res) => {
      clearTimeout(timer);
      res.on("error", () => {}).resume(); // only the status matters; a reset mid-body must not crash the function
      resolve(res.statusCode);
    });
    req.on("error", (err) => { clearTimeout(timer); reject(err); });
    req.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Tries one path up to `attempts` times within the deadline; logs one JSON line per request. */
async function checkPath(cfg, path, deadline) {
  const url = buildUrl(cfg.targetUrl, path);
  let last = { error: "time budget exhausted before the first request" };
  let attempt = 0;
  while (attempt < cfg.attempts && Date.now() < deadline) {
    attempt++;
    for (const address of cfg.addresses) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const start = Date.now();
      try {
        const status = await get(url, address, cfg.hostHeader, Math.min(cfg.timeoutMs, left));
        last = { status, ok: cfg.matches(status) };
      } catch (err) {
        last = { error: err.code ?? err.message };
      }
      console.log(JSON.stringify({ path, attempt, ...(address && { address }), ...last, ms: Date.now() - start }));
      if (last.status !== undefined) break; // an answer, right or wrong: no need to try the next address
    }
    if (last.ok) break;
    if (attempt < cfg.attempts) await sleep(Math.min(250 * 2 ** (attempt - 1), Math.max(0, deadline - Date.now())));
  }
  return { path, attempts: attempt, ...last, ok: last.ok === true };
}

export async function handler(event) {
  const started = Date.now();
  let status = "Failed";
  let results = [];
  try {
    const cfg = readConfig();
    const deadline = started + cfg.budgetMs;
    for (const path of cfg.paths) results.push(await checkPath(cfg, path, deadline));
    if (results.every((r) => r.ok)) status = "Succeeded";
  } catch (err) {
    results = [{ error: `smoke test could not run: ${err.message}` }];
  }
  console.log(JSON.stringify({ summary: true, deploymentId: event?.DeploymentId, status, results, ms: Date.now() - started }));
  try {
    await codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event?.DeploymentId, lifecycleEventHookExecutionId: event?.LifecycleEventHookExecutionId, status,
    }));
  } catch (err) {
    console.error(JSON.stringify({ reportFailed: true, status, error: err.message }));
    throw err;
  }
  return { status };
}
