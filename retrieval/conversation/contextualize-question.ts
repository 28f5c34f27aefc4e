import { ABSTENTION_TEXT } from '../../prompts/grounded-answer-prompt.js';
import type { ChatTurn } from '../types.js';

/** A question made retrievable on its own, and what was taken from the conversation to do it. */
export interface ContextualizedQuestion {
  /** The text to search with: the question itself, the question plus carried subject, or a rewritten question. */
  readonly retrievalQuery: string;
  /** Names and key phrases carried over from earlier turns (empty for a self-contained question). */
  readonly carried: readonly string[];
  /**
   * How the question leans on the conversation: `none` (self-contained), `reference` (a pronoun such as
   * "she" or "that"), `ellipsis` ("What about Canada?", "How many?": the previous question is reused).
   */
  readonly followUp: 'none' | 'reference' | 'ellipsis';
}

const PRONOUNS = /\b(he|she|him|her|his|hers|they|them|their|theirs|it|its|itself|himself|herself|themselves)\b/i;
const POSSESSIVES = /\b(its|their|his|her)\b/i;
const DEMONSTRATIVE = /\b(this|that|these|those|there|then)\b(?=\s*(?:[?.!,]|$|\s+(?:is|was|are|were|do|does|did|happen|happened|happens|occur|occurred|mean|means|meant|start|started|begin|began|end|ended|change|changed|come|came|take|took|get|got|affect|affected|cost|matter|work|decision|program|programme|policy|initiative|incident|case|event|law|plan|change|agreement|report|move|step|one|group|organisation|organization|country|person|man|woman|place|time|year|period|agency|company|institute)\b))/i;
const ELLIPSIS_START = /^\s*(?:(?:and|but|so)\s+)?(?:what|how)\s+about\s+(.+?)\s*[?.!]*\s*$/i;
const AND_START = /^\s*(?:and|also|but)\b[\s,]*(.*?)\s*[?.!]*\s*$/i;
/** "And by 2025?", "And in Fiji?": only a new prepositional phrase, to put in place of the previous question's. */
const PHRASE_ELLIPSIS = /^\s*(?:(?:and|but|so|also)\s+)?((in|by|for|during|before|after|since|until|from|at|on|to|with|against|between|among|under|over|within|without|outside|inside|near)\s+[^?.!]+?)\s*[?.!]*\s*$/i;
const QUESTION_WORD = /\b(what|which|who|whom|whose|when|where|why|how)\b/i;

/** The new phrase of a bare phrase follow-up ("And by 2025?" → "by 2025", preposition "by"); null for anything else. */
function phraseFollowUp(question: string): RegExpExecArray | null {
  return QUESTION_WORD.test(question) ? null : PHRASE_ELLIPSIS.exec(question);
}
/** A year with the preposition before it: "in 2023", "by the year 2025", "before the 1990s". */
const YEAR_PHRASE = /\b(?:in|by|for|during|before|after|since|until|from|at|on)\s+(?:the\s+)?(?:(?:end|start|beginning)\s+of\s+)?(?:year\s+)?\d{4}s?\b/i;
const QUESTION_OPENERS = /^(what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|in|on|at|for|of|to|by|from|the|a|an|and|but|so|also|name|tell|list|give|describe|explain|please)$/i;
const FUNCTION_WORDS = new Set(
  'a an the and or but of in on at to for from by with about as into than then that this these those there is are was were be been being do does did has have had can could will would should may might must it its they them their he him his she her hers we us our you your i me my what which who whom whose when where why how not no yes so also very more most many much some any all each other such only just'.split(' '),
);

/** Capitalised only because they open a sentence. */
const SENTENCE_OPENERS = new Set(
  'since however similarly meanwhile moreover furthermore despite although though after before during while today yesterday later earlier instead still yet thus therefore hence amid according besides also additionally finally first firstly second secondly overall traditionally historically currently recently nevertheless nonetheless concerns'.split(' '),
);

