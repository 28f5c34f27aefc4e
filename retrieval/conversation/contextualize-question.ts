import { ABSTENTION_TEXT } from '../../prompts/grounded-answer-prompt.js';
import { QUESTION_WORDS, STOPWORDS } from '../text/lexicon.js';
import { closingPunctuationStart, containsCodeUnit, dropFinalPunctuation, isFinalPunctuation, isLineTerminator, isSpace, runEndAfter, runStartBefore, type CodeUnitTest } from '../text/scan-text.js';
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

const PRONOUNS = /\b(?:he|she|him|her|his|hers|they|them|their|theirs|it|its|itself|himself|herself|themselves)\b/i;
const POSSESSIVES = /\b(?:its|their|his|her)\b/i;
const NON_POSSESSIVE_PRONOUNS = /\b(?:he|she|him|they|them|it|hers|theirs|itself|himself|herself|themselves)\b/i;
/** "that" followed by the end of the question or by a verb or noun it stands for ("When did that happen?"). */
const DEMONSTRATIVE = /\b(?:this|that|these|those|there|then)(?=\s*(?:[?.!,]|$)|\s+(?:is|was|are|were|do|does|did|happen|happened|happens|occur|occurred|mean|means|meant|start|started|begin|began|end|ended|change|changed|come|came|take|took|get|got|affect|affected|cost|matter|work|decision|program|programme|policy|initiative|incident|case|event|law|plan|agreement|report|move|step|one|group|organisation|organization|country|person|man|woman|place|time|year|period|agency|company|institute)\b)/i;
/** "What about …": the opening only; the subject and closing punctuation are found by scanning (see {@link ellipsisSubject}). */
const ELLIPSIS_OPENING = /^\s*(?:(?:and|but|so)\s+)?(?:what|how)\s+about(?=\s)/i;
const AND_OPENING = /^\s*(?:and|also|but)\b/i;
/** "And by 2025?", "And in Fiji?": the opening up to the preposition; see {@link phraseFollowUp}. */
const PHRASE_OPENING = /^\s*(?:(?:and|but|so|also)\s+)?(in|by|for|during|before|after|since|until|from|at|on|to|with|against|between|among|under|over|within|without|outside|inside|near)(?=\s)/i;
const QUESTION_WORD = new RegExp(`\\b(?:${[...QUESTION_WORDS].join('|')})\\b`, 'i');
/** A name after a preposition and its spaces: "the Solomon Islands", "Fiji". Sticky: tried right after the spaces. */
const NAME_AFTER_PREPOSITION = /(?:the\s+)?\p{Lu}[\p{L}\p{N}'’.&-]*(?:\s+\p{Lu}[\p{L}\p{N}'’.&-]*)*/uy;
const LOWER_CASE_LETTER = /\p{Ll}/uy;

/**
 * Most names taken from any one turn. A question names a handful of things; a turn of thousands of capitalised
 * words (the probe's "many distinct capitalised words") would otherwise make every name-by-name check below cost
 * names × turn length.
 */
const MAX_NAMES_PER_TURN = 32;

/**
 * The subject of "What about Canada?" ("Canada"), trimmed; null when the question is not of that form.
 * Exactly what `^\s*(?:(?:and|but|so)\s+)?(?:what|how)\s+about\s+(.+?)\s*[?.!]*\s*$` captured, found in one pass:
 * that pattern backtracked cubically on a run of spaces (7.7 s for "what about x" + 1,980 spaces + "y").
 */
function ellipsisSubject(question: string): string | null {
  const opening = ELLIPSIS_OPENING.exec(question);
  if (!opening) return null;
  const spacesStart = opening[0].length;
  const subjectStart = runEndAfter(question, spacesStart, isSpace);
  if (subjectStart === question.length) {
    // Nothing after "about" but spaces: the pattern took the last space as the subject, which trims to nothing.
    return subjectStart - spacesStart >= 2 && !isLineTerminator(question.charCodeAt(subjectStart - 1)) ? '' : null;
  }
  const subjectEnd = Math.max(subjectStart + 1, closingPunctuationStart(question));
  if (containsCodeUnit(question, subjectStart, subjectEnd, isLineTerminator)) return null;
  return question.slice(subjectStart, subjectEnd).trim();
}

