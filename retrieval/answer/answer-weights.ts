import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { GATE_FEATURES, type GateModel } from './evidence-gate.js';
import { SHORT_ANSWER_CONFIDENCE_FEATURES, SHORT_ANSWER_FEATURES, type ShortAnswerConfidenceModel, type ShortAnswerModel } from './short-answer-choice.js';

/** The fitted weights the extractive answerer loads: a committed, versioned file written by `npm run fit`. */
export interface AnswerWeights {
  /** Bumped when the feature set changes; a file of another version is refused. */
  readonly version: number;
  /** What the weights were fitted on and how they scored there and on the held-out split. */
  readonly fittedOn: Readonly<Record<string, unknown>>;
  readonly gate: GateModel;
  /** Ranks the candidate phrases of the quoted sentences. */
  readonly shortAnswer: ShortAnswerModel;
  /** How sure the chosen one is, and the threshold for showing it as the answer. */
  readonly shortAnswerConfidence: ShortAnswerConfidenceModel;
}

/** The feature-set version this code reads. */
export const ANSWER_WEIGHTS_VERSION = 1;

/** The committed weights beside this file. */
export const DEFAULT_ANSWER_WEIGHTS_FILE = fileURLToPath(new URL('./answer-weights.json', import.meta.url));

function weightsOf<K extends string>(names: readonly K[]) {
  const shape = Object.fromEntries(names.map((n) => [n, z.number().finite().optional()])) as Record<K, z.ZodOptional<z.ZodNumber>>;
  return z.strictObject(shape);
}

const probability = z.number().min(0).max(1);

const answerWeightsSchema = z.object({
  version: z.literal(ANSWER_WEIGHTS_VERSION),
  fittedOn: z.record(z.string(), z.unknown()),
  gate: z.object({ bias: z.number().finite(), weights: weightsOf(GATE_FEATURES), threshold: probability, reference: weightsOf(GATE_FEATURES) }),
  shortAnswer: z.object({ bias: z.number().finite(), weights: weightsOf(SHORT_ANSWER_FEATURES) }),
  shortAnswerConfidence: z.object({ bias: z.number().finite(), weights: weightsOf(SHORT_ANSWER_CONFIDENCE_FEATURES), threshold: probability }),
});

/**
 * Reads and checks an answer-weights file.
 * @throws ConfigError naming the file and what is wrong with it.
 */
export function readAnswerWeights(file: string = DEFAULT_ANSWER_WEIGHTS_FILE): AnswerWeights {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`answer weights ${file} could not be read: ${(error as Error).message}; restore it with \`git checkout ${file}\` or refit with \`npm run fit\``);
  }
  const parsed = answerWeightsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`answer weights ${file} are not version-${ANSWER_WEIGHTS_VERSION} weights (${issues}); refit with \`npm run fit\``);
  }
  return parsed.data as AnswerWeights;
}

/**
 * The weights the configuration asks for: the file `ANSWER_WEIGHTS` names (else the committed one), with the
 * short-answer threshold replaced by `SHORT_ANSWER_THRESHOLD` when that is set.
 */
export function configuredAnswerWeights(config: { readonly answerWeightsFile?: string; readonly shortAnswerThreshold?: number }): AnswerWeights {
  const weights = readAnswerWeights(config.answerWeightsFile);
  if (config.shortAnswerThreshold === undefined) return weights;
  return { ...weights, shortAnswerConfidence: { ...weights.shortAnswerConfidence, threshold: config.shortAnswerThreshold } };
}
