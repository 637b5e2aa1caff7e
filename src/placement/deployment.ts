/**
 * Deployment analysis: which of a workload's jobs fit a FaaS provider's limits, and whether the whole
 * should go `serverless`, `hybrid` or `traditional`, with the reason for every job.
 *
 * @module
 */
import { freeze } from "immer";
import { z } from "zod";
import { ValidationError, type ValidationIssue } from "../core/errors.js";
import { parseWith } from "../core/validation.js";

/** What a FaaS provider allows one invocation. */
export interface ProviderLimits {
  /** Largest memory setting, MB (MiB). */
  readonly maxMemoryMb: number;
  /** Longest run, seconds. */
  readonly maxDurationSec: number;
  /** Largest request / response payload, MB. */
  readonly maxPayloadMb: number;
  /** Whether functions may keep local state between invocations (built-in providers: no). */
  readonly supportsLocalState: boolean;
}

/** Built-in providers. */
export type BuiltInProvider = "aws_lambda" | "google_cloud_functions" | "azure_functions";

/**
 * Published limits: AWS Lambda 10,240 MB / 900 s / 6 MB (synchronous payload); Google Cloud Functions
 * (2nd gen) 32 GiB / 60 min / 10 MB; Azure Functions (Premium) 14 GB / 10 min / 100 MB.
 */
export const PROVIDER_LIMITS: Readonly<Record<BuiltInProvider, ProviderLimits>> = freeze({
  aws_lambda: { maxMemoryMb: 10_240, maxDurationSec: 900, maxPayloadMb: 6, supportsLocalState: false },
  google_cloud_functions: { maxMemoryMb: 32 * 1024, maxDurationSec: 60 * 60, maxPayloadMb: 10, supportsLocalState: false },
  azure_functions: { maxMemoryMb: 14 * 1024, maxDurationSec: 10 * 60, maxPayloadMb: 100, supportsLocalState: false },
});

/** What a job keeps between runs: nothing, state in an external store, or local state on the machine. */
export type JobState = "none" | "external" | "local";

/** One job of a workload. */
export interface DeploymentJob {
  readonly id: string;
  readonly memoryMb: number;
  readonly durationSec: number;
  /** Largest request or response, MB (default 0). */
  readonly payloadMb?: number;
  /** Default `"none"`. */
  readonly state?: JobState;
}

/** Where jobs should run. */
export interface DeploymentPolicy {
  /** A built-in provider or the name of one in `customProviders` (default `"aws_lambda"`). */
  readonly provider: string;
  /** Function memory setting, MB; jobs needing more do not fit (default: the provider's maximum). */
  readonly memoryMb: number;
  /** Function timeout, seconds; longer jobs do not fit (default: the provider's maximum). */
  readonly timeoutSec: number;
  /** Whether jobs that do not fit may run on VMs / edges (default `true`). */
  readonly fallbackToVm: boolean;
  /** Extra providers (self-hosted or other clouds) by name. */
  readonly customProviders: Readonly<Record<string, ProviderLimits>>;
}

export type DeploymentRecommendation = "serverless" | "hybrid" | "traditional";

/** The verdict on one job. */
export interface JobVerdict {
  readonly jobId: string;
  readonly target: "faas" | "vm";
  /** Why: the limits it fits, or each limit it breaks. */
  readonly reasons: readonly string[];
}

export interface DeploymentAnalysis {
  readonly recommendation: DeploymentRecommendation;
  readonly provider: string;
  readonly limits: ProviderLimits;
  readonly jobs: readonly JobVerdict[];
  /** Jobs that need a VM while the policy forbids falling back to one (empty when none). */
  readonly blocked: readonly string[];
  readonly summary: string;
}

const positive = z.number().finite().positive();
const limitsSchema = z
  .object({ maxMemoryMb: positive, maxDurationSec: positive, maxPayloadMb: positive, supportsLocalState: z.boolean().default(false) })
  .strict();

export const policyInputSchema = z
  .object({
    provider: z.string().trim().min(1).default("aws_lambda"),
    memoryMb: positive.optional(),
    timeoutSec: positive.optional(),
    fallbackToVm: z.boolean().default(true),
    customProviders: z.record(z.string().trim().min(1), limitsSchema).default({}),
  })
  .strict();

export const deploymentJobSchema = z
  .object({
    id: z.string().trim().min(1, "must not be empty"),
    memoryMb: positive,
    durationSec: positive,
    payloadMb: z.number().finite().nonnegative().default(0),
    state: z.enum(["none", "external", "local"]).default("none"),
  })
  .strict();

