import { ResolvedEnvironment, StackConfig } from "../config";

/**
 * Durations nobody configures, assumed for the timeline (seconds). Each is printed with the timeline, so
 * a reader can replace it with what their own builds and images take.
 */
export const ASSUMED_SECONDS = {
  /** CodePipeline's source action: fetch and zip the commit. */
  source: 20,
  /** CodeBuild provisioning (about a minute on a small instance), docker build and push of a small image. */
  codebuildBuildAndPush: 240,
  /** GitHub Actions build job: runner start, docker build and push. */
  githubBuildAndPush: 150,
  /** From the deploy action's start to CodeDeploy creating the replacement task set (registering the task definition). */
  deployStart: 20,
  /** A Fargate task from placement to a listening container: provisioning, image pull, start. */
  taskStart: 60,
  /** The smoke test against a healthy release: a cold start and one request per path. */
  smokeTest: 3,
  /** Each of your own lifecycle hooks. */
  userHook: 10,
} as const;

/** Consecutive passing checks before a target counts as healthy (the target groups' setting). */
export const HEALTHY_THRESHOLD = 2;

export interface Phase {
  readonly name: string;
  /** Seconds at the configured settings; undefined for a wait on a person. */
  readonly seconds?: number;
  /** Why, or which assumption. */
  readonly note: string;
}

export interface EnvironmentTimeline {
  readonly environment: string;
  readonly phases: Phase[];
  /** Seconds from the pipeline's (or workflow's) start until 100 % of this environment's traffic is on the new version. */
  readonly toFullTraffic: number;
  /** Seconds until the old tasks are gone (the deployment, and so the pipeline stage, ends). */
  readonly toOldTasksGone: number;
  /** Whether a person must act (an approval, a manual reroute) before the totals hold: they exclude that wait. */
  readonly waitsForAPerson: boolean;
}

/** Seconds from the start of traffic shifting until 100 % is on the new version. */
export function shiftSeconds(deployment: ResolvedEnvironment["deployment"]): { seconds: number; note: string } {
  const custom = deployment.trafficShifting;
  if (custom) {
    const steps = custom.type === "canary" ? 1 : Math.ceil(100 / custom.percent) - 1;
    const note = custom.type === "canary" ? `${custom.percent} %, then the rest after ${custom.intervalMinutes} min` : `${custom.percent} % more every ${custom.intervalMinutes} min`;
    return { seconds: steps * custom.intervalMinutes * 60, note };
  }
  const name = deployment.deploymentConfigName;
  const linear = /Linear(\d+)PercentEvery(\d+)Minutes?$/.exec(name);
  if (linear) return { seconds: (Math.ceil(100 / Number(linear[1])) - 1) * Number(linear[2]) * 60, note: name };
  const canary = /Canary(\d+)Percent(\d+)Minutes$/.exec(name);
  if (canary) return { seconds: Number(canary[2]) * 60, note: name };
  return { seconds: 0, note: `${name}: one step` };
}

