/**
 * Prints the GitHub Actions workflow for the config (delivery mode "github-actions"): copy it to
 * .github/workflows/deploy.yml in the application's repository. Usage: CONFIG=<file> npm run -s github-workflow
 * (with services, each service's own: npm run -s github-workflow -- --service <name>)
 */
import { loadConfigOrExit } from "../src/config";
import { renderWorkflow, workflowShapeOf } from "../src/delivery/github-workflow";

const config = loadConfigOrExit(process.env);
if (config.delivery.mode !== "github-actions") {
  console.error('delivery.mode is "codepipeline": the pipeline deploys; a GitHub workflow is only for delivery mode "github-actions"');
  process.exit(1);
}
const at = process.argv.indexOf("--service");
try {
  process.stdout.write(renderWorkflow(workflowShapeOf(config, at >= 0 ? process.argv[at + 1] : undefined)));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
