import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createServer, port } from "../src/server.mjs";

/** Starts a server with this environment on a free port; returns its base URL and a stop function. */
async function serve(env) {
  const server = createServer(env);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, port: server.address().port, stop: () => new Promise((r) => server.close(r)) };
}

/** A port nothing listens on: one a server had a moment ago. */
async function closedPort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port: free } = s.address();
  await new Promise((r) => s.close(r));
  return free;
}

describe("without a database", () => {
  let app;
  before(async () => (app = await serve({ RELEASE: "abc1234" })));
  after(() => app.stop());

  it("serves / with the release", async () => {
    const res = await fetch(`${app.url}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /release abc1234/);
  });

  it("reports healthy on /health", async () => {
    const res = await fetch(`${app.url}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok" });
  });

  it("answers 404 for an unknown path and 405 for a POST", async () => {
    assert.equal((await fetch(`${app.url}/nope`)).status, 404);
    assert.equal((await fetch(`${app.url}/`, { method: "POST" })).status, 405);
  });
});

describe("with a database configured", () => {
  it("reports healthy while the database's port answers", async () => {
    const database = net.createServer((socket) => socket.end());
    await new Promise((resolve) => database.listen(0, "127.0.0.1", resolve));
    const app = await serve({ DATABASE_HOST: "127.0.0.1", DATABASE_PORT: String(database.address().port) });
    try {
      const res = await fetch(`${app.url}/health`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: "ok", database: "reachable" });
    } finally {
      await app.stop();
      await new Promise((r) => database.close(r));
    }
  });

  it("reports 503 when the database cannot be reached, so the deployment is not sent traffic", async () => {
    const app = await serve({ DATABASE_HOST: "127.0.0.1", DATABASE_PORT: String(await closedPort()) });
    try {
      const res = await fetch(`${app.url}/health`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: "degraded", database: "unreachable" });
    } finally {
      await app.stop();
    }
  });
});

describe("the container health check script", () => {
  const script = fileURLToPath(new URL("../src/healthcheck.mjs", import.meta.url));

  it("exits 0 when /health answers 200 and 1 when nothing listens", async () => {
    const app = await serve({});
    try {
      // Run asynchronously: the server answers on this process's event loop.
      const code = await new Promise((resolve) => spawn(process.execPath, [script], { env: { PORT: String(app.port) } }).on("exit", resolve));
      assert.equal(code, 0);
    } finally {
      await app.stop();
    }
    assert.equal(spawnSync(process.execPath, [script], { env: { PORT: String(await closedPort()) } }).status, 1);
  });
});

describe("npm start", () => {
  it("serves on PORT, answers /health, and exits cleanly on SIGTERM as ECS stops a task", async () => {
    const free = await closedPort();
    const child = spawn(process.execPath, [fileURLToPath(new URL("../src/server.mjs", import.meta.url))], { env: { PORT: String(free) }, stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    let output = "";
    await new Promise((resolve) => child.stdout.on("data", (chunk) => (output += chunk) && output.includes("listening") && resolve()));
    const res = await fetch(`http://127.0.0.1:${free}/health`);
    assert.equal(res.status, 200);
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.match(output, /"path":"\/health","status":200/);
  });
});

describe("PORT", () => {
  it("defaults to 8080, the container port in the stack's config, and refuses a bad value", () => {
    assert.equal(port({}), 8080);
    assert.equal(port({ PORT: "3000" }), 3000);
    assert.throws(() => port({ PORT: "http" }), /PORT must be a port number/);
  });
});
