import { createHash } from "node:crypto";
import { TerraformJson } from "./helpers";

/**
 * What Terraform would know after an apply, for the tests that must see concrete values: every
 * `${…}` expression in the synthesized JSON evaluated, with each resource's computed attributes
 * (ARNs, ids) in the format AWS documents for it, in account 123456789012. Only the functions and
 * attributes this stack uses are known; anything else throws, so a new one is added here on purpose.
 */
export const TEST_ACCOUNT = "123456789012";

type Block = Record<string, any>;

export class TerraformValues {
  readonly region: string;

  constructor(private readonly tf: TerraformJson) {
    this.region = tf.provider.aws[0].region;
  }

  /** The value with every string's `${…}` interpolations evaluated, deeply. */
  evaluate(value: unknown): any {
    if (typeof value === "string") return value.includes("${") ? new Parser(value, this).template() : value;
    if (Array.isArray(value)) return value.map((v) => this.evaluate(v));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.evaluate(v)]));
    return value;
  }

  /** A resource's field as configured, evaluated. */
  field(type: string, name: string, key: string): any {
    const block = this.block(type, name);
    return this.evaluate(block[key]);
  }

  /** A resource or data source attribute, as Terraform would know it after an apply. */
  attribute(path: string[]): any {
    if (path[0] === "data") {
      const [, type, name, attr] = path;
      if (type === "aws_iam_policy_document" && attr === "json") return JSON.stringify(this.policyDocument(name));
      if (type === "aws_secretsmanager_secret" && attr === "arn") {
        // Secrets Manager appends six random characters to a secret's name in its ARN.
        return `arn:aws:secretsmanager:${this.region}:${TEST_ACCOUNT}:secret:${this.tf.data[type][name].name}-AbCdEf`;
      }
      if (type === "aws_elb_service_account" && attr === "arn") {
        // The provider's table (as the ALB User Guide lists the regions' Elastic Load Balancing accounts).
        const account = ({ "eu-central-1": "054676820928", "eu-west-1": "156460612806", "us-east-1": "127311923021" } as Record<string, string>)[this.region];
        if (!account) throw new Error(`no Elastic Load Balancing account known here for ${this.region}`);
        return `arn:aws:iam::${account}:root`;
      }
      throw new Error(`no value known for data.${type}.${name}.${attr}`);
    }
    const [type, name, attr, ...rest] = path;
    const value = this.computed(type, name, attr);
    return rest.reduce((v, step) => v[step], value);
  }

  /** A policy document data source rendered as IAM JSON. */
  policyDocument(name: string): IamPolicy {
    const doc = this.tf.data.aws_iam_policy_document[name];
    if (!doc) throw new Error(`no policy document ${name}`);
    return { Version: "2012-10-17", Statement: (doc.statement as Block[]).map((st) => this.statement(st)) };
  }

  private statement(st: Block): IamStatement {
    const out: IamStatement = { Effect: st.effect ?? "Allow" };
    if (st.sid) out.Sid = st.sid;
    if (st.actions) out.Action = this.evaluate(st.actions);
    if (st.not_actions) out.NotAction = this.evaluate(st.not_actions);
    if (st.resources) out.Resource = this.evaluate(st.resources);
    if (st.principals) {
      out.Principal = {};
      for (const p of st.principals as Block[]) out.Principal[p.type] = [...(out.Principal[p.type] ?? []), ...this.evaluate(p.identifiers)];
    }
    if (st.condition) {
      out.Condition = {};
      for (const c of st.condition as Block[]) out.Condition[c.test] = { ...out.Condition[c.test], [c.variable]: this.evaluate(c.values) };
    }
    return out;
  }

  private block(type: string, name: string): Block {
    const block = this.tf.resource[type]?.[name];
    if (!block) throw new Error(`no resource ${type}.${name}`);
    return block;
  }

  private arn(service: string, resource: string, region = this.region): string {
    return `arn:aws:${service}:${region}:${TEST_ACCOUNT}:${resource}`;
  }

  private computed(type: string, name: string, attr: string): any {
    const f = (key: string) => this.field(type, name, key);
    const id = (length: number) => createHash("sha256").update(`${type}.${name}`).digest("hex").slice(0, length);
    const last = (arn: string) => arn.split("/").pop()!;
    const key = `${type}.${attr}`;
    switch (key) {
      case "aws_iam_role.arn":
        return `arn:aws:iam::${TEST_ACCOUNT}:role/${f("name")}`;
      case "aws_iam_role.id":
      case "aws_iam_role.name":
        return f("name");
      case "aws_iam_openid_connect_provider.arn":
        return `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${String(f("url")).replace(/^https:\/\//, "")}`;
      case "aws_s3_bucket.bucket":
      case "aws_s3_bucket.id":
        return this.block(type, name).bucket ? f("bucket") : `${f("bucket_prefix")}${id(26)}`;
      case "aws_s3_bucket.arn":
        return `arn:aws:s3:::${this.computed(type, name, "bucket")}`;
      case "aws_ecr_repository.arn":
        return this.arn("ecr", `repository/${f("name")}`);
      case "aws_ecr_repository.repository_url":
        return `${TEST_ACCOUNT}.dkr.ecr.${this.region}.amazonaws.com/${f("name")}`;
      case "aws_cloudwatch_log_group.arn":
        return this.arn("logs", `log-group:${f("name")}`);
      case "aws_codebuild_project.arn":
        return this.arn("codebuild", `project/${f("name")}`);
      case "aws_codedeploy_app.arn":
        return this.arn("codedeploy", `application:${f("name")}`);
      case "aws_codedeploy_deployment_group.arn":
        return this.arn("codedeploy", `deploymentgroup:${f("app_name")}/${f("deployment_group_name")}`);
      case "aws_codepipeline.arn":
        return this.arn("codepipeline", f("name"));
      case "aws_codestarconnections_connection.arn":
        return this.arn("codestar-connections", `connection/${id(8)}-0000-4000-8000-${id(12)}`);
      case "aws_codecommit_repository.arn":
        return this.arn("codecommit", f("repository_name"));
      case "aws_ecs_cluster.arn":
      case "aws_ecs_cluster.id":
        return this.arn("ecs", `cluster/${f("name")}`);
      case "aws_ecs_service.id":
      case "aws_ecs_service.arn":
        return this.arn("ecs", `service/${last(f("cluster"))}/${f("name")}`);
      case "aws_ecs_task_definition.arn":
        return `${this.computed(type, name, "arn_without_revision")}:1`;
      case "aws_ecs_task_definition.arn_without_revision":
        return this.arn("ecs", `task-definition/${f("family")}`);
      case "aws_lb.arn":
      case "aws_lb.id":
        return this.arn("elasticloadbalancing", `loadbalancer/app/${f("name")}/${id(16)}`);
      case "aws_lb.dns_name":
        return `${f("name")}-${id(10)}.${this.region}.elb.amazonaws.com`;
      case "aws_lb_listener.arn":
      case "aws_lb_listener.id":
        return `${String(f("load_balancer_arn")).replace(":loadbalancer/", ":listener/")}/${id(16)}`;
      case "aws_lb_listener_rule.arn":
      case "aws_lb_listener_rule.id":
        return `${String(f("listener_arn")).replace(":listener/", ":listener-rule/")}/${id(16)}`;
      case "aws_lb_target_group.arn":
        return this.arn("elasticloadbalancing", `targetgroup/${f("name")}/${id(16)}`);
      case "aws_kms_key.arn":
        return this.arn("kms", `key/${id(8)}-0000-4000-8000-${id(12)}`);
      case "aws_kms_key.key_id":
        return last(this.computed(type, name, "arn"));
      case "aws_sns_topic.arn":
        return this.arn("sns", f("name"));
      case "aws_cloudwatch_event_rule.arn":
        return this.arn("events", `rule/${f("name")}`);
      case "aws_db_instance.master_user_secret":
        return [{ secret_arn: this.arn("secretsmanager", `secret:rds!db-${id(8)}-0000-4000-8000-${id(12)}-AbCdEf`) }];
      case "aws_db_instance.address":
        return `${f("identifier")}.${id(12)}.${this.region}.rds.amazonaws.com`;
      case "aws_security_group.id":
        return `sg-${id(17)}`;
      case "aws_security_group.arn":
        return this.arn("ec2", `security-group/${this.computed(type, name, "id")}`);
      case "aws_subnet.arn":
        return this.arn("ec2", `subnet/${this.computed(type, name, "id")}`);
      case "aws_eip.public_ip":
        return `203.0.113.${parseInt(id(2), 16) % 250}`;
      case "aws_lambda_function.arn":
        return this.arn("lambda", `function:${f("function_name")}`);
      case "aws_cloudwatch_metric_alarm.arn":
        return this.arn("cloudwatch", `alarm:${f("alarm_name")}`);
      case "aws_lb.arn_suffix":
        return this.computed(type, name, "arn").split(":loadbalancer/")[1];
      case "aws_lb_target_group.arn_suffix":
        return this.computed(type, name, "arn").split(":")[5];
      case "aws_subnet.id":
        return `subnet-${id(17)}`;
      case "aws_vpc.id":
        return `vpc-${id(17)}`;
    }
    // Configured fields read back unchanged (names, families, ports…).
    if (attr in this.block(type, name)) return f(attr);
    throw new Error(`no value known for ${type}.${name}.${attr}`);
  }
}

