import { QUESTION_WORDS } from '../retrieval/text/lexicon.js';

/** Question types the reports break metrics down by; the seed set names them, SQuAD questions are classified. */
export const QUESTION_TYPES = ['who', 'when', 'how-many', 'how-much', 'where', 'which', 'what', 'why', 'how', 'list', 'other'] as const;

/** One of {@link QUESTION_TYPES}. */
export type QuestionType = (typeof QUESTION_TYPES)[number];

const TIME_NOUNS = new Set(['year', 'years', 'date', 'day', 'month', 'century', 'decade', 'time', 'period', 'era', 'season', 'age']);

/**
 * Classifies a question by its first question word, with the refinements that matter for answer types:
 * "how many" / "how much", and "what/which year|date|century…" as `when`. Deterministic and
 * deliberately simple, so the breakdown is reproducible; questions without a question word are `other`.
 */
export function classifyQuestion(question: string): QuestionType {
  const words = question.toLowerCase().match(/[a-z]+/g) ?? [];
  const at = words.findIndex((w) => QUESTION_WORDS.has(w));
  if (at === -1) return 'other';
  const word = words[at]!;
  const next = words[at + 1] ?? '';
  switch (word) {
    case 'who':
    case 'whom':
    case 'whose':
      return 'who';
    case 'when':
      return 'when';
    case 'where':
      return 'where';
    case 'why':
      return 'why';
    case 'how':
      if (next === 'many') return 'how-many';
      if (next === 'much') return 'how-much';
      return 'how';
    case 'what':
    case 'which':
      if (TIME_NOUNS.has(next)) return 'when';
      return word;
    default:
      return 'other';
  }
}
