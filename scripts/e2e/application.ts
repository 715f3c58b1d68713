import { CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParametersCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import { ResolvedEnvironment, StackConfig } from "../../src/config";
import { physicalName } from "../../src/core/naming";
import { Check, check, ClientConfig, Deployed, DeployedStack, differs } from "./checks";

/**
 * The application's side of a stack (issue 19): the secrets a user stores before deploying, and the
 * checks that the task definition, the service and the task role read back as the config asked.
 */

/**
 * Stores every secret and parameter the config's services read (dummy values), as a user does before the
 * first deploy. A secret the config names by ARN gets the ARN moto gave it (its random suffix differs
 * from the placeholder) as a CONFIG__ override of the top-level service; one named by name is found by
 * the stack's own lookup.
 */
export async function storeApplicationSecrets(config: StackConfig, clientConfig: ClientConfig, overrides: Record<string, string>): Promise<void> {
  const secretsManager = new SecretsManagerClient(clientConfig);
  const ssm = new SSMClient(clientConfig);
  const stored = new Set<string>();
  const sources: Array<[string, ResolvedEnvironment["service"]]> = [["top", config.service], ...config.environments.map((e): [string, ResolvedEnvironment["service"]] => [e.name, e.service])];
  for (const [where, service] of sources) {
    for (const [variable, ref] of Object.entries(service.secrets)) {
      if ("secretsManager" in ref) {
        const name = ref.secretsManager.startsWith("arn:") ? ref.secretsManager.split(":")[6].replace(/-[A-Za-z0-9]{6}$/, "") : ref.secretsManager;
        if (!stored.has(name)) {
          const created = await secretsManager.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ token: "e2e-dummy" }) }));
          stored.add(name);
          if (ref.secretsManager.startsWith("arn:") && where === "top") overrides[`CONFIG__service__secrets__${variable}__secretsManager`] = created.ARN!;
        }
      } else if (!stored.has(ref.ssmParameter)) {
        await ssm.send(new PutParameterCommand({ Name: ref.ssmParameter, Value: "e2e-dummy", Type: "SecureString", Overwrite: true }));
        stored.add(ref.ssmParameter);
      }
    }
  }
}

/** Every environment's application settings, as the APIs read them back. */
export function applicationChecks(stack: DeployedStack, config: StackConfig, clientConfig: ClientConfig): Promise<Check[]> {
  return Promise.all(stack.environments.flatMap((d) => environmentChecks(d, config.environments.find((e) => e.name === d.environment)!, config.appName, clientConfig)));
}

/** One environment's task definition, service and task role, against its resolved settings. */
function environmentChecks(d: Deployed, env: ResolvedEnvironment, appName: string, clientConfig: ClientConfig): Array<Promise<Check>> {
  const ecs = new ECSClient(clientConfig);
  const named = (what: string) => `${d.environment}: ${what}`;
  const s = env.service;
  const taskDefinition = async () => (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: d.taskFamily }))).taskDefinition!;
  const checks = [
    check(named(`task definition runs on ${s.cpuArchitecture}${s.healthCheck ? " with the container's health check" : ""}`), async () => {
      const td = await taskDefinition();
      const container = td.containerDefinitions?.find((c) => c.name === d.containerName);
      return (
        differs("cpuArchitecture", td.runtimePlatform?.cpuArchitecture ?? "X86_64", s.cpuArchitecture) ??
        differs("healthCheck", container?.healthCheck?.command, s.healthCheck?.command)
      );
    }),
    check(named(`ECS service has ECS Exec ${s.enableExecuteCommand ? "on" : "off"}`), async () => {
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster: d.clusterArn, services: [d.serviceName] }));
      return differs("enableExecuteCommand", services?.[0]?.enableExecuteCommand ?? false, s.enableExecuteCommand);
    }),
  ];
  const secretNames = Object.keys(s.secrets);
  if (secretNames.length) {
    checks.push(
      check(named(`container reads ${secretNames.join(", ")} from secrets and parameters that exist`), async () => {
        const container = (await taskDefinition()).containerDefinitions?.find((c) => c.name === d.containerName);
        const secrets = (container?.secrets ?? []).filter((x) => secretNames.includes(x.name!));
        const names = differs("secrets", secrets.map((x) => x.name), secretNames);
        if (names) return names;
        for (const { valueFrom } of secrets) {
          if (valueFrom!.startsWith("arn:aws:secretsmanager:")) {
            // <ARN>[:json-key:version-stage:version-id]: the secret's ARN is the first seven parts.
            await new SecretsManagerClient(clientConfig).send(new DescribeSecretCommand({ SecretId: valueFrom!.split(":").slice(0, 7).join(":") }));
          } else {
            const { InvalidParameters } = await new SSMClient(clientConfig).send(new GetParametersCommand({ Names: [valueFrom!] }));
            if (InvalidParameters?.length) return `no parameter ${valueFrom}`;
          }
        }
        return undefined;
      }),
    );
  }
  const taskRole = physicalName("iamRole", `${appName}-${env.name}`, "ecs-task");
  const statements = s.taskRole?.statements ?? [];
  if (statements.length || s.taskRole?.managedPolicyArns.length) {
    checks.push(
      check(named("task role holds the application's statements and managed policies"), async () => {
        const iam = new IAMClient(clientConfig);
        const { AttachedPolicies } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: taskRole }));
        const attached = differs("managed policies", (AttachedPolicies ?? []).map((p) => p.PolicyArn).sort(), [...(s.taskRole?.managedPolicyArns ?? [])].sort());
        if (attached || !statements.length) return attached;
        const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: taskRole, PolicyName: "application" }));
        const document = JSON.parse(decodeURIComponent(PolicyDocument!));
        return differs("actions", document.Statement.map((st: { Action: string | string[] }) => [st.Action].flat().sort()), statements.map((st) => [...st.actions].sort()));
      }),
    );
  }
  return checks;
}
