import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import {
  CodeDeployClient,
  PutLifecycleEventHookExecutionStatusCommand,
  type PutLifecycleEventHookExecutionStatusCommandInput,
} from "@aws-sdk/client-codedeploy";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

/** The .mjs module's surface, as this test uses it (tsconfig's commonjs resolution gives it no types). */
interface SmokeTestModule {
  handler(event: { DeploymentId: string; LifecycleEventHookExecutionId: string }): Promise<{ status: string }>;
  parseStatusMatcher(spec: string): (status: number) => boolean;
  buildUrl(base: string, path: string): URL;
}

// A string-typed specifier keeps tsc from resolving the untyped .mjs; vitest loads it as an ES module.
const MODULE_PATH: string = "../src/release-safety/smoke-test/index.mjs";
let smoke: SmokeTestModule;

const codedeploy = mockClient(CodeDeployClient);
const EVENT = { DeploymentId: "d-ABC123XYZ", LifecycleEventHookExecutionId: "hook-exec-42" };
const CONFIG_VARS = [
  "TARGET_URL", "PATHS", "EXPECTED_STATUS", "TIME_BUDGET_SECONDS", "ATTEMPTS",
  "REQUEST_TIMEOUT_SECONDS", "HOST_HEADER", "TARGET_ADDRESSES",
];

/** The inputs of every PutLifecycleEventHookExecutionStatus call, checking that no other command was sent. */
function reports(): PutLifecycleEventHookExecutionStatusCommandInput[] {
  const calls = codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand);
  expect(codedeploy.calls()).toHaveLength(calls.length);
  return calls.map((call) => call.args[0].input);
}

function reported(status: "Succeeded" | "Failed"): PutLifecycleEventHookExecutionStatusCommandInput[] {
  return [{ deploymentId: EVENT.DeploymentId, lifecycleEventHookExecutionId: EVENT.LifecycleEventHookExecutionId, status }];
}

/** The handler's JSON log lines. */
function logLines(): Record<string, unknown>[] {
  return vi.mocked(console.log).mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
}

type Route = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

interface TestServer {
  port: number;
  url: string;
  /** Requests per path. */
  hits: Record<string, number>;
  /** Host header of each request, in order. */
  hosts: (string | undefined)[];
}

const servers: Server[] = [];
const timers: NodeJS.Timeout[] = [];

