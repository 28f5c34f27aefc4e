/**
 * Numbered passages from the seed document, as the generative answerer would hand them to a model: its paragraphs
 * of some length, in document order, so a prompt over them is the size of a real one (six passages, ~800 tokens).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PromptSource } from '../../../prompts/grounded-answer-prompt.js';
import { SEED_DOC_ID } from '../../__fixtures__/seed-questions.js';

const SEED_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'seeds', SEED_DOC_ID);

/** The first `count` paragraphs of at least 300 characters, numbered from 1. */
export function seedPassages(count = 6): PromptSource[] {
  return readFileSync(SEED_FILE, 'utf8')
    .split(/\n+/)
    .filter((paragraph) => paragraph.length >= 300)
    .slice(0, count)
    .map((text, i) => ({ n: i + 1, docId: SEED_DOC_ID, heading: null, text }));
}
