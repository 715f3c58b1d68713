// The container health check (service.healthCheck: ["CMD", "node", "src/healthcheck.mjs"]): exits 0
// when GET /health on this container answers 200, 1 otherwise. Needs nothing but Node, which the image has.
import http from "node:http";

const port = Number(process.env.PORT || 8080);
const request = http.get({ host: "127.0.0.1", port, path: "/health", timeout: 3000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
request.on("timeout", () => request.destroy());
request.on("error", () => process.exit(1));
