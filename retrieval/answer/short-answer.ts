import { COPULAS } from '../text/lexicon.js';
import type { AnswerKind, QuestionAnalysis } from './question-analysis.js';
import type { Sentence, SentenceToken } from './sentences.js';
import { isWordToken, NAME_CONNECTORS, OPENERS, rawCandidates, trimEdges, type RawCandidate } from './answer-candidates.js';
import { YEAR } from './terms.js';
import { combine, type LinearModel } from './weighted-features.js';

/** What kind of phrase a candidate is, as far as surface cues and wink's entity tags tell. */
export type CandidateKind =
  | 'date'
  | 'time'
  | 'number'
  | 'ordinal'
  | 'money'
  | 'percent'
  | 'duration'
  | 'quantity'
  | 'person'
  | 'place'
  | 'organisation'
  | 'name'
  | 'phrase'
  | 'person-phrase'
  | 'place-phrase'
  | 'adjective'
  | 'clause'
  | 'action';

/** A phrase inside a sentence that could answer the question. */
export interface AnswerCandidate {
  /** Verbatim: `documentText.slice(start, end)`. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly kind: CandidateKind;
  /** Index of the first and last token in the sentence. */
  readonly first: number;
  readonly last: number;
  /** How well the kind fits the expected answer, 0–1. */
  readonly typeFit: number;
  /** Overall candidate score (higher is better): {@link CANDIDATE_FEATURES} combined under the candidate weights. */
  readonly score: number;
  /** The named features the score combines. */
  readonly features: CandidateFeatures;
}

/** The named features of a candidate phrase, each described at its weight in {@link CandidateWeights}. */
export const CANDIDATE_FEATURES = [
  'typeFit',
  'nearest',
  'proximity',
  'alignment',
  'focus',
  'preposition',
  'apposition',
  'appositive',
  'copula',
  'naming',
  'example',
  'passiveAgent',
  'otherYear',
  'clauseBoundary',
  'overlap',
  'extraWords',
] as const;

/** One value per {@link CANDIDATE_FEATURES} name. */
export type CandidateFeatures = Readonly<Record<(typeof CANDIDATE_FEATURES)[number], number>>;

/**
 * The candidate weights as a linear model over {@link CandidateFeatures}: signals add, penalties (other year, clause
 * boundaries, repeated question words, extra words) subtract.
 */
export function candidateModel(W: CandidateWeights): LinearModel<(typeof CANDIDATE_FEATURES)[number]> {
  return {
    bias: 0,
    weights: {
      typeFit: W.typeFit,
      nearest: W.nearest,
      proximity: W.proximity,
      alignment: W.alignment,
      focus: W.focus,
      preposition: W.preposition,
      apposition: W.apposition,
      appositive: W.appositive ?? 0,
      copula: W.copula ?? 0,
      naming: W.naming ?? 0,
      example: W.example ?? 0,
      passiveAgent: W.passiveAgent ?? 0,
      otherYear: -(W.otherYear ?? 0),
      clauseBoundary: -W.clauseBoundary,
      overlap: -W.overlap,
      extraWords: -W.length,
    },
  };
}

/** Where a question term was found in a sentence, with its weight. */
export interface TermMatch {
  /** Token index in the sentence. */
  readonly index: number;
  /** The matched term's weight (importance × rarity). */
  readonly weight: number;
  /** The question (or carried) term it matched. */
  readonly group: string;
}

