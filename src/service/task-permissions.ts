import { Construct } from "constructs";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { PolicyStatement, ServiceRole } from "../security/iam";
import { TaskRoleSettings, TaskRoleStatement } from "./task-role-config";

export interface TaskPermissionsProps {
  readonly taskRole: ServiceRole;
  /** The application's statements and managed policies (`service.taskRole`). @default none */
  readonly settings?: TaskRoleSettings;
  /** Let ECS Exec open sessions into the containers. @default false */
  readonly executeCommand?: boolean;
}

/** What the application's tasks may do in AWS: its own statements and managed policies, and ECS Exec's channels when enabled. */
export class TaskPermissions extends Construct {
  constructor(scope: Construct, id: string, props: TaskPermissionsProps) {
    super(scope, id);
    const statements = props.settings?.statements ?? [];
    if (statements.length) props.taskRole.addPolicy("application", statements.map(policyStatement));
    for (const arn of props.settings?.managedPolicyArns ?? []) {
      // Keyed by the policy's name, so that removing one attachment leaves the others' addresses alone.
      new IamRolePolicyAttachment(this, `managed-${arn.split(":").pop()!.replace(/\//g, "-")}`, { role: props.taskRole.role.name, policyArn: arn });
    }
    if (props.executeCommand) {
      props.taskRole.addPolicy("execute-command", [
        {
          sid: "EcsExecChannels",
          // The SSM agent in the task opens the session channels ECS Exec uses
          // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html).
          actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
          // "*": these ssmmessages actions have no resource type in AWS's authorization reference.
          resources: ["*"],
        },
      ]);
    }
  }
}

function policyStatement(st: TaskRoleStatement): PolicyStatement {
  return {
    ...(st.sid ? { sid: st.sid } : {}),
    effect: st.effect,
    actions: st.actions,
    resources: st.resources,
    ...(st.conditions
      ? {
          condition: Object.entries(st.conditions).flatMap(([test, keys]) =>
            Object.entries(keys).map(([variable, values]) => ({ test, variable, values: Array.isArray(values) ? values : [values] })),
          ),
        }
      : {}),
  };
}
