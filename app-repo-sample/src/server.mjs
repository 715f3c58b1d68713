// The sample application: a plain Node.js HTTP service with what the platform relies on.
//   GET /        a page naming the release it serves
//   GET /health  200 when the service can serve; 503 when a configured database cannot be reached
// It listens on PORT (default 8080, the container port in the stack's config), logs one JSON line per
// request to stdout (the task's awslogs driver ships stdout to CloudWatch), and on SIGTERM (ECS stopping
// the task after the load balancer has drained it) finishes open requests before it exits.
import http from "node:http";
import net from "node:net";
import { fileURLToPath } from "node:url";

/** How long /health waits for the database's port before it reports it unreachable. */
const DATABASE_TIMEOUT_MS = 2000;

/** Whether a TCP connection to host:port opens within the timeout: reachability, not a login. */
export function canConnect(host, port, timeoutMs = DATABASE_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The database the stack configured (database.enabled sets DATABASE_HOST and DATABASE_PORT), if any. */
function configuredDatabase(env) {
  if (!env.DATABASE_HOST) return undefined;
  return { host: env.DATABASE_HOST, port: Number(env.DATABASE_PORT || 5432) };
}

export async function health(env = process.env) {
  const database = configuredDatabase(env);
  if (!database) return { status: 200, body: { status: "ok" } };
  const reachable = await canConnect(database.host, database.port);
  return { status: reachable ? 200 : 503, body: { status: reachable ? "ok" : "degraded", database: reachable ? "reachable" : "unreachable" } };
}

export function createServer(env = process.env) {
  const release = env.RELEASE || "dev";
  return http.createServer(async (req, res) => {
    const started = Date.now();
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
      console.log(JSON.stringify({ method: req.method, path: req.url, status, ms: Date.now() - started }));
    };
    const path = new URL(req.url, "http://localhost").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "method not allowed\n");
    if (path === "/health") {
      const result = await health(env);
      return send(result.status, "application/json", JSON.stringify(result.body));
    }
    if (path === "/") return send(200, "text/html; charset=utf-8", `<!doctype html><title>bluegreen</title><h1>Hello from release ${escapeHtml(release)}</h1>\n`);
    return send(404, "text/plain", "not found\n");
  });
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function port(env = process.env) {
  const value = Number(env.PORT || 8080);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  return value;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = createServer();
  server.listen(port(), () => console.log(JSON.stringify({ listening: server.address().port })));
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}