/** Relative weights of the candidate-ranking signals. */
export interface CandidateWeights {
  /** Kind fits the expected answer type. @default 3.2 */
  readonly typeFit: number;
  /** Next to a matched question term. @default 0.13 */
  readonly nearest: number;
  /** Close to the matched terms overall, weighted by their rarity. @default 0.5 */
  readonly proximity: number;
  /** Matched terms sit on the side of the candidate the question's word order predicts. @default 0.2 */
  readonly alignment: number;
  /** Next to the question's focus noun ("the Astra 2A satellite" for "What satellite…"). @default 0.53 */
  readonly focus: number;
  /** After the same preposition the question uses ("In what language…" → "in Latin"). @default 0.7 */
  readonly preposition: number;
  /** In parentheses or apposition right after a matched term ("rotors (rotating discs)"). @default 0.2 */
  readonly apposition: number;
  /** Per clause boundary (comma, semicolon, bracket) between candidate and the nearest match. @default 0.12 */
  readonly clauseBoundary: number;
  /** Share of the candidate's words that are question words. @default 1.2 */
  readonly overlap: number;
  /** Per word beyond the typical answer length. @default 0 */
  readonly length: number;
  /** A name followed by an apposition holding matched terms ("Los Angeles International Airport, the second-busiest airport"). @default 0.3 */
  readonly appositive?: number;
  /** Right at one side of a copula whose other side holds the matched terms ("Iran was … a close US ally"). @default 0.25 */
  readonly copula?: number;
  /**
   * Multiplies the type fit of a phrase that names nothing by itself: one that refers back ("this notion", "the
   * same thing") or a partitive head cut from its "of" phrase ("a series" of New York hotels). @default 0.5
   */
  readonly anaphora?: number;
  /** For a question about what something is called: right after "called", "named", "known as". @default 0.6 */
  readonly naming?: number;
  /** Introduced as an example of a matched phrase ("industries, such as automobiles"). @default 0.2 */
  readonly example?: number;
  /** Multiplies the type fit of one item of a list ("Morocco" in "Morocco and Ethiopia") for a plural question. @default 0.85 */
  readonly partOfList?: number;
  /** For a subject question ("Who halted …?"): the agent after "by" of the question's verb ("halted by the Mamluks"). @default 0.5 */
  readonly passiveAgent?: number;
  /**
   * Against a phrase whose nearest year is not the question's, when the question's year is in the sentence too
   * ("…by 2025?" in "trained 2,700 officers in 2023 and plans to train 3,000 more by 2025"). @default 0.5
   */
  readonly otherYear?: number;
}

/** Candidate weights tuned on XQuAD gold paragraphs (half the articles, checked on the other half). */
export const DEFAULT_CANDIDATE_WEIGHTS: CandidateWeights = Object.freeze({
  typeFit: 3.2,
  nearest: 0.13,
  proximity: 0.5,
  alignment: 0.2,
  focus: 0.53,
  preposition: 0.7,
  apposition: 0.2,
  clauseBoundary: 0.12,
  overlap: 1.2,
  length: 0,
  appositive: 0.3,
  copula: 0.25,
  anaphora: 0.5,
  naming: 0.6,
  example: 0.2,
  partOfList: 0.85,
  passiveAgent: 0.5,
  otherYear: 0.5,
});

/** Everything the extractor needs about the question for one sentence. */
export interface ShortAnswerContext {
  readonly analysis: QuestionAnalysis;
  /** Weight of every question (and carried) term, keyed by sentence term. */
  readonly termWeights: ReadonlyMap<string, number>;
  /** @default DEFAULT_CANDIDATE_WEIGHTS */
  readonly weights?: CandidateWeights;
}

/** Tokens that separate clauses, counted between a candidate and its nearest match. */
const CLAUSE_BOUNDARY = new Set([',', ';', ':', '(', ')', '[', ']', '—', '–', '"', '“', '”']);
/** Tags of words that can head a noun phrase. */
const NOMINAL = new Set(['NOUN', 'PROPN']);