/** Runs of capitalised words ("Justice Institute of British Columbia", "JIBC"), skipping a capitalised question opener. */
export function namedPhrases(text: string): string[] {
  const clean = text.replace(/\[\d+\]/g, ' ');
  const out: string[] = [];
  const re = /\b(\p{Lu}[\p{L}\p{N}'’.&-]*)(?:\s+(?:(?:of|de|von|van|der|the|and|for|&)\s+)?\p{Lu}[\p{L}\p{N}'’.&-]*)*/gu;
  for (const m of clean.matchAll(re)) {
    let phrase = m[0].replace(/['’]s$/, '').replace(/[.'’-]+$/, '');
    const words = phrase.split(/\s+/);
    const at = m.index ?? 0;
    const sentenceStart = at === 0 || /[.!?:]\s*$/.test(clean.slice(Math.max(0, at - 3), at)) || /\n\s*$/.test(clean.slice(Math.max(0, at - 2), at));
    while (words.length > 0 && (QUESTION_OPENERS.test(words[0]!) || (sentenceStart && words.length === 1 && (FUNCTION_WORDS.has(words[0]!.toLowerCase()) || SENTENCE_OPENERS.has(words[0]!.toLowerCase()))))) words.shift();
    while (words.length > 0 && /^(of|de|von|van|der|the|and|for|&)$/i.test(words[words.length - 1]!)) words.pop();
    phrase = words.join(' ');
    if (phrase.length < 2 || FUNCTION_WORDS.has(phrase.toLowerCase())) continue;
    if (!out.includes(phrase)) out.push(phrase);
  }
  return out;
}

/** Content words of a question when it names nothing: "the training program" → ["training", "program"]. */
function keyWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []).filter((w) => !FUNCTION_WORDS.has(w) && !QUESTION_OPENERS.test(w) && w.length > 2);
}

function contentCount(question: string): number {
  return keyWords(question).length + namedPhrases(question).length;
}

/** Finds how a question leans on earlier turns, if it does. */
function followUpKind(question: string): ContextualizedQuestion['followUp'] {
  if (ELLIPSIS_START.test(question)) return 'ellipsis';
  if (phraseFollowUp(question)) return 'ellipsis';
  const hasName = namedPhrases(question).length > 0;
  if (PRONOUNS.test(question)) {
    // "Why did Italy halt its patrols?": a possessive after a name in the same question points inside it.
    const onlyPossessive = !/\b(he|she|him|they|them|it|hers|theirs|itself|himself|herself|themselves)\b/i.test(question) && POSSESSIVES.test(question);
    if (!(onlyPossessive && hasName)) return 'reference';
  }
  if (DEMONSTRATIVE.test(question)) return 'reference';
  if (AND_START.test(question)) return 'reference';
  if (contentCount(question) <= 1 && !hasName) return 'ellipsis';
  return 'none';
}