export interface IamStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  Principal?: Record<string, string[]>;
  Condition?: Record<string, Record<string, string[]>>;
}

export interface IamPolicy {
  Version: "2012-10-17";
  Statement: IamStatement[];
}

const FUNCTIONS: Record<string, (...args: any[]) => any> = {
  format: (spec: string, ...args: unknown[]) => {
    let i = 0;
    return spec.replace(/%[sd%]/g, (m) => (m === "%%" ? "%" : String(args[i++])));
  },
  join: (separator: string, list: string[]) => list.join(separator),
  split: (separator: string, text: string) => text.split(separator),
  slice: (list: unknown[], from: number, to: number) => list.slice(from, to),
  element: (list: unknown[], index: number) => list[index % list.length],
  replace: (text: string, search: string, replacement: string) => text.split(search).join(replacement),
  jsonencode: (value: unknown) => JSON.stringify(value),
};

/** A small recursive-descent parser for the Terraform expressions cdktf writes. */
/** HCL's keyword literals. */
const LITERALS: Record<string, boolean | null> = { true: true, false: false, null: null };

class Parser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly values: TerraformValues,
  ) {}

  /** A template: literal text with `${expr}` parts, up to the end or a closing quote. */
  template(inString = false): any {
    const parts: unknown[] = [];
    let literal = "";
    while (this.at < this.text.length) {
      const c = this.text[this.at];
      if (inString && c === '"') break;
      if (inString && c === "\\") {
        const next = this.text[this.at + 1];
        literal += next === "n" ? "\n" : next;
        this.at += 2;
      } else if (this.text.startsWith("${", this.at)) {
        if (literal) parts.push(literal);
        literal = "";
        this.at += 2;
        parts.push(this.expression());
        this.expect("}");
      } else {
        literal += c;
        this.at++;
      }
    }
    if (literal) parts.push(literal);
    // A lone interpolation keeps its type (a list stays a list); mixed parts join into a string.
    return parts.length === 1 && typeof parts[0] !== "string" ? parts[0] : parts.map(String).join("");
  }

  private expression(): any {
    this.space();
    const c = this.text[this.at];
    if (c === '"') {
      this.at++;
      const value = this.template(true);
      this.expect('"');
      return value;
    }
    if (/\d/.test(c)) {
      const m = /^\d+/.exec(this.text.slice(this.at))!;
      this.at += m[0].length;
      return Number(m[0]);
    }
    if (c === "[") {
      this.at++;
      return this.list("]");
    }
    if (c === "{") {
      this.at++;
      return this.object();
    }
    const identifier = this.identifier();
    if (identifier in LITERALS) return LITERALS[identifier];
    this.space();
    if (this.text[this.at] === "(") {
      this.at++;
      const fn = FUNCTIONS[identifier];
      if (!fn) throw new Error(`unknown Terraform function ${identifier}() in ${this.text}`);
      return fn(...this.list(")"));
    }
    const path = [identifier];
    for (;;) {
      if (this.text[this.at] === ".") {
        this.at++;
        path.push(this.identifier());
      } else if (this.text[this.at] === "[") {
        this.at++;
        path.push(String(this.expression()));
        this.expect("]");
      } else break;
    }
    return this.values.attribute(path);
  }

  private list(close: string): any[] {
    const items: any[] = [];
    this.space();
    while (this.text[this.at] !== close) {
      items.push(this.expression());
      this.space();
      if (this.text[this.at] === ",") this.at++;
      this.space();
    }
    this.at++;
    return items;
  }

  /** An object literal: { "key" = expr, … } (cdktf quotes every key). */
  private object(): Record<string, any> {
    const entries: Array<[string, any]> = [];
    this.space();
    while (this.text[this.at] !== "}") {
      const key = String(this.expression());
      this.expect("=");
      entries.push([key, this.expression()]);
      this.space();
      if (this.text[this.at] === ",") this.at++;
      this.space();
    }
    this.at++;
    return Object.fromEntries(entries);
  }

  private identifier(): string {
    const m = /^[A-Za-z_][\w-]*/.exec(this.text.slice(this.at));
    if (!m) throw new Error(`cannot parse "${this.text.slice(this.at, this.at + 30)}" in ${this.text}`);
    this.at += m[0].length;
    return m[0];
  }

  private space(): void {
    while (/\s/.test(this.text[this.at] ?? "")) this.at++;
  }

  private expect(c: string): void {
    this.space();
    if (this.text[this.at] !== c) throw new Error(`expected "${c}" at ${this.at} in ${this.text}`);
    this.at++;
  }
}