/** Whether the question opens with "and", "also" or "but" on one line ("And where was she born?"), as `^\s*(?:and|also|but)\b[\s,]*.*?\s*[?.!]*\s*$` did. */
function opensWithConjunction(question: string): boolean {
  const opening = AND_OPENING.exec(question);
  if (!opening) return false;
  const restStart = runEndAfter(question, opening[0].length, (c) => c === 0x2c || isSpace(c));
  return !containsCodeUnit(question, restStart, closingPunctuationStart(question), isLineTerminator);
}

/** A bare phrase follow-up: the new phrase and its preposition ("And by 2025?" → "by 2025", "by"). */
interface PhraseFollowUp {
  readonly phrase: string;
  readonly preposition: string;
}

/**
 * The new phrase of a bare phrase follow-up; null for anything else, and for a question with a question word.
 * Exactly what `^\s*(?:(?:and|but|so|also)\s+)?((in|by|…)\s+[^?.!]+?)\s*[?.!]*\s*$` captured, in one pass.
 */
function phraseFollowUp(question: string): PhraseFollowUp | null {
  if (QUESTION_WORD.test(question)) return null;
  const opening = PHRASE_OPENING.exec(question);
  if (!opening) return null;
  const preposition = opening[1]!;
  const phraseStart = opening[0].length - preposition.length;
  const spacesStart = opening[0].length;
  const restStart = runEndAfter(question, spacesStart, isSpace);
  const closing = closingPunctuationStart(question);
  if (restStart < question.length) {
    const phraseEnd = Math.max(restStart + 1, closing);
    if (!containsCodeUnit(question, restStart, phraseEnd, isFinalPunctuation)) return { phrase: question.slice(phraseStart, phraseEnd), preposition };
  }
  // Nothing but closing punctuation after the spaces ("to \n?"): the pattern let its last space stand for the phrase.
  return restStart - spacesStart >= 2 && closing <= restStart ? { phrase: question.slice(phraseStart, restStart), preposition } : null;
}

/** A year with the preposition before it: "in 2023", "by the year 2025", "before the 1990s". */
const YEAR_PHRASE = /\b(?:in|by|for|during|before|after|since|until|from|at|on)\s+(?:the\s+)?(?:(?:end|start|beginning)\s+of\s+)?(?:year\s+)?\d{4}s?\b/i;
/** Words that open a question and never start a name: the question words, then the openers of other questions. */
const QUESTION_OPENERS = new RegExp(
  `^(?:${[...QUESTION_WORDS, ...'is are was were do does did has have had can could will would should in on at for of to by from the a an and but so also name tell list give describe explain please'.split(' ')].join('|')})$`,
  'i',
);
const NAME_CONNECTORS = /^(?:of|de|von|van|der|the|and|for|&)$/i;
/** Words that are neither a name nor a key word of a follow-up: the lexicon's stop words, and a reply's "yes". */
const FUNCTION_WORDS: ReadonlySet<string> = new Set([...STOPWORDS, 'yes']);

/** Capitalised only because they open a sentence. */
const SENTENCE_OPENERS = new Set(
  'since however similarly meanwhile moreover furthermore despite although though after before during while today yesterday later earlier instead still yet thus therefore hence amid according besides also additionally finally first firstly second secondly overall traditionally historically currently recently nevertheless nonetheless concerns'.split(' '),
);

/** Endings of nationality and language adjectives ("Chinese", "Italian", "British", "Iraqi"). */
const ADJECTIVE_ENDINGS = ['ese', 'ian', 'an', 'ish', 'ic', 'ch', 'i'];

const isTrailingNamePunctuation = (c: number) => c === 0x2e || c === 0x27 || c === 0x2019 || c === 0x2d;
const isSentenceMark = (c: number) => c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3a;
const isNewline = (c: number) => c === 0x0a;

/** Whether a mark ends in the `window` characters before `end`, followed only by spaces (`/[.!?:]\s*$/` on that slice). */
function markThenSpacesBefore(text: string, end: number, window: number, isMark: CodeUnitTest): boolean {
  const from = Math.max(0, end - window);
  for (let i = end; i > from; i--) {
    const c = text.charCodeAt(i - 1);
    if (isMark(c)) return true;
    if (!isSpace(c)) return false;
  }
  return false;
}