/** How an abstention starts (the answerer's fixed phrase, without its full stop); such a turn names nothing to carry. */
const NO_ANSWER_PREFIX = ABSTENTION_TEXT.replace(/\.$/, '');

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function stripAnswer(content: string): string {
  return content.replace(/\[\d+\]/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Resolves the subject of the conversation for a question that depends on it, so retrieval finds the
 * right passages: "Who is Chen Zhichen?" then "Where did she study?" searches with "Chen Zhichen".
 * Carried, in order: the names in the previous user turn (or what that turn carried, when it was itself a
 * follow-up), up to two names from the answer it got, and the previous question's key words.
 * A self-contained question passes through unchanged. Pure and deterministic.
 * @param maxCarried most phrases carried over. @default 6
 */
export function contextualizeQuestion(question: string, history: readonly ChatTurn[], maxCarried = 6): ContextualizedQuestion {
  const kind = followUpKind(question);
  const userTurns = history.filter((t) => t.role === 'user');
  if (kind === 'none' || userTurns.length === 0) return { retrievalQuery: question, carried: [], followUp: 'none' };

  // The previous user question, itself resolved against the turns before it.
  const lastUserAt = history.map((t) => t.role).lastIndexOf('user');
  const previous = history[lastUserAt]!.content;
  const previousResolved = contextualizeQuestion(previous, history.slice(0, lastUserAt), maxCarried);
  const previousNames = namedPhrases(previous);
  const answerTurn = history.slice(lastUserAt + 1).find((t) => t.role === 'assistant');

  const phrase = kind === 'ellipsis' ? phraseFollowUp(question) : null;
  if (phrase) {
    // "And by 2025?" after "How many … did China train in 2023?": the previous question with the phrase swapped,
    // a year phrase for a year phrase, else the phrase with the same preposition, else added at the end.
    const newPhrase = phrase[1]!.trim().replace(/^\p{Lu}(?=\p{Ll}*\s)/u, (c) => c.toLowerCase());
    const base = (previousResolved.followUp === 'ellipsis' ? previousResolved.retrievalQuery : previous).trim();
    const samePreposition = new RegExp(`\\b${phrase[2]!.toLowerCase()}\\s+(?:the\\s+)?\\p{Lu}[\\p{L}\\p{N}'’.&-]*(?:\\s+\\p{Lu}[\\p{L}\\p{N}'’.&-]*)*`, 'u');
    const old = (/\d{4}/.test(newPhrase) ? YEAR_PHRASE.exec(base) : null) ?? samePreposition.exec(base);
    const rewritten = old ? base.replace(old[0], newPhrase) : `${base.replace(/[?.!]+\s*$/, '')} ${newPhrase}?`;
    const carried = keyWords(old ? base.replace(old[0], ' ') : base).slice(0, 6);
    return { retrievalQuery: rewritten, carried, followUp: 'ellipsis' };
  }

  const ellipsis = kind === 'ellipsis' ? ELLIPSIS_START.exec(question) : null;
  if (ellipsis) {
    // "What about Canada?": ask the previous question again about the new subject.
    const subject = ellipsis[1]!.trim();
    const base = previousResolved.followUp === 'ellipsis' ? previousResolved.retrievalQuery : previous;
    // The name to swap is the question's topic: the first one not used as an adjective ("Chinese police").
    const baseNames = namedPhrases(base);
    const adjectival = (n: string) => /(ese|ian|an|ish|ic|ch|i)$/.test(n) && new RegExp(`${escapeRegExp(n)}\\s+\\p{Ll}`, 'u').test(base);
    const topic = baseNames.find((n) => !adjectival(n)) ?? baseNames[0];
    const replaced = topic !== undefined ? base.replace(topic, subject) : `${base.replace(/[?.!]+\s*$/, '')} ${subject}`;
    const carried = keyWords(base.replace(topic ?? '\u0000', ' ')).slice(0, 6);
    return { retrievalQuery: replaced, carried, followUp: 'ellipsis' };
  }

  // The subject: names the user used, else the names the previous question itself carried; then names in the
  // answer it got ("Which country halted…?" → "Italy"), then the previous question's key words ("halted joint patrols").
  const carried: string[] = [];
  const add = (phrases: readonly string[]) => {
    for (const p of phrases) if (!carried.some((c) => c.toLowerCase() === p.toLowerCase())) carried.push(p);
  };
  add(previousNames.length > 0 ? previousNames : previousResolved.carried);
  if (answerTurn && !answerTurn.content.startsWith(NO_ANSWER_PREFIX)) add(namedPhrases(stripAnswer(answerTurn.content)).filter((p) => !previous.includes(p)).slice(0, 2));
  add(keyWords(previous.replace(/\p{Lu}[\p{L}\p{N}'’.&-]*/gu, ' ')).slice(0, 4));
  // Anything the new question already says is not carried again.
  const lower = question.toLowerCase();
  const kept = carried.filter((c) => !lower.includes(c.toLowerCase())).slice(0, maxCarried);
  if (kept.length === 0) return { retrievalQuery: question, carried: [], followUp: kind };

  if (kind === 'ellipsis' && contentCount(question) === 0) {
    // "How many?" / "When?": keep the new question word, reuse the previous question's content.
    return { retrievalQuery: `${question.replace(/[?.!]+\s*$/, '')} ${kept.join(' ')}?`.replace(/\s+/g, ' '), carried: kept, followUp: kind };
  }
  return { retrievalQuery: `${question.trim()} ${kept.join(' ')}`, carried: kept, followUp: kind };
}
