import { App } from "cdktf";
import { ConfigError, loadConfig } from "./src/config";
import { BlueGreenStack } from "./src/stack";

// Validate before the App exists, so bad input writes nothing to cdktf.out.
let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
const app = new App();
new BlueGreenStack(app, config.appName, config);
app.synth();
