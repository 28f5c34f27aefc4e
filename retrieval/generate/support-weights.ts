import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** The named features and limits of sentence verification (`support-weights.json` says how they were chosen). */
export interface SupportWeights {
  /** Weight of the share of the sentence's content words a window holds. */
  readonly termRecall: number;
  /** Weight of the share of the sentence's numbers, dates and names a window holds. */
  readonly factShare: number;
  /** Weight of embedding cosine between sentence and window, when an embedder is loaded. */
  readonly vectorSimilarity: number;
  /** Added per sentence beyond the first in a window: the citation should be the shortest span that supports. */
  readonly extraSentence: number;
  /** Share of the sentence's content words the chosen window must hold to support it. */
  readonly minTermRecall: number;
  /** Content words a sentence without numbers, dates or names must hold to be a claim that can be checked at all. */
  readonly minClaimTerms: number;
  /** Words either side of a number that say what it counts ("trained 2,700 foreign … officers"). */
  readonly numberContextWords: number;
  /** Share of the words around a number in the sentence that must be around that number in the span too. */
  readonly minNumberContext: number;
  /** Longest window, in consecutive sentences of one passage. */
  readonly maxWindowSentences: number;
  /** Windows scored with embeddings (the lexical leaders). */
  readonly maxEmbeddedWindows: number;
}

const supportWeightsSchema = z.object({
  about: z.string(),
  termRecall: z.number().finite(),
  factShare: z.number().finite(),
  vectorSimilarity: z.number().finite(),
  extraSentence: z.number().finite(),
  minTermRecall: z.number().min(0).max(1),
  minClaimTerms: z.int().min(0).max(20),
  numberContextWords: z.int().min(1).max(20),
  minNumberContext: z.number().min(0).max(1),
  maxWindowSentences: z.int().min(1).max(10),
  maxEmbeddedWindows: z.int().min(0).max(1000),
});

/** The committed weights beside this file. */
export const DEFAULT_SUPPORT_WEIGHTS_FILE = fileURLToPath(new URL('./support-weights.json', import.meta.url));

/**
 * Reads and checks a support weights file.
 * @throws ConfigError naming the file and what is wrong with it.
 */
export function readSupportWeights(file = DEFAULT_SUPPORT_WEIGHTS_FILE): SupportWeights {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the support weights ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = supportWeightsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`the support weights ${file} are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