/**
 * Runs of capitalised words ("Justice Institute of British Columbia", "JIBC"), skipping a capitalised question opener.
 * @param limit most phrases returned (the first ones). @default Infinity
 */
export function namedPhrases(text: string, limit = Infinity): string[] {
  const clean = text.replace(/\[\d+\]/g, ' ');
  const out: string[] = [];
  const seen = new Set<string>();
  const re = /\b\p{Lu}[\p{L}\p{N}'’.&-]*(?:\s+(?:(?:of|de|von|van|der|the|and|for|&)\s+)?\p{Lu}[\p{L}\p{N}'’.&-]*)*/gu;
  for (const m of clean.matchAll(re)) {
    if (out.length >= limit) break;
    const possessive = m[0].replace(/['’]s$/, '');
    let phrase = possessive.slice(0, runStartBefore(possessive, possessive.length, isTrailingNamePunctuation));
    const words = phrase.split(/\s+/);
    const at = m.index ?? 0;
    const sentenceStart = at === 0 || markThenSpacesBefore(clean, at, 3, isSentenceMark) || markThenSpacesBefore(clean, at, 2, isNewline);
    while (words.length > 0 && (QUESTION_OPENERS.test(words[0]!) || (sentenceStart && words.length === 1 && (FUNCTION_WORDS.has(words[0]!.toLowerCase()) || SENTENCE_OPENERS.has(words[0]!.toLowerCase()))))) words.shift();
    while (words.length > 0 && NAME_CONNECTORS.test(words[words.length - 1]!)) words.pop();
    phrase = words.join(' ');
    if (phrase.length < 2 || FUNCTION_WORDS.has(phrase.toLowerCase())) continue;
    if (!seen.has(phrase)) {
      seen.add(phrase);
      out.push(phrase);
    }
  }
  return out;
}

/**
 * The first phrase in `text` made of `preposition` (as a whole word, as written) and a capitalised name after it
 * ("to the Solomon Islands"); null when there is none.
 */
function prepositionalName(text: string, preposition: string): string | null {
  for (let at = text.indexOf(preposition); at >= 0; at = text.indexOf(preposition, at + 1)) {
    if (at > 0 && isAsciiWordCharacter(text.charCodeAt(at - 1))) continue;
    const spacesStart = at + preposition.length;
    NAME_AFTER_PREPOSITION.lastIndex = runEndAfter(text, spacesStart, isSpace);
    if (NAME_AFTER_PREPOSITION.lastIndex > spacesStart && NAME_AFTER_PREPOSITION.test(text)) return text.slice(at, NAME_AFTER_PREPOSITION.lastIndex);
  }
  return null;
}

/** What `\b` counts as a word character. */
function isAsciiWordCharacter(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** Whether `name` appears in `text` followed by spaces and a lower-case word: used as an adjective ("Chinese police"). */
function usedAsAdjective(text: string, name: string): boolean {
  if (!ADJECTIVE_ENDINGS.some((ending) => name.endsWith(ending))) return false;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const spacesStart = at + name.length;
    LOWER_CASE_LETTER.lastIndex = runEndAfter(text, spacesStart, isSpace);
    if (LOWER_CASE_LETTER.lastIndex > spacesStart && LOWER_CASE_LETTER.test(text)) return true;
  }
  return false;
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
  if (ellipsisSubject(question) !== null) return 'ellipsis';
  if (phraseFollowUp(question)) return 'ellipsis';
  const hasName = namedPhrases(question).length > 0;
  if (PRONOUNS.test(question)) {
    // "Why did Italy halt its patrols?": a possessive after a name in the same question points inside it.
    const onlyPossessive = !NON_POSSESSIVE_PRONOUNS.test(question) && POSSESSIVES.test(question);
    if (!(onlyPossessive && hasName)) return 'reference';
  }
  if (DEMONSTRATIVE.test(question)) return 'reference';
  if (opensWithConjunction(question)) return 'reference';
  if (contentCount(question) <= 1 && !hasName) return 'ellipsis';
  return 'none';
}

/** How an abstention starts (the answerer's fixed phrase, without its full stop); such a turn names nothing to carry. */
const NO_ANSWER_PREFIX = ABSTENTION_TEXT.replace(/\.$/, '');

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
  const previousNames = namedPhrases(previous, MAX_NAMES_PER_TURN);
  const answerTurn = history.slice(lastUserAt + 1).find((t) => t.role === 'assistant');

  const phrase = kind === 'ellipsis' ? phraseFollowUp(question) : null;
  if (phrase) {
    // "And by 2025?" after "How many … did China train in 2023?": the previous question with the phrase swapped,
    // a year phrase for a year phrase, else the phrase with the same preposition, else added at the end.
    const newPhrase = phrase.phrase.trim().replace(/^\p{Lu}(?=\p{Ll}*\s)/u, (c) => c.toLowerCase());
    const base = (previousResolved.followUp === 'ellipsis' ? previousResolved.retrievalQuery : previous).trim();
    const old = (/\d{4}/.test(newPhrase) ? YEAR_PHRASE.exec(base)?.[0] : undefined) ?? prepositionalName(base, phrase.preposition.toLowerCase());
    // Replacer functions, so a "$`" in the question is text, not the whole previous question pasted in again.
    const rewritten = old !== null ? base.replace(old, () => newPhrase) : `${dropFinalPunctuation(base)} ${newPhrase}?`;
    const carried = keyWords(old !== null ? base.replace(old, ' ') : base).slice(0, 6);
    return { retrievalQuery: rewritten, carried, followUp: 'ellipsis' };
  }

  const subject = kind === 'ellipsis' ? ellipsisSubject(question) : null;
  if (subject !== null) {
    // "What about Canada?": ask the previous question again about the new subject.
    const base = previousResolved.followUp === 'ellipsis' ? previousResolved.retrievalQuery : previous;
    // The name to swap is the question's topic: the first one not used as an adjective ("Chinese police").
    const baseNames = namedPhrases(base, MAX_NAMES_PER_TURN);
    const topic = baseNames.find((n) => !usedAsAdjective(base, n)) ?? baseNames[0];
    const replaced = topic !== undefined ? base.replace(topic, () => subject) : `${dropFinalPunctuation(base)} ${subject}`;
    const carried = keyWords(base.replace(topic ?? '\u0000', ' ')).slice(0, 6);
    return { retrievalQuery: replaced, carried, followUp: 'ellipsis' };
  }

  // The subject: names the user used, else the names the previous question itself carried; then names in the
  // answer it got ("Which country halted…?" → "Italy"), then the previous question's key words ("halted joint patrols").
  const carried: string[] = [];
  const carriedLower = new Set<string>();
  const add = (phrases: readonly string[]) => {
    for (const p of phrases) {
      const lower = p.toLowerCase();
      if (carriedLower.has(lower)) continue;
      carriedLower.add(lower);
      carried.push(p);
    }
  };
  add(previousNames.length > 0 ? previousNames : previousResolved.carried);
  if (answerTurn && !answerTurn.content.startsWith(NO_ANSWER_PREFIX)) add(namedPhrases(stripAnswer(answerTurn.content), MAX_NAMES_PER_TURN).filter((p) => !previous.includes(p)).slice(0, 2));
  add(keyWords(previous.replace(/\p{Lu}[\p{L}\p{N}'’.&-]*/gu, ' ')).slice(0, 4));
  // Anything the new question already says is not carried again.
  const lower = question.toLowerCase();
  const kept: string[] = [];
  for (const c of carried) {
    if (kept.length === maxCarried) break;
    if (!lower.includes(c.toLowerCase())) kept.push(c);
  }
  if (kept.length === 0) return { retrievalQuery: question, carried: [], followUp: kind };

  if (kind === 'ellipsis' && contentCount(question) === 0) {
    // "How many?" / "When?": keep the new question word, reuse the previous question's content.
    return { retrievalQuery: `${dropFinalPunctuation(question)} ${kept.join(' ')}?`.replace(/\s+/g, ' '), carried: kept, followUp: kind };
  }
  return { retrievalQuery: `${question.trim()} ${kept.join(' ')}`, carried: kept, followUp: kind };
}
