import { AUXILIARIES, COPULAS, QUESTION_WORDS, STOPWORDS, foldWord } from '../text/lexicon.js';
import { splitWords, type TermNormalizer } from './terms.js';

/** The coarse question form: decides which kinds of phrases can answer it. */
export type QuestionType = 'who' | 'when' | 'how-many' | 'how-much' | 'where' | 'which' | 'what' | 'why' | 'how' | 'yes-no';

/**
 * The kind of phrase expected as the short answer. Typed kinds (date, number, …) are checked
 * against recognised entities; `thing` is any noun phrase, `reason` and `manner` are clauses.
 */
export type AnswerKind =
  | 'person'
  | 'place'
  | 'organisation'
  | 'date'
  | 'number'
  | 'money'
  | 'percent'
  | 'duration'
  | 'quantity'
  | 'name'
  | 'thing'
  | 'reason'
  | 'manner'
  | 'action'
  | 'yes-no';

/**
 * The one definition of the "typed" question kinds:
 * - `figure`: the answer is a number or date ("how many", "when"), which the evidence must hold;
 * - `named`: a figure or a name of a person, place or organisation, which an answer phrase can be checked against;
 * - `phrase`: any other kind with a recognisable answer phrase (reasons, manners);
 * - `open`: "what" things, actions and yes/no questions, where the sentence itself is the answer.
 */
export type AnswerKindClass = 'figure' | 'named' | 'phrase' | 'open';

const KIND_CLASS: Readonly<Record<AnswerKind, AnswerKindClass>> = {
  date: 'figure',
  number: 'figure',
  money: 'figure',
  percent: 'figure',
  duration: 'figure',
  quantity: 'figure',
  person: 'named',
  place: 'named',
  organisation: 'named',
  name: 'named',
  reason: 'phrase',
  manner: 'phrase',
  thing: 'open',
  action: 'open',
  'yes-no': 'open',
};

/** Which class of {@link AnswerKindClass} an expected answer kind is in. */
export function classOfKind(kind: AnswerKind): AnswerKindClass {
  return KIND_CLASS[kind];
}

/** A content word of the question used to find and rank evidence. */
export interface QuestionTerm {
  /** The word as written in the question. */
  readonly text: string;
  /** Normalised, stemmed form compared with sentence terms. */
  readonly term: string;
  /** Relative importance before rarity weighting (lower for the focus noun, which answers often omit). */
  readonly weight: number;
  /** Capitalised mid-question or a number: a name or figure that the evidence almost always repeats. */
  readonly isAnchor: boolean;
  /**
   * Where the term should sit relative to the answer in a declarative sentence: "Comb-like bands are
   * called what?" → left ("…are called ctenes"); "Who introduced the GSI?" → right ("Xi introduced the GSI").
   */
  readonly side: 'left' | 'right' | 'any';
  /**
   * What the word does in the question: `focus` is the noun asked for ("minister" in "Who is the interior
   * minister…", "officers" in "How many officers…"), `predicate` a verb written in lower case ("founded",
   * "closed"). Evidence that lacks either is usually about something else, so both feed the answer's confidence.
   */
  readonly role: 'focus' | 'predicate' | 'other';
}

/** What the answerer knows about a question before reading any passage. */
export interface QuestionAnalysis {
  readonly question: string;
  readonly type: QuestionType;
  readonly expected: AnswerKind;
  /** The noun the question asks for ("year" in "What year…", "country" in "Which country…"), folded. */
  readonly focus: string | null;
  /** Terms of the question, without question words and stopwords, deduplicated by term. */
  readonly terms: readonly QuestionTerm[];
  /**
   * Where the missing phrase sits relative to the rest of the question: `subject` when the
   * question word is the subject ("Who introduced the GSI?" → answer before the verb), `object`
   * when a clause with its own subject follows ("What did Lady Gaga sing?" → answer after it).
   */
  readonly gap: 'subject' | 'object' | 'unknown';
  /** The answer is several things ("Which countries…", "What are the names…"): a list fits best. */
  readonly plural: boolean;
  /** "Who is X?" / "What is X?": a description of X is asked for, not a phrase next to it. */
  readonly definition: boolean;
  /** The question asks what an abbreviation stands for ("What does GSI stand for?"). */
  readonly expandsAcronym: boolean;
}

