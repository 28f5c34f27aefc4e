import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describeIssues } from '../retrieval/ask-input.js';
import { ConfigError, InputError } from '../retrieval/errors.js';
import { flatMetrics, METRIC_NAMES, type MetricName, type SliceSummary } from './metrics/summarize.js';

/** The targets file next to this module: the one place thresholds live. */
export const TARGETS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'targets.json');

const boundsSchema = z.partialRecord(z.enum(METRIC_NAMES), z.number().finite());

const targetSetSchema = z.object({
  description: z.string(),
  /** Questions drawn with `sampleItems` before running, for sampled gates. */
  sample: z.number().int().min(1).optional(),
  min: boundsSchema.default({}),
  max: boundsSchema.default({}),
});

const targetsSchema = z.object({ $comment: z.string().optional(), sets: z.record(z.string(), targetSetSchema) });

/** One named set of thresholds. */
export type TargetSet = z.infer<typeof targetSetSchema>;
/** The parsed targets file. */
export type Targets = z.infer<typeof targetsSchema>;

/**
 * Loads and validates the targets file; unknown metric names are an error, so a typo cannot
 * silently disable a gate.
 * @throws ConfigError naming the file and the problem.
 */
export function loadTargets(file: string = TARGETS_FILE): Targets {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read targets file ${file}: ${(error as Error).message}`);
  }
  const result = targetsSchema.safeParse(json);
  if (!result.success) throw new ConfigError(`targets file ${file} is invalid: ${describeIssues(result.error)}`);
  return result.data;
}

/** A named target set. @throws InputError listing the known names. */
export function getTargetSet(targets: Targets, name: string): TargetSet {
  const set = targets.sets[name];
  if (!set) throw new InputError(`no target set ${JSON.stringify(name)}: known sets are ${Object.keys(targets.sets).join(', ')}`);
  return set;
}

/** The outcome of one threshold. */
export interface TargetCheck {
  readonly metric: MetricName;
  readonly kind: 'min' | 'max';
  readonly bound: number;
  /** `null` when the run had nothing to measure it on (e.g. no citations at all): that fails. */
  readonly actual: number | null;
  readonly pass: boolean;
}

/** Checks a summary against a target set; a metric with no value fails its threshold. */
export function checkTargets(summary: SliceSummary, set: TargetSet): TargetCheck[] {
  const metrics = flatMetrics(summary);
  const checks: TargetCheck[] = [];
  for (const kind of ['min', 'max'] as const) {
    for (const [metric, bound] of Object.entries(set[kind]) as [MetricName, number][]) {
      const actual = metrics[metric];
      const pass = actual !== null && (kind === 'min' ? actual >= bound - 1e-12 : actual <= bound + 1e-12);
      checks.push({ metric, kind, bound, actual, pass });
    }
  }
  return checks;
}

/** One line per failed threshold, e.g. `citationSupport 0.91 < 0.95`. */
export function describeFailures(checks: readonly TargetCheck[]): string[] {
  return checks
    .filter((c) => !c.pass)
    .map((c) => `${c.metric} ${c.actual === null ? 'not measured' : c.actual.toFixed(4)} ${c.kind === 'min' ? '<' : '>'} ${c.bound}`);
}
