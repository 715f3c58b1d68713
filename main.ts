import { App } from "cdktf";
import { loadConfigOrExit } from "./src/config";
import { BlueGreenStack } from "./src/stack";

// Validate before the App exists, so bad input writes nothing to cdktf.out.
const config = loadConfigOrExit(process.env);
const app = new App();
new BlueGreenStack(app, config.appName, config);
app.synth();