const jobsSchema = z
  .array(deploymentJobSchema)
  .min(1, "give at least one job")
  .superRefine((jobs, ctx) => {
    const seen = new Set<string>();
    jobs.forEach((job, i) => {
      if (seen.has(job.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate job id "${job.id}"` });
      seen.add(job.id);
    });
  });

/** The input form of a policy (every field optional). */
export type DeploymentPolicyInput = z.input<typeof policyInputSchema>;

function limitsOf(provider: string, custom: Readonly<Record<string, ProviderLimits>>): ProviderLimits | undefined {
  return Object.hasOwn(custom, provider) ? custom[provider] : Object.hasOwn(PROVIDER_LIMITS, provider) ? PROVIDER_LIMITS[provider as BuiltInProvider] : undefined;
}

/**
 * Validates a deployment policy and fills in safe defaults: AWS Lambda, memory and timeout at the
 * provider's maximum, fallback to VMs allowed. Every problem is reported at once, e.g. an unknown
 * provider or a memory setting above the provider's limit.
 *
 * @example
 * ```ts
 * loadDeploymentPolicy({ provider: "azure_functions", timeoutSec: 300 });
 * loadDeploymentPolicy(JSON.parse(text)); // throws ValidationError naming each bad field
 * ```
 */
export function loadDeploymentPolicy(input: unknown = {}): DeploymentPolicy {
  const parsed = parseWith(policyInputSchema, input === undefined ? {} : input, "policy");
  const limits = limitsOf(parsed.provider, parsed.customProviders);
  if (limits === undefined) {
    const known = [...Object.keys(PROVIDER_LIMITS), ...Object.keys(parsed.customProviders)].join(", ");
    throw ValidationError.of("policy.provider", `unknown provider "${parsed.provider}"; known: ${known}`, "unknown_provider");
  }
  const issues: ValidationIssue[] = [];
  if (parsed.memoryMb !== undefined && parsed.memoryMb > limits.maxMemoryMb) {
    issues.push({ path: "policy.memoryMb", message: `${parsed.memoryMb} MB exceeds ${parsed.provider}'s limit of ${limits.maxMemoryMb} MB`, code: "too_big" });
  }
  if (parsed.timeoutSec !== undefined && parsed.timeoutSec > limits.maxDurationSec) {
    issues.push({ path: "policy.timeoutSec", message: `${parsed.timeoutSec} s exceeds ${parsed.provider}'s limit of ${limits.maxDurationSec} s`, code: "too_big" });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return freeze(
    {
      provider: parsed.provider,
      memoryMb: parsed.memoryMb ?? limits.maxMemoryMb,
      timeoutSec: parsed.timeoutSec ?? limits.maxDurationSec,
      fallbackToVm: parsed.fallbackToVm,
      customProviders: parsed.customProviders,
    },
    true,
  );
}

/**
 * Recommends `serverless` when every job fits the provider (limits inclusive), `traditional` when none
 * does, `hybrid` otherwise, with the reason for each job.
 *
 * @example
 * ```ts
 * const analysis = analyzeDeployment(
 *   [{ id: "resize", memoryMb: 512, durationSec: 3 }, { id: "train", memoryMb: 24_000, durationSec: 7200 }],
 *   { provider: "aws_lambda" },
 * );
 * analysis.recommendation; // "hybrid": resize on Lambda, train on a VM (memory and duration over the limits)
 * ```
 */
export function analyzeDeployment(jobs: readonly DeploymentJob[], policyInput: unknown = {}): DeploymentAnalysis {
  const parsedJobs = parseWith(jobsSchema, jobs, "jobs");
  const policy = loadDeploymentPolicy(policyInput);
  const limits = limitsOf(policy.provider, policy.customProviders) as ProviderLimits;
  const verdicts: JobVerdict[] = parsedJobs.map((job) => {
    const broken: string[] = [];
    if (job.memoryMb > policy.memoryMb) {
      broken.push(
        policy.memoryMb < limits.maxMemoryMb
          ? `needs ${job.memoryMb} MB, above the policy's ${policy.memoryMb} MB`
          : `needs ${job.memoryMb} MB, above ${policy.provider}'s ${limits.maxMemoryMb} MB limit`,
      );
    }
    if (job.durationSec > policy.timeoutSec) {
      broken.push(
        policy.timeoutSec < limits.maxDurationSec
          ? `runs ${job.durationSec} s, beyond the policy's ${policy.timeoutSec} s timeout`
          : `runs ${job.durationSec} s, beyond ${policy.provider}'s ${limits.maxDurationSec} s limit`,
      );
    }
    if (job.payloadMb > limits.maxPayloadMb) {
      broken.push(`payload ${job.payloadMb} MB exceeds ${policy.provider}'s ${limits.maxPayloadMb} MB limit`);
    }
    if (job.state === "local" && !limits.supportsLocalState) {
      broken.push(`keeps local state, which ${policy.provider} functions do not retain between invocations`);
    }
    return broken.length === 0
      ? {
          jobId: job.id,
          target: "faas",
          reasons: [
            `fits ${policy.provider}: ${job.memoryMb}/${policy.memoryMb} MB, ${job.durationSec}/${policy.timeoutSec} s, ` +
              `payload ${job.payloadMb}/${limits.maxPayloadMb} MB` +
              (job.state === "external" ? ", state kept in an external store" : ""),
          ],
        }
      : { jobId: job.id, target: "vm", reasons: broken };
  });
  const onVm = verdicts.filter((v) => v.target === "vm").map((v) => v.jobId);
  const recommendation: DeploymentRecommendation =
    onVm.length === 0 ? "serverless" : onVm.length === verdicts.length ? "traditional" : "hybrid";
  const blocked = policy.fallbackToVm ? [] : onVm;
  const summary =
    recommendation === "serverless"
      ? `all ${verdicts.length} jobs fit ${policy.provider}`
      : recommendation === "traditional"
        ? `no job fits ${policy.provider}; run all ${verdicts.length} on VMs or edges`
        : `${verdicts.length - onVm.length} of ${verdicts.length} jobs fit ${policy.provider}; ${onVm.join(", ")} stay on VMs or edges`;
  return freeze(
    {
      recommendation,
      provider: policy.provider,
      limits,
      jobs: verdicts,
      blocked,
      summary: blocked.length > 0 ? `${summary} (but the policy forbids VM fallback for ${blocked.join(", ")})` : summary,
    },
    true,
  );
}