/** Fit of each candidate kind to each expected answer kind; anything missing is 0. */
const FIT: Readonly<Record<AnswerKind, Partial<Record<CandidateKind, number>>>> = {
  date: { date: 1, time: 0.5, number: 0.35, duration: 0.3, ordinal: 0.1 },
  number: { number: 1, quantity: 0.85, money: 0.6, percent: 0.6, duration: 0.5, ordinal: 0.3, date: 0.1 },
  money: { money: 1, number: 0.25, quantity: 0.25, percent: 0.2 },
  percent: { percent: 1, number: 0.55, quantity: 0.4 },
  duration: { duration: 1, quantity: 0.6, number: 0.5, date: 0.45, time: 0.3 },
  quantity: { quantity: 1, number: 0.8, money: 0.8, percent: 0.8, duration: 0.7, date: 0.1, ordinal: 0.4 },
  person: { person: 1, name: 0.85, organisation: 0.6, place: 0.5, 'person-phrase': 0.7, phrase: 0.25, 'place-phrase': 0.15 },
  place: { place: 1, name: 0.8, organisation: 0.65, person: 0.45, 'place-phrase': 0.75, phrase: 0.3, 'person-phrase': 0.2 },
  organisation: { organisation: 1, name: 0.85, place: 0.6, person: 0.5, 'person-phrase': 0.5, phrase: 0.4, 'place-phrase': 0.3 },
  name: { name: 0.95, person: 0.95, organisation: 0.95, place: 0.95, phrase: 0.45, 'person-phrase': 0.45, 'place-phrase': 0.45, date: 0.1, number: 0.2 },
  thing: {
    phrase: 0.7,
    'person-phrase': 0.65,
    'place-phrase': 0.65,
    // A name answers "what" as often as a common noun phrase does ("What gorge…" → "the Rhine Gorge").
    name: 0.7,
    person: 0.7,
    organisation: 0.7,
    place: 0.7,
    number: 0.4,
    quantity: 0.45,
    date: 0.3,
    percent: 0.4,
    money: 0.4,
    duration: 0.4,
    ordinal: 0.4,
    clause: 0.2,
    adjective: 0.3,
  },
  reason: { clause: 1, phrase: 0.3, 'person-phrase': 0.2, 'place-phrase': 0.2, name: 0.05 },
  manner: { clause: 0.9, adjective: 0.6, phrase: 0.45, 'person-phrase': 0.3, 'place-phrase': 0.3, name: 0.1, quantity: 0.2 },
  action: { action: 1, clause: 0.5, phrase: 0.35 },
  'yes-no': {},
};