/** The phases of one blue/green deployment into this environment, in order. */
export function deploymentPhases(env: ResolvedEnvironment): Phase[] {
  const lb = env.loadBalancer;
  const d = env.deployment;
  const phases: Phase[] = [
    { name: "deployment starts", seconds: ASSUMED_SECONDS.deployStart, note: "assumed" },
    { name: "replacement tasks start", seconds: ASSUMED_SECONDS.taskStart, note: "assumed: provisioning, image pull, start" },
    {
      name: "replacement tasks healthy",
      seconds: lb.healthCheckIntervalSeconds * HEALTHY_THRESHOLD,
      note: `health-check interval ${lb.healthCheckIntervalSeconds} s × ${HEALTHY_THRESHOLD} checks`,
    },
  ];
  const hook = (event: string) => d.hooks[event as keyof typeof d.hooks];
  for (const event of ["BeforeInstall", "AfterInstall"]) {
    if (hook(event)) phases.push({ name: `hook ${event} (${hook(event)})`, seconds: ASSUMED_SECONDS.userHook, note: "assumed" });
  }
  if (d.smokeTest.enabled) {
    phases.push({ name: "smoke test on the test listener", seconds: ASSUMED_SECONDS.smokeTest, note: `assumed when healthy; at most ${d.smokeTest.timeBudgetSeconds} s` });
  } else if (hook("AfterAllowTestTraffic")) {
    phases.push({ name: `hook AfterAllowTestTraffic (${hook("AfterAllowTestTraffic")})`, seconds: ASSUMED_SECONDS.userHook, note: "assumed" });
  }
  if (d.trafficReroute === "manual") phases.push({ name: "reroute", note: `waits for a person (at most ${d.rerouteWaitMinutes} min)` });
  if (hook("BeforeAllowTraffic")) phases.push({ name: `hook BeforeAllowTraffic (${hook("BeforeAllowTraffic")})`, seconds: ASSUMED_SECONDS.userHook, note: "assumed" });
  const shift = shiftSeconds(d);
  phases.push({ name: "traffic shifted to the new version", seconds: shift.seconds, note: shift.note });
  if (hook("AfterAllowTraffic")) phases.push({ name: `hook AfterAllowTraffic (${hook("AfterAllowTraffic")})`, seconds: ASSUMED_SECONDS.userHook, note: "assumed" });
  return phases;
}

/** What follows 100 % traffic until the old tasks are gone. */
export function teardownPhases(env: ResolvedEnvironment): Phase[] {
  return [
    { name: "termination wait (old tasks kept for a rollback)", seconds: env.deployment.terminationWaitMinutes * 60, note: "deployment.terminationWaitMinutes" },
    { name: "old tasks drain", seconds: env.loadBalancer.deregistrationDelaySeconds, note: "loadBalancer.deregistrationDelaySeconds" },
  ];
}

const sum = (phases: Phase[]) => phases.reduce((n, p) => n + (p.seconds ?? 0), 0);

/**
 * One release through every environment, in the pipeline's order: source and build once, then per
 * environment its approval (if any) and its whole deployment. A CodePipeline deploy stage ends when the
 * deployment ends, after the termination wait, so the next environment starts only then.
 */
export function releaseTimeline(config: StackConfig): { build: Phase[]; environments: EnvironmentTimeline[] } {
  const github = config.delivery.mode === "github-actions";
  const build: Phase[] = github
    ? [{ name: "build job: docker build and push", seconds: ASSUMED_SECONDS.githubBuildAndPush, note: "assumed" }]
    : [
        { name: "source", seconds: ASSUMED_SECONDS.source, note: "assumed" },
        { name: "build: docker build and push", seconds: ASSUMED_SECONDS.codebuildBuildAndPush, note: "assumed" },
      ];
  // A workflow deploys only the last environment (its variables name one deployment group).
  if (!config.services.length) return { build, environments: environmentTimelines(github ? config.environments.slice(-1) : config.environments, build, "") };
  // Several services: each has its own pipeline, so each release runs on its own clock.
  return { build, environments: config.services.flatMap((service) => environmentTimelines(service.environments, build, `${service.name}/`)) };
}

function environmentTimelines(deployed: readonly ResolvedEnvironment[], build: Phase[], label: string): EnvironmentTimeline[] {
  let clock = sum(build);
  let person = false;
  return deployed.map((env): EnvironmentTimeline => {
    const phases: Phase[] = [];
    if (env.approval) phases.push({ name: "approval", note: "waits for a person" });
    phases.push(...deploymentPhases(env));
    const toFullTraffic = clock + sum(phases);
    const teardown = teardownPhases(env);
    phases.push(...teardown);
    const toOldTasksGone = toFullTraffic + sum(teardown);
    person ||= phases.some((p) => p.seconds === undefined);
    clock = toOldTasksGone;
    return { environment: `${label}${env.name}`, phases, toFullTraffic, toOldTasksGone, waitsForAPerson: person };
  });
}
