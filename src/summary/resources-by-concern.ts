/** Which concern each resource type serves, for the summary's count (by type prefix, most specific first). */
const CONCERNS: Array<[string, RegExp]> = [
  ["network", /^aws_(vpc|subnet|route|route_table|route_table_association|internet_gateway|nat_gateway|eip|flow_log|default_security_group)$/],
  ["HTTPS", /^aws_(acm_|route53_)/],
  ["load balancer", /^aws_lb/],
  ["security groups", /^aws_(security_group|vpc_security_group_)/],
  ["service", /^aws_(ecs_|appautoscaling_)/],
  ["database", /^aws_db_/],
  ["images", /^aws_ecr_/],
  ["release safety", /^aws_(lambda_|cloudwatch_metric_alarm|sns_)/],
  ["delivery", /^aws_(codepipeline|codebuild_|codedeploy_|codestarconnections_|codecommit_|s3_|iam_openid_connect_provider|cloudwatch_event_)/],
  ["IAM", /^aws_iam_/],
  ["encryption", /^aws_kms_/],
  ["logs", /^aws_cloudwatch_log_group$/],
  ["running-stack guard", /^(terraform_data|aws_ssm_parameter)$/],
];

/** Resource counts of a synthesized stack by concern (anything unlisted under "other"), and the total. */
export function resourcesByConcern(resource: Record<string, Record<string, unknown>>): { byConcern: Record<string, number>; total: number } {
  const byConcern: Record<string, number> = {};
  let total = 0;
  for (const [type, byId] of Object.entries(resource)) {
    const count = Object.keys(byId).length;
    const concern = CONCERNS.find(([, pattern]) => pattern.test(type))?.[0] ?? "other";
    byConcern[concern] = (byConcern[concern] ?? 0) + count;
    total += count;
  }
  return { byConcern, total };
}