const MONTH = /^(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?$/i;

/** How well a date's precision matches the focus noun: a bare year for "year", a month for "month". */
function granularityFit(focus: string, words: readonly SentenceToken[]): number {
  const hasYear = words.some((t) => YEAR.test(t.text));
  const hasMonth = words.some((t) => MONTH.test(t.text));
  // "During which years…": two years ("between 1500 and 1850") answer a plural as one year answers "what year".
  if (focus === 'years' && words.filter((t) => YEAR.test(t.text)).length >= 2) return 1;
  if (focus === 'year' || focus === 'years') return hasYear ? (words.length === 1 ? 1 : 0.85) : 0.6;
  if (focus === 'month') return hasMonth ? 1 : 0.6;
  if (focus === 'century' || focus === 'centuries' || focus === 'decade') return words.some((t) => /(?:century|centuries|\d0s)$/i.test(t.text)) ? 1 : 0.8;
  return 1;
}

/** Initials of the capitalised words of a phrase ("Global Security Initiative" → "GSI"). */
function initials(words: readonly SentenceToken[]): string {
  return words
    .filter((t) => t.capitalized)
    .map((t) => t.text[0])
    .join('');
}

/** Determiners and adjectives that make a noun phrase point back at an earlier mention. */
const ANAPHORIC = /^(?:this|these|that|those|such|same|latter|former|aforementioned)$/;

/** Nouns that only measure out or sort the noun after "of" ("a series of …", "the majority of …", "a kind of …"). */
const PARTITIVE = /^(?:series|number|variety|range|lot|lots|couple|group|set|kind|kinds|type|types|sort|sorts|form|forms|part|majority|minority|handful|pair|array|host|piece|member|members|one|ones|example|examples|most|some|many|all)$/;

/** Whether a phrase refers back ("this notion", "the same reduction", "such cases") rather than naming anything. */
function refersBack(span: readonly SentenceToken[]): boolean {
  const [first, second] = span;
  if (first === undefined) return false;
  if (first.pos === 'DET' && ANAPHORIC.test(first.folded)) return true;
  return first.folded === 'the' && second !== undefined && ANAPHORIC.test(second.folded);
}

/** Words that introduce examples of the phrase before them ("such as", "e.g.", "including", "include"). */
const EXAMPLE_MARKERS: readonly (readonly string[])[] = [['such', 'as'], ['e.g.'], ['e.g', '.'], ['eg'], ['for', 'example'], ['for', 'instance'], ['including'], ['include'], ['includes'], ['included'], ['like'], ['namely']];

/** Index of the example marker ending right before token `first` (an opening bracket or comma may follow it), or -1. */
function exampleMarkerBefore(tokens: readonly SentenceToken[], first: number): number {
  let end = first - 1;
  while (end >= 0 && (tokens[end]!.pos === 'DET' || /^[(,:"“]$/.test(tokens[end]!.text))) end--;
  for (const words of EXAMPLE_MARKERS) {
    const at = end - words.length + 1;
    if (at >= 0 && words.every((w, k) => tokens[at + k]!.folded === w)) return at;
  }
  return -1;
}

/** A question asking what something is called ("What was X called?", "What is the name of…", "…known as?"). */
const NAMING_QUESTION = /\b(?:called|named|name|names|known as|referred to as|termed|nicknamed|titled)\b/i;
/** Words that introduce a name in a sentence ("called", "known as", "named", "termed"). */
const NAMING_WORDS = /^(?:called|named|termed|dubbed|nicknamed|titled|as)$/;

/**
 * Whether tokens first..last are a bracketed abbreviation ("(ENR)", "(V&A)") whose letters are the initials
 * of the capitalised words just before the bracket, one of which the question matched.
 */
function abbreviatesMatchedName(tokens: readonly SentenceToken[], first: number, last: number, matches: readonly TermMatch[]): boolean {
  if (tokens[first - 1]?.text !== '(' || tokens[last + 1]?.text !== ')') return false;
  const letters = tokens
    .slice(first, last + 1)
    .map((t) => t.text)
    .join('')
    .replace(/\P{Lu}/gu, '');
  if (letters.length < 2) return false;
  let k = first - 2;
  let spelled = '';
  while (k >= 0 && spelled.length < letters.length && (tokens[k]!.capitalized || NAME_CONNECTORS.has(tokens[k]!.folded) || tokens[k]!.text === '-')) {
    if (tokens[k]!.capitalized) spelled = tokens[k]!.text.replace(/\P{Lu}/gu, '') + spelled;
    k--;
  }
  return spelled.endsWith(letters) && matches.some((m) => m.index > k && m.index < first - 1);
}

/** Whether token `i` starts the sentence (after any opening quote or bracket) or follows a semicolon. */
function opensClause(tokens: readonly SentenceToken[], i: number): boolean {
  let k = i - 1;
  while (k >= 0 && OPENERS.test(tokens[k]!.text)) k--;
  return k < 0 || tokens[k]!.text === ';';
}

/** Whether the phrase ending at `last` is followed by a bracket that holds a matched term (its description or members). */
function describedInBrackets(tokens: readonly SentenceToken[], last: number, matches: readonly TermMatch[]): boolean {
  if (tokens[last + 1]?.text !== '(') return false;
  const close = tokens.findIndex((t, k) => k > last + 1 && t.text === ')');
  const end = close < 0 ? tokens.length : close;
  return matches.some((m) => m.index > last + 1 && m.index < end);
}

/** Prepositions that tie a "what/which" gap to its phrase ("In what year…", "…mounted on?"). */
function questionPrepositions(question: string): Set<string> {
  const preps = new Set<string>();
  const lower = question.toLowerCase();
  const before = /\b(in|on|at|by|from|to|into|of|for|with|under|during|after|before|through|since|against|over|about|between)\s+(?:what|which|whom|whose|how)\b/.exec(lower);
  if (before) preps.add(before[1]!);
  const dangling = /\b(in|on|at|by|from|to|into|of|for|with|under|after|before|through|as|against|over|about|like)\s*(?:\?\s*)?$/.exec(lower);
  if (dangling) preps.add(dangling[1]!);
  return preps;
}

/**
 * Ranks the phrases of one sentence as answers: the kind fits the expected type, the phrase is not made of
 * question words, it sits next to where the question's terms matched (on the side the question's form
 * predicts, after the same preposition, next to the focus noun). Returns candidates best first.
 */
export function rankCandidates(sentence: Sentence, matches: readonly TermMatch[], context: ShortAnswerContext): AnswerCandidate[] {
  const { analysis, termWeights } = context;
  const W = context.weights ?? DEFAULT_CANDIDATE_WEIGHTS;
  const model = candidateModel(W);
  const expected = analysis.expected;
  if (expected === 'yes-no') return [];
  const tokens = sentence.tokens;
  const focus = analysis.focus;
  const focusTermValue = focus === null ? null : (analysis.terms.find((t) => t.text.toLowerCase() === focus)?.term ?? null);
  const isFocus = (t: SentenceToken) => focus !== null && (t.folded === focus || (focusTermValue !== null && t.term === focusTermValue));
  const isQuestionTerm = (t: SentenceToken) => t.term !== null && termWeights.has(t.term) && !isFocus(t);
  const realMatches = matches.filter((m) => !isFocus(tokens[m.index]!));
  const totalWeight = realMatches.reduce((s, m) => s + m.weight, 0) || 1;
  const sideOf = new Map(analysis.terms.map((t) => [t.term, t.side]));
  const focusAt: number[] = [];
  tokens.forEach((t, i) => {
    if (isFocus(t)) focusAt.push(i);
  });
  const preps = questionPrepositions(analysis.question);
  const asksName = NAMING_QUESTION.test(analysis.question);
  const acronyms = analysis.terms.filter((t) => /^\p{Lu}{2,6}$/u.test(t.text)).map((t) => t.text);
  // The years the question names, and where they and other years sit in this sentence.
  const askedYears = new Set(analysis.terms.filter((t) => YEAR.test(t.text)).map((t) => t.text));
  const yearsAt = askedYears.size > 0 ? tokens.flatMap((t, i) => (YEAR.test(t.text) ? [i] : [])) : [];
  const askedYearHere = yearsAt.some((i) => askedYears.has(tokens[i]!.text));
  const boundaryPrefix: number[] = [0];
  for (const t of tokens) boundaryPrefix.push(boundaryPrefix[boundaryPrefix.length - 1]! + (CLAUSE_BOUNDARY.has(t.text) ? 1 : 0));
  const boundariesBetween = (a: number, b: number) => (a < b ? boundaryPrefix[b]! - boundaryPrefix[a + 1]! : boundaryPrefix[a]! - boundaryPrefix[b + 1]!);

  // Candidates already ranked, by span (first × (tokens + 1) + last): the same span, kind and prior is ranked once.
  const seen = new Map<number, RawCandidate[]>();
  const ranked: AnswerCandidate[] = [];
  for (const raw of rawCandidates(sentence, expected, realMatches)) {
    const c = trimEdges(tokens, raw, isQuestionTerm);
    if (c === null) continue;
    const spanKey = c.first * (tokens.length + 1) + c.last;
    const sameSpan = seen.get(spanKey);
    if (sameSpan?.some((x) => x.kind === c.kind && (x.prior ?? 1) === (c.prior ?? 1))) continue;
    if (sameSpan) sameSpan.push(c);
    else seen.set(spanKey, [c]);
    const span = tokens.slice(c.first, c.last + 1);
    const words = span.filter(isWordToken);
    if (words.length === 0) continue;
    const content = words.filter((t) => t.term !== null);
    const overlap = content.filter(isQuestionTerm).length;
    if (content.length > 0 && overlap === content.length) continue;
    if (content.length > 0 && content.every(isFocus)) continue;
    // Only function words ("Much", "the latter"): nothing named. Figures are kept ("one", "2,700").
    if (content.length === 0 && !words.some((t) => t.pos === 'NUM')) continue;
    let typeFit = (FIT[expected][c.kind] ?? 0) * (c.prior ?? 1);
    // "this notion", "the same thing": a phrase that points back at something said elsewhere names nothing itself.
    if (refersBack(span)) typeFit *= W.anaphora ?? 1;
    // "a series" of "a series of New York hotels": a partitive head names nothing without its "of" phrase.
    if (PARTITIVE.test(tokens[c.last]!.folded) && tokens[c.last + 1]?.folded === 'of') typeFit *= W.anaphora ?? 1;
    // "What year…" wants "1943", not "7 January 1943"; "which month" wants a month.
    if (c.kind === 'date' && focus !== null) typeFit = Math.min(1, typeFit * granularityFit(focus, words));
    // "What does GSI stand for?": the capitalised words whose initials spell it. Otherwise such a
    // phrase is the question's own subject written out ("JIBC" → "Justice Institute of British Columbia").
    const spellsAcronym = acronyms.length > 0 && acronyms.includes(initials(words));
    if (spellsAcronym && analysis.expandsAcronym) typeFit = 1;
    else if (spellsAcronym) continue;
    // "Engineering News-Record (ENR)": an abbreviation of the matched name before it is the question's subject again.
    if (abbreviatesMatchedName(tokens, c.first, c.last, realMatches)) continue;
    // "Which countries…": a coordinated list answers a plural question.
    if (analysis.plural && c.coordinated) typeFit = Math.min(1, typeFit * 1.3);
    else if (!analysis.plural && c.coordinated) typeFit *= 0.8;
    // …and the first item alone ("Morocco" of "Morocco and Ethiopia") answers it only in part.
    else if (analysis.plural && /^(?:and|or)$/.test(tokens[c.last + 1]?.folded ?? '')) typeFit *= W.partOfList ?? 1;
    if (typeFit === 0) continue;

    let nearest = Infinity;
    let nearestAt = -1;
    let proximity = 0;
    for (const m of realMatches) {
      const d = m.index < c.first ? c.first - m.index - 1 : m.index > c.last ? m.index - c.last - 1 : 0;
      if (d < nearest) {
        nearest = d;
        nearestAt = m.index;
      }
      proximity += m.weight * Math.exp(-d / 5);
    }
    proximity /= totalWeight;
    const near = Number.isFinite(nearest) ? Math.exp(-nearest / 2.5) : 0;
    const boundaries = nearestAt < 0 ? 0 : Math.min(3, boundariesBetween(nearestAt < c.first ? nearestAt : c.last, nearestAt < c.first ? c.first : nearestAt));

    let alignment = 0;
    for (const m of realMatches) {
      const side = sideOf.get(m.group);
      if (side === 'left') alignment += m.index < c.first ? m.weight : -m.weight;
      else if (side === 'right') alignment += m.index > c.last ? m.weight : -m.weight;
    }
    alignment /= totalWeight;
    const nearFocus = focusAt.some((f) => f === c.last + 1 || f === c.first - 1 || (f === c.first - 2 && tokens[c.first - 1]!.pos === 'DET') || (f > c.first && f <= c.last)) ? 1 : 0;
    let before = c.first - 1;
    if (before >= 0 && tokens[before]!.pos === 'DET') before--;
    // …attached to a word the question mentions ("mounted on a drive shaft", not "teams in Los Angeles" for "played in"),
    // or opening the sentence, where it belongs to the main verb ("At the Forum …, Wang announced").
    const prep = before >= 0 && preps.has(tokens[before]!.folded) && (opensClause(tokens, before) || realMatches.some((m) => m.index < before && m.index >= before - 2)) ? 1 : 0;
    const prev = tokens[c.first - 1];
    const apposition =
      // Only a noun takes an apposition: "In 2014, the group…" is a fronted date, not "2014, the group".
      (prev !== undefined && (prev.text === '(' || prev.text === ',') && c.first - 2 >= 0 && NOMINAL.has(tokens[c.first - 2]!.pos) && realMatches.some((m) => m.index === c.first - 2)) ||
      (prev !== undefined && /^(?:called|named|known|as)$/.test(prev.folded) && c.first - 2 >= 0) ||
      // …or the other way round: "NFL (Los Angeles Rams, …)", "the Orthogenic School (a residential treatment program)".
      describedInBrackets(tokens, c.last, realMatches)
        ? 1
        : 0;

    // "What was the network called?" → "…, called Abilene": the phrase a naming verb introduces.
    let naming = c.first - 1;
    if (naming >= 0 && tokens[naming]!.pos === 'DET') naming--;
    if (naming >= 0 && /^["“‘']$/.test(tokens[naming]!.text)) naming--;
    const named = asksName && naming >= 0 && NAMING_WORDS.test(tokens[naming]!.folded) ? 1 : 0;
    // "industries, such as automobiles", "molecules (e.g., immunoglobulins…)": the examples of a matched phrase.
    const marker = exampleMarkerBefore(tokens, c.first);
    const example = marker >= 0 && realMatches.some((m) => m.index < marker && m.index >= marker - 4) ? 1 : 0;
    // "Who halted …?" → "were halted by the Mamluks of Egypt": the agent of the question's verb in the passive.
    let by = c.first - 1;
    if (by >= 0 && tokens[by]!.pos === 'DET') by--;
    const agent = analysis.gap === 'subject' && by >= 1 && tokens[by]!.folded === 'by' && realMatches.some((m) => m.index < by && m.index >= by - 6 && tokens[m.index]!.pos === 'VERB') ? 1 : 0;
    // "…by 2025?": a figure tied to another year ("2,700 … in 2023") answers another question.
    let otherYear = 0;
    if (askedYearHere && c.kind !== 'date') {
      const distance = (i: number) => (i < c.first ? c.first - i : i > c.last ? i - c.last : 0);
      const nearestYear = yearsAt.reduce((a, b) => (distance(b) < distance(a) ? b : a));
      otherYear = askedYears.has(tokens[nearestYear]!.text) ? 0 : 1;
    }
    // "Who is Chen Zhichen?": only a description attached to the name will do.
    // "Who is Chen Zhichen?": only a description attached to the name will do: an apposition or bracket after it,
    // "X is/was Y", or a title right before it ("AFP Deputy Commissioner Ian McCartney"). "described the case as a
    // turning point" describes something else: a naming word counts only right after the name. Asked of a title,
    // the name right after it.
    if (analysis.definition) {
      const matchedAt = new Set(realMatches.map((m) => m.index));
      const attached =
        (apposition === 1 && !(prev !== undefined && /^(?:called|named|known|as)$/.test(prev.folded) && ![1, 2, 3].some((k) => matchedAt.has(c.first - 1 - k)))) ||
        (prev !== undefined && COPULAS.has(prev.folded) && realMatches.some((m) => m.index < c.first)) ||
        (matchedAt.has(c.last + 1) && tokens.slice(c.first, c.last + 1).every((t) => t.capitalized || NAME_CONNECTORS.has(t.folded))) ||
        // "Who is the AFP Deputy Commissioner?" → the name right after the title.
        (c.kind === 'person' && matchedAt.has(c.first - 1));
      if (!attached) continue;
    }
    // "X, the Y of Z": a name the matched description is attached to.
    const next = tokens[c.last + 1];
    const isNamed = c.kind === 'name' || c.kind === 'person' || c.kind === 'place' || c.kind === 'organisation';
    // The description may open with an owner instead of a determiner: "Momus, Warsaw's first literary cabaret".
    const owned = tokens[c.last + 3] !== undefined && /^['’]s?$/.test(tokens[c.last + 3]!.text);
    const appositive =
      isNamed && next?.text === ',' && (tokens[c.last + 2]?.pos === 'DET' || owned) && realMatches.some((m) => m.index >= c.last + (owned ? 2 : 3) && m.index <= c.last + 5) ? 1 : 0;
    // "X is/was Y": the matched terms on one side of the copula only, the candidate right at the other
    // (or after the question words trimmed from its left: "is the steam engine indicator").
    const opener = tokens[raw.first - 1];
    const copula =
      (next !== undefined && COPULAS.has(next.folded) && realMatches.some((m) => m.index > c.last + 1) && !realMatches.some((m) => m.index < c.first)) ||
      (opener !== undefined && COPULAS.has(opener.folded) && realMatches.some((m) => m.index < raw.first - 1) && !realMatches.some((m) => m.index > c.last))
        ? 1
        : 0;
    // "suburban communities" for "…what other characteristic of communities?": a repeated head noun narrowed by a
    // new modifier is the specific thing asked for, so only the other repeated words count against it.
    const headRepeated = content.length > 1 && isQuestionTerm(content[content.length - 1]!) && !isQuestionTerm(content[content.length - 2]!);
    const repeated = headRepeated ? overlap - 1 : overlap;
    const length = words.length;
    const features: CandidateFeatures = {
      typeFit,
      nearest: near,
      proximity,
      alignment,
      focus: nearFocus,
      preposition: prep,
      apposition,
      appositive,
      copula,
      naming: named,
      example,
      passiveAgent: agent,
      otherYear,
      clauseBoundary: boundaries,
      overlap: repeated / Math.max(1, content.length),
      extraWords: c.kind === 'clause' || c.kind === 'action' ? Math.max(0, length - 12) : Math.max(0, length - 4),
    };
    const score = combine(features, model);
    const start = tokens[c.first]!.start;
    const end = tokens[c.last]!.end;
    ranked.push({ text: sentence.text.slice(start - sentence.start, end - sentence.start), start, end, kind: c.kind, first: c.first, last: c.last, typeFit, score, features });
  }
  ranked.sort((a, b) => b.score - a.score || a.start - b.start || b.end - a.end);
  return ranked;
}