/** "Which two treaties…", "What are some of the causes…": the question counts the things it asks for. */
const COUNTED_GAP = /\b(?:what|which)\s+(?:are\s+|were\s+)?(?:the\s+)?(?:two|three|four|five|both|several|some)\b/i;
const GENERIC_HEADS = new Set(['type', 'kind', 'sort', 'form', 'name', 'part', 'example', 'one', 'ones', 'member', 'group', 'piece']);

const DATE_FOCUS = new Set(['year', 'years', 'date', 'dates', 'month', 'day', 'days', 'century', 'centuries', 'decade', 'era', 'time', 'period', 'season', 'week', 'age']);
const PLACE_FOCUS = new Set(
  'country countries city cities town towns state states province provinces region regions continent continents place places location locations island islands river rivers area areas county counties capital nation nations village villages district districts street streets mountain mountains lake lakes sea seas ocean oceans territory territories site sites port ports airport airports stadium venue neighborhood neighbourhood borough valley coast peninsula kingdom empire border'.split(' '),
);
const ORG_FOCUS = new Set(
  'company companies organization organizations organisation organisations agency agencies university universities college colleges institute institution institutions team teams party parties government governments department departments ministry ministries bureau body bodies firm firms school schools club clubs network networks court courts newspaper newspapers union unions band association council committee force forces church denomination publisher airline bank brand channel station studio league conference academy corporation'.split(
    ' ',
  ),
);
const PERSON_FOCUS = new Set(
  'person people man men woman women president presidents king kings queen leader leaders player players actor actress author writer scientist officer officers minister emperor general ruler politician individual criminologist professor founder director coach quarterback singer artist composer poet architect engineer inventor explorer commander governor mayor senator chancellor pope bishop priest prince princess duke son daughter father mother wife husband brother sister child student teacher physicist chemist philosopher economist historian mathematician defender receiver kicker linebacker pitcher captain manager owner chairman ceo spokesman councillor commissioner agent judge lawyer doctor'.split(
    ' ',
  ),
);
const PERCENT_FOCUS = new Set(['percentage', 'percent', 'proportion', 'share', 'fraction', 'rate']);
const MONEY_FOCUS = new Set(['price', 'cost', 'costs', 'budget', 'revenue', 'revenues', 'salary', 'fee', 'fees', 'funding', 'worth', 'income', 'profit', 'profits', 'sum', 'value', 'money', 'amount']);
const NUMBER_FOCUS = new Set(['number', 'population', 'total', 'count', 'size', 'score', 'temperature', 'distance', 'height', 'weight', 'speed', 'capacity', 'area', 'length']);
const MONEY_WORDS = /\b(?:money|cost|costs|cost?ing|pay|paid|spend|spent|worth|price|fund|funds|funding|earn|earned|generate|generated|raise|raised|dollars?|pounds?|euros?|budget|revenue|sell|sold|buy|bought)\b|\$/i;

/** How a focus noun narrows the expected answer kind. */
export function kindOfFocus(focus: string): AnswerKind | null {
  if (DATE_FOCUS.has(focus)) return focus === 'age' ? 'number' : 'date';
  if (PERCENT_FOCUS.has(focus)) return 'percent';
  if (PLACE_FOCUS.has(focus)) return 'place';
  if (ORG_FOCUS.has(focus)) return 'organisation';
  if (PERSON_FOCUS.has(focus) || /(?:ist|ian)$/.test(focus)) return 'person';
  if (MONEY_FOCUS.has(focus)) return focus === 'amount' || focus === 'value' ? null : 'money';
  if (NUMBER_FOCUS.has(focus)) return 'number';
  return null;
}