/** A real HTTP server on 127.0.0.1 and a random port; unknown paths answer 404. */
async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const state = { hits: {} as Record<string, number>, hosts: [] as (string | undefined)[] };
  const server = createServer((req, res) => {
    const path = req.url ?? "";
    state.hits[path] = (state.hits[path] ?? 0) + 1;
    state.hosts.push(req.headers.host);
    const route = routes[path];
    if (route) route(req, res, state.hits[path]);
    else res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://127.0.0.1:${port}`, ...state };
}

const status = (code: number): Route => (_req, res) => res.writeHead(code, { "content-type": "text/plain" }).end(`${code}\n`);
const slow = (ms: number): Route => (_req, res) => {
  timers.push(setTimeout(() => res.writeHead(200).end(), ms));
};

/** A port that refuses connections: listened on, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function setEnv(vars: Record<string, string>): void {
  for (const name of CONFIG_VARS) vi.stubEnv(name, "");
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await run();
  return { result, ms: performance.now() - start };
}

beforeAll(async () => {
  smoke = (await import(MODULE_PATH)) as SmokeTestModule;
});

beforeEach(() => {
  codedeploy.reset();
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: EVENT.LifecycleEventHookExecutionId });
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});
});

afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  for (const timer of timers.splice(0)) clearTimeout(timer);
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
});

describe("smoke test handler", () => {
  it("reports Succeeded once when every path answers 200, logging one line per request and a summary", async () => {
    const server = await startServer({ "/": status(200), "/health": status(200) });
    setEnv({ TARGET_URL: server.url, PATHS: '["/", "/health"]' });

    await expect(smoke.handler(EVENT)).resolves.toEqual({ status: "Succeeded" });

    expect(reports()).toEqual(reported("Succeeded"));
    expect(server.hits).toEqual({ "/": 1, "/health": 1 });
    const lines = logLines();
    expect(lines.slice(0, 2)).toEqual([
      expect.objectContaining({ path: "/", attempt: 1, status: 200, ok: true, ms: expect.any(Number) }),
      expect.objectContaining({ path: "/health", attempt: 1, status: 200, ok: true, ms: expect.any(Number) }),
    ]);
    expect(lines[2]).toMatchObject({ summary: true, deploymentId: EVENT.DeploymentId, status: "Succeeded" });
    expect(lines).toHaveLength(3);
  });

  it("reports Failed once when one path answers 500, after retrying it ATTEMPTS times", async () => {
    const server = await startServer({ "/": status(200), "/api/orders": status(500) });
    setEnv({ TARGET_URL: server.url, PATHS: '["/", "/api/orders"]', ATTEMPTS: "3", TIME_BUDGET_SECONDS: "10" });

    const { result, ms } = await timed(() => smoke.handler(EVENT));

    expect(result).toEqual({ status: "Failed" });
    expect(reports()).toEqual(reported("Failed"));
    expect(server.hits).toEqual({ "/": 1, "/api/orders": 3 });
    expect(logLines().filter((l) => l.path === "/api/orders").map((l) => [l.attempt, l.status])).toEqual([[1, 500], [2, 500], [3, 500]]);
    expect(ms).toBeLessThan(3_000); // backoff stays short
  });

  it("reports Failed once when the server is slower than REQUEST_TIMEOUT_SECONDS, retrying each timeout", async () => {
    const server = await startServer({ "/": slow(20_000) });
    setEnv({ TARGET_URL: server.url, ATTEMPTS: "3", REQUEST_TIMEOUT_SECONDS: "0.2", TIME_BUDGET_SECONDS: "10" });

    const { result, ms } = await timed(() => smoke.handler(EVENT));

    expect(result).toEqual({ status: "Failed" });
    expect(reports()).toEqual(reported("Failed"));
    expect(server.hits).toEqual({ "/": 3 });
    expect(logLines()[0]).toMatchObject({ path: "/", attempt: 1, error: expect.stringMatching(/timeout/) });
    expect(ms).toBeLessThan(3_000);
  });

  it("reports Failed once when the time budget runs out first, cutting the request short", async () => {
    const server = await startServer({ "/": slow(20_000), "/never": status(200) });
    setEnv({ TARGET_URL: server.url, PATHS: '["/", "/never"]', REQUEST_TIMEOUT_SECONDS: "30", TIME_BUDGET_SECONDS: "0.5" });

    const { result, ms } = await timed(() => smoke.handler(EVENT));

    expect(result).toEqual({ status: "Failed" });
    expect(reports()).toEqual(reported("Failed"));
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(2_000);
    expect(server.hits).toEqual({ "/": 1 }); // no time left to retry, nor to try the next path
    const summary = logLines().at(-1);
    expect(summary).toMatchObject({ summary: true, status: "Failed", results: [{ path: "/", ok: false }, { path: "/never", ok: false }] });
  });

  it("reports Failed once when the target refuses connections", async () => {
    const port = await closedPort();
    setEnv({ TARGET_URL: `http://127.0.0.1:${port}`, ATTEMPTS: "3" });

    const { result, ms } = await timed(() => smoke.handler(EVENT));

    expect(result).toEqual({ status: "Failed" });
    expect(reports()).toEqual(reported("Failed"));
    expect(logLines().slice(0, 3).map((l) => [l.attempt, l.error])).toEqual([[1, "ECONNREFUSED"], [2, "ECONNREFUSED"], [3, "ECONNREFUSED"]]);
    expect(ms).toBeLessThan(3_000);
  });

  it("reports Succeeded when a flaky path recovers on the second attempt", async () => {
    const server = await startServer({ "/ready": (req, res, hit) => status(hit === 1 ? 503 : 200)(req, res, hit) });
    setEnv({ TARGET_URL: server.url, PATHS: '["/ready"]', ATTEMPTS: "3" });

    await expect(smoke.handler(EVENT)).resolves.toEqual({ status: "Succeeded" });

    expect(reports()).toEqual(reported("Succeeded"));
    expect(server.hits).toEqual({ "/ready": 2 });
  });

  it("connects to TARGET_ADDRESSES in order, sending TARGET_URL's host as the Host header", async () => {
    let port = 0;
    const hostOnly: Route = (req, res, hit) => status(req.headers.host === `app.internal.example:${port}` ? 200 : 421)(req, res, hit);
    const server = await startServer({ "/health": hostOnly });
    port = server.port;
    // 127.0.0.2 is loopback too, but nothing listens there: refused, so the next address is tried.
    setEnv({
      TARGET_URL: `http://app.internal.example:${port}`,
      PATHS: '["/health"]',
      TARGET_ADDRESSES: '["127.0.0.2", "127.0.0.1"]',
      ATTEMPTS: "1",
    });

    await expect(smoke.handler(EVENT)).resolves.toEqual({ status: "Succeeded" });

    expect(reports()).toEqual(reported("Succeeded"));
    expect(server.hosts).toEqual([`app.internal.example:${port}`]);
    expect(logLines().slice(0, 2)).toEqual([
      expect.objectContaining({ address: "127.0.0.2", error: "ECONNREFUSED" }),
      expect.objectContaining({ address: "127.0.0.1", status: 200, ok: true }),
    ]);
  });

  it("stops at the first of TARGET_ADDRESSES that answers", async () => {
    const server = await startServer({ "/": status(200) });
    setEnv({ TARGET_URL: `http://app.internal.example:${server.port}`, TARGET_ADDRESSES: '["127.0.0.1", "127.0.0.2"]' });

    await expect(smoke.handler(EVENT)).resolves.toEqual({ status: "Succeeded" });

    expect(reports()).toEqual(reported("Succeeded"));
    expect(logLines().filter((l) => !l.summary)).toEqual([expect.objectContaining({ address: "127.0.0.1", status: 200 })]);
  });

  it("sends HOST_HEADER instead when it is set", async () => {
    const server = await startServer({ "/": status(200) });
    setEnv({ TARGET_URL: server.url, HOST_HEADER: "shop.example.com" });

    await expect(smoke.handler(EVENT)).resolves.toEqual({ status: "Succeeded" });

    expect(server.hosts).toEqual(["shop.example.com"]);
    expect(reports()).toEqual(reported("Succeeded"));
  });

  it("matches statuses with the ALB matcher and follows no redirect", async () => {
    const server = await startServer({
      "/login": (_req, res) => res.writeHead(302, { location: "/broken" }).end(),
      "/broken": status(500),
    });
    setEnv({ TARGET_URL: server.url, PATHS: '["/login"]', EXPECTED_STATUS: "200-399" });

    await expect(smoke.handler(EVENT)).resolves.toEqual({ status: "Succeeded" });

    expect(reports()).toEqual(reported("Succeeded"));
    expect(server.hits).toEqual({ "/login": 1 });
  });

  it("reports Failed, without throwing, when its configuration is wrong", async () => {
    setEnv({ TARGET_URL: "http://127.0.0.1:9", PATHS: "/health" });
    await expect(smoke.handler(EVENT)).resolves.toEqual({ status: "Failed" });
    expect(reports()).toEqual(reported("Failed"));

    codedeploy.resetHistory();
    setEnv({ PATHS: '["/"]' }); // no TARGET_URL
    await expect(smoke.handler(EVENT)).resolves.toEqual({ status: "Failed" });
    expect(reports()).toEqual(reported("Failed"));
    expect(logLines().at(-1)).toMatchObject({ status: "Failed", results: [{ error: expect.stringMatching(/TARGET_URL/) }] });

    codedeploy.resetHistory();
    setEnv({ TARGET_URL: "http://127.0.0.1:9", EXPECTED_STATUS: "2xx" });
    await expect(smoke.handler(EVENT)).resolves.toEqual({ status: "Failed" });
    expect(reports()).toEqual(reported("Failed"));
  });

  it("rejects when reporting to CodeDeploy fails, having tried to report exactly once", async () => {
    const server = await startServer({ "/": status(200) });
    setEnv({ TARGET_URL: server.url });
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new Error("AccessDeniedException: not authorized"));

    await expect(smoke.handler(EVENT)).rejects.toThrow(/not authorized/);

    expect(reports()).toEqual(reported("Succeeded"));
    expect(console.error).toHaveBeenCalledTimes(1);
  });
});

describe("parseStatusMatcher", () => {
  it("parses a single code", () => {
    const m = smoke.parseStatusMatcher("200");
    expect([m(200), m(201), m(199), m(500)]).toEqual([true, false, false, false]);
  });

  it("parses a range, inclusive", () => {
    const m = smoke.parseStatusMatcher("200-399");
    expect([m(199), m(200), m(302), m(399), m(400)]).toEqual([false, true, true, true, false]);
  });

  it("parses a comma list, and lists mixing codes and ranges", () => {
    const m = smoke.parseStatusMatcher("200,204");
    expect([m(200), m(201), m(204)]).toEqual([true, false, true]);
    const mixed = smoke.parseStatusMatcher("200, 301-302");
    expect([mixed(200), mixed(302), mixed(303)]).toEqual([true, true, false]);
  });

  it.each(["", "2xx", "20", "200-", "399-200", "600", "200,,204", "099"])("rejects %j", (spec) => {
    expect(() => smoke.parseStatusMatcher(spec)).toThrow(/EXPECTED_STATUS/);
  });
});

describe("buildUrl", () => {
  it("joins the base URL and a path, keeping the port and the query", () => {
    expect(smoke.buildUrl("http://my-alb-123.eu-west-1.elb.amazonaws.com:8080", "/health?deep=1").href).toBe(
      "http://my-alb-123.eu-west-1.elb.amazonaws.com:8080/health?deep=1",
    );
  });

  it("keeps a base path prefix and adds a missing leading slash", () => {
    expect(smoke.buildUrl("https://example.com/api/", "orders").href).toBe("https://example.com/api/orders");
    expect(smoke.buildUrl("https://example.com", "/").href).toBe("https://example.com/");
  });

  it("refuses a non-HTTP base", () => {
    expect(() => smoke.buildUrl("ftp://example.com", "/")).toThrow(/http/);
  });
});