/** Optional help for question analysis. */
export interface AnalyzeQuestionOptions {
  /** Part-of-speech tag of a question word (as written), when a tagger is at hand; verbs are weighted up. */
  readonly posOf?: (word: string) => string | undefined;
  /**
   * Weight of a question verb: the predicate ("closed", "founded") is what separates the answer sentence
   * from others that merely mention the same subject. @default 1.5
   */
  readonly verbWeight?: number;
}

/**
 * Reads a question: its form, the kind of phrase that answers it, its focus noun and its
 * key terms. Pure and rule-based (no model), so it is cheap and predictable.
 */
export function analyzeQuestion(question: string, normalizer: TermNormalizer, options: AnalyzeQuestionOptions = {}): QuestionAnalysis {
  const verbWeight = options.verbWeight ?? 1.5;
  const words = splitWords(question);
  const folded = words.map((w) => foldWord(w.text));
  const whIndex = folded.findIndex((w) => QUESTION_WORDS.has(w));
  const wh = whIndex >= 0 ? folded[whIndex]! : null;
  const next = whIndex >= 0 ? folded[whIndex + 1] : undefined;

  let type: QuestionType;
  let expected: AnswerKind;
  let focus: string | null = null;
  let gap: QuestionAnalysis['gap'] = 'unknown';
  const focusIndexes = new Set<number>();
  /** Index of the last word of the noun phrase starting at `from` (it stops at a function word or a verb). */
  const nounPhraseHead = (from: number): number | undefined => {
    let head: number | undefined;
    for (let i = from; i < folded.length && i < from + 4; i++) {
      if (STOPWORDS.has(folded[i]!) || QUESTION_WORDS.has(folded[i]!) || (i > from && options.posOf?.(words[i]!.text) === 'VERB')) break;
      // "the bus driver Chinese police tried…": a capitalised word after a common noun starts a new phrase.
      if (i > from && /^\p{Lu}/u.test(words[i]!.text) && /^\p{Ll}/u.test(words[i - 1]!.text)) break;
      head = i;
    }
    return head;
  };

  if (wh === null) {
    const first = folded[0] ?? '';
    if (AUXILIARIES.has(first) || /^[^?]*,\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would)\b/i.test(question)) {
      type = 'yes-no';
      expected = 'yes-no';
    } else {
      type = 'what';
      expected = 'thing';
    }
  } else if (wh === 'how') {
    const adj = next ?? '';
    if (adj === 'many') {
      type = 'how-many';
      expected = 'number';
      const unit = folded[whIndex + 2];
      if (unit === 'years' || unit === 'months' || unit === 'days' || unit === 'weeks' || unit === 'hours' || unit === 'minutes' || unit === 'decades' || unit === 'centuries') expected = 'duration';
      if (unit !== undefined && !AUXILIARIES.has(unit) && !STOPWORDS.has(unit)) focusIndexes.add(whIndex + 2);
    } else if (adj === 'much') {
      type = 'how-much';
      expected = MONEY_WORDS.test(question) ? 'money' : 'quantity';
    } else if (adj === 'long') {
      type = 'how-much';
      expected = /\bhow long (?:ago|has|have|had|did|does|do|was|were|is|are|will|would)\b/i.test(question) && !asksLengthOfStructure(question) ? 'duration' : 'quantity';
    } else if (adj === 'old') {
      type = 'how-many';
      expected = 'number';
    } else if (/^(?:far|tall|big|large|high|deep|wide|fast|heavy|hot|cold|often|frequently|small|close|early|late)$/.test(adj)) {
      type = 'how-much';
      expected = adj === 'often' || adj === 'frequently' ? 'thing' : 'quantity';
    } else {
      type = 'how';
      expected = 'manner';
    }
    if (adj !== '' && !AUXILIARIES.has(adj)) focusIndexes.add(whIndex + 1);
  } else if (wh === 'when') {
    type = 'when';
    expected = 'date';
  } else if (wh === 'where') {
    type = 'where';
    expected = 'place';
  } else if (wh === 'why') {
    type = 'why';
    expected = 'reason';
  } else if (wh === 'who' || wh === 'whom') {
    type = 'who';
    expected = 'person';
    gap = wh === 'who' && next !== undefined && !AUXILIARIES.has(next) ? 'subject' : 'unknown';
    // "Who is the Italian interior minister who…": the head of the noun phrase after the copula is asked for.
    if (next !== undefined && COPULAS.has(next) && /^(?:the|a|an)$/.test(folded[whIndex + 2] ?? '')) {
      const head = nounPhraseHead(whIndex + 3);
      if (head !== undefined) focusIndexes.add(head);
    }
  } else {
    // what / which / whose: the noun phrase right after the question word names what is asked for.
    type = wh === 'which' ? 'which' : wh === 'whose' ? 'who' : 'what';
    expected = wh === 'whose' ? 'person' : 'thing';
    const np: number[] = [];
    for (let i = whIndex + 1; i < folded.length && np.length < 4; i++) {
      const w = folded[i]!;
      if (AUXILIARIES.has(w) || (STOPWORDS.has(w) && w !== 'of')) break;
      np.push(i);
    }
    // "What type of city" / "what kind of music": the head is after "of".
    while (np.length > 0 && folded[np[0]!] !== undefined && GENERIC_HEADS.has(folded[np[0]!]!) && folded[np[0]! + 1] === 'of') {
      np.splice(0, 2);
    }
    const ofAt = np.findIndex((i) => folded[i] === 'of');
    const head = ofAt > 0 ? np.slice(0, ofAt) : np.filter((i) => folded[i] !== 'of');
    let focusAt: number | undefined;
    // A kind word that modifies a later common noun is not the head: "what space-time path", "what country music star".
    const modifiesNext = (i: number) => head.includes(i + 1) && /^\p{Ll}/u.test(words[i + 1]!.text) && options.posOf?.(words[i + 1]!.text) === 'NOUN';
    for (const i of head) if (kindOfFocus(folded[i]!) !== null && !modifiesNext(i)) focusAt = i;
    if (focusAt === undefined && head.length > 0) focusAt = head.length === 1 ? head[0] : head.find((i) => /^[a-z]/.test(words[i]!.text));
    // "What is the name of the quarterback", "What was the final score of …": focus after the copula.
    if (focusAt === undefined && next !== undefined && COPULAS.has(next)) {
      let i = whIndex + 2;
      while (i < folded.length && /^(?:the|a|an)$/.test(folded[i]!)) i++;
      const cands: number[] = [];
      while (i < folded.length && !STOPWORDS.has(folded[i]!) && cands.length < 3) cands.push(i++);
      if (folded[cands[cands.length - 1] ?? -1] === 'name' && folded[i] === 'of') {
        let j = i + 1;
        while (j < folded.length && /^(?:the|a|an)$/.test(folded[j]!)) j++;
        if (j < folded.length && !STOPWORDS.has(folded[j]!)) {
          // "the name of the Melbourne bus driver": the head noun, not the first word.
          focusAt = nounPhraseHead(j) ?? j;
          expected = 'name';
        }
      } else {
        for (const c of cands) if (kindOfFocus(folded[c]!) !== null) focusAt = c;
      }
    }
    if (focusAt !== undefined) {
      focus = folded[focusAt]!;
      focusIndexes.add(focusAt);
      const kind = kindOfFocus(focus);
      if (kind !== null) expected = kind;
      else if (expected !== 'name' && /^[A-Z]/.test(words[focusAt]!.text) && focusAt > whIndex + 1) expected = 'name';
    }
    if (/\b(?:last|first|full|maiden|nick|sur)\s*name\b/i.test(question)) expected = 'person';
    else if (wh === 'what' && /\b(?:do|doing|done)\s*(?:[?.!]+\s*)?$/i.test(question)) expected = 'action';
    else if (/\bname\b/i.test(question) && expected === 'thing') expected = 'name';
    const afterNp = np.length > 0 ? np[np.length - 1]! + 1 : whIndex + 1;
    const following = folded[afterNp];
    gap = following === undefined ? 'unknown' : /^(?:did|does|do)$/.test(following) ? 'object' : AUXILIARIES.has(following) ? (np.length > 0 ? 'subject' : 'unknown') : 'subject';
  }

  const terms: QuestionTerm[] = [];
  const seen = new Map<string, number>();
  words.forEach((w, i) => {
    if (i === whIndex) return;
    if (whIndex >= 0 && i === whIndex + 1 && (folded[i] === 'many' || folded[i] === 'much')) return;
    const term = normalizer.term(w.text);
    if (term === null) return;
    const isAnchor = /\d/.test(w.text) || (i > 0 && /^\p{Lu}/u.test(w.text)) || /^\p{Lu}{2,}/u.test(w.text);
    const isVerb = options.posOf?.(w.text) === 'VERB';
    const weight = focusIndexes.has(i) ? 0.5 : isVerb ? verbWeight : 1;
    const role: QuestionTerm['role'] = focusIndexes.has(i) ? 'focus' : isVerb && /^\p{Ll}/u.test(w.text) ? 'predicate' : 'other';
    let side: QuestionTerm['side'] = 'any';
    if (whIndex >= 0) {
      if (i < whIndex) side = question.slice(w.end, words[whIndex]!.start).includes(',') ? 'any' : 'left';
      else side = gap === 'object' ? 'left' : gap === 'subject' ? 'right' : 'any';
    }
    const prev = seen.get(term);
    if (prev !== undefined) {
      const old = terms[prev]!;
      terms[prev] = { ...old, weight: Math.max(old.weight, weight), isAnchor: old.isAnchor || isAnchor, side: old.side === side ? side : 'any', role: old.role === 'other' ? role : old.role };
      return;
    }
    seen.set(term, terms.length);
    terms.push({ text: w.text, term, weight, isAnchor, side, role });
  });

  const plural = (focus !== null && /[^s]s$/.test(focus) && !/(?:ss|us|is)$/.test(focus)) || /\b(?:names|ones|list|what are the|which are the)\b/i.test(question) || COUNTED_GAP.test(question);
  const definition = whIndex >= 0 && /^(?:who|what)$/.test(wh ?? '') && next !== undefined && COPULAS.has(next) && words.length - whIndex <= 6 && focus === null && /^(?:who|what)\s+(?:is|was|are|were)\s+(?:(?:the|a|an)\s+)?[\p{Lu}\d]/iu.test(question.slice(words[whIndex]!.start)) && !/\b(?:of|for|in|on|at|by|to)\b|['’]s\b/i.test(question.slice(words[whIndex]!.start));
  const expandsAcronym = /\b(?:stand|stands|stood) for\b|\babbreviat|\bacronym|\bshort for\b/i.test(question);
  // "What does the abbreviation GSI stand for?": only the abbreviation itself is evidence.
  const asked = expandsAcronym ? terms.filter((t) => !/^(?:stand|stands|stood|abbreviation|abbreviated|acronym|short)$/i.test(t.text)) : terms;
  return { question, type, expected, focus, terms: asked, gap, plural, definition, expandsAcronym };
}

const LONG_IS = /\b(?:long is|long was|long are|long were)\b/i;
const STRUCTURE = /\b(?:river|road|bridge|wall|tunnel|canal|coast|border|runway)\b/i;

/**
 * "How long is the river …?" asks a length, not a duration: a structure named later on the same line as "long is".
 * What `/\b(?:long is|…)\b.*\b(?:river|…)\b/i` tested, line by line: that pattern rescanned the rest of the question
 * from every "long is", which is quadratic in the question's length.
 */
function asksLengthOfStructure(question: string): boolean {
  return question.split(/[\n\r\u2028\u2029]/).some((line) => {
    const long = LONG_IS.exec(line);
    // At least one character between them, as `.*` between two `\b`s around word characters needs.
    return long !== null && STRUCTURE.test(line.slice(long.index + long[0].length + 1));
  });
}
