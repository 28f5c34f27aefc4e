import type { AnswerKind, QuestionAnalysis } from './question-analysis.js';
import type { Sentence, SentenceToken } from './sentences.js';

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
  /** Overall candidate score (higher is better). */
  readonly score: number;
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
});

/** Everything the extractor needs about the question for one sentence. */
export interface ShortAnswerContext {
  readonly analysis: QuestionAnalysis;
  /** Weight of every question (and carried) term, keyed by sentence term. */
  readonly termWeights: ReadonlyMap<string, number>;
  /** @default DEFAULT_CANDIDATE_WEIGHTS */
  readonly weights?: CandidateWeights;
}

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

const ENTITY_KIND: Readonly<Record<string, CandidateKind>> = {
  DATE: 'date',
  TIME: 'time',
  CARDINAL: 'number',
  ORDINAL: 'ordinal',
  MONEY: 'money',
  PERCENT: 'percent',
  DURATION: 'duration',
};

const SCALE = new Set(['hundred', 'thousand', 'million', 'billion', 'trillion', 'dozen', 'hundreds', 'thousands', 'millions', 'billions']);
const CURRENCY = /^(dollars?|pounds?|euros?|yen|yuan|renminbi|rupees?|francs?|marks?|pesos?|roubles?|rubles?|lire|lira|shillings?|guineas?|crowns?|krona|kronor|dinars?|won)$/i;
const TIME_UNITS = /^(years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries|century|millennia|millennium)$/i;
const NAME_CONNECTORS = new Set(['of', 'de', 'da', 'du', 'von', 'van', 'der', 'den', 'del', 'la', 'le', 'di', 'bin', 'ibn', 'al', 'aan', '&', 'for', 'on', 'upon']);
const ORG_WORDS =
  /^(university|institute|institution|police|department|party|ministry|bureau|company|corporation|corp|inc|ltd|association|council|committee|agency|bank|club|force|forces|service|services|office|court|group|network|post|times|news|commission|organization|organisation|union|school|college|academy|foundation|church|army|navy|team|society|assembly|parliament|senate|congress|board|authority|administration|federation|league|channel|airlines?|records|press|museum|hospital|centre|center|laboratory|laboratories|labs?|government|conference)$/i;
const PLACE_WORDS =
  /^(city|river|island|islands|province|county|mountains?|lake|sea|ocean|street|square|bay|valley|republic|kingdom|coast|gulf|peninsula|desert|forest|park|bridge|canal|region|district|territory|strait|harbour|harbor|avenue|road|garden|gardens)$/i;
const PLACE_PREPS = new Set(['in', 'at', 'from', 'near', 'across', 'throughout', 'into', 'towards', 'toward', 'outside', 'inside', 'within', 'through', 'along', 'around', 'between', 'beyond']);
const PERSON_TITLES =
  /^(president|dr|mr|mrs|ms|sir|lord|lady|king|queen|prince|princess|saint|st|pope|minister|commissioner|general|captain|senator|governor|mayor|professor|prof|emperor|judge|director|chairman|secretary|criminologist|councillor|coach|quarterback|deputy|chief|father|rev|bishop|cardinal|archbishop|count|duke|khan|sultan|tsar|czar|shah)$/i;
const PERSON_HEADS =
  /^(people|persons|members?|forces|troops|soldiers|government|governments|team|teams|citizens|children|women|men|family|families|monks|nuns|clergy|public|population|crew|staff|parliament|congress|congresses|presidents?|kings?|queens?|emperors?|leaders?|rulers?|officials?|settlers|immigrants|natives|tribes?|nobles?|nobility|peasants|workers|voters|students|pupils|scholars|scientists|pharmacists|physicians|doctors|priests|bishops|missionaries|authorities|police|army|navy|state|states|court|courts|committee|council|church|companies|company|parents|teachers|disciples|followers|allies|enemies|rebels|protesters|opponents|supporters|residents|inhabitants)$/i;
const COPULAS = new Set(['is', 'was', 'are', 'were', 'be', 'been', 'became', 'becomes']);
const CLAUSE_BOUNDARY = new Set([',', ';', ':', '(', ')', '[', ']', '—', '–', '"', '“', '”']);
const CLAUSE_END = new Set([',', ';', '.', ':', '!', '?', '(', ')', '[', ']', '—']);
/** Causal and purpose markers for "why"; `keep` markers stay inside the answer ("to protect …"). */
const REASON_MARKERS: readonly { words: readonly string[]; prior: number; keep: boolean }[] = [
  { words: ['because', 'of'], prior: 1, keep: false },
  { words: ['because'], prior: 1, keep: false },
  { words: ['due', 'to'], prior: 1, keep: false },
  { words: ['owing', 'to'], prior: 1, keep: false },
  { words: ['as', 'a', 'result', 'of'], prior: 1, keep: false },
  { words: ['in', 'order', 'to'], prior: 1, keep: false },
  { words: ['so', 'that'], prior: 0.9, keep: false },
  { words: ['for', 'fear', 'of'], prior: 1, keep: false },
  { words: ['in', 'response', 'to'], prior: 0.9, keep: false },
  { words: ['thanks', 'to'], prior: 0.9, keep: false },
  { words: ['since'], prior: 0.6, keep: false },
  { words: ['following'], prior: 0.6, keep: false },
  { words: ['over'], prior: 0.4, keep: false },
  { words: ['as'], prior: 0.4, keep: false },
  { words: ['to'], prior: 0.6, keep: true },
  { words: ['for'], prior: 0.4, keep: false },
];

interface RawCandidate {
  first: number;
  last: number;
  kind: CandidateKind;
  /** Confidence of the construction itself (e.g. a weak causal marker), multiplies the type fit. */
  prior?: number;
  /** Several coordinated items ("New Zealand, Finland, and Iran"). */
  coordinated?: boolean;
}

const isWordToken = (t: SentenceToken): boolean => /[\p{L}\p{N}]/u.test(t.text);
const joined = (tokens: readonly SentenceToken[], i: number): boolean => i > 0 && i < tokens.length && tokens[i]!.start === tokens[i - 1]!.end;
const OPENERS = /^[(\[“"‘'«]$/;
const CLOSERS = /^[)\]”"’'»,.;:!?]$|^['’]s$/;

/** Widens a span to whole written words: "2A" is tokenised "2" + "A", "28.5°E" in four tokens. */
function glue(tokens: readonly SentenceToken[], first: number, last: number): [number, number] {
  while (last + 1 < tokens.length && joined(tokens, last + 1) && !CLOSERS.test(tokens[last + 1]!.text) && !(tokens[last + 1]!.text === '-' && !joined(tokens, last + 2))) last++;
  while (first > 0 && joined(tokens, first) && !OPENERS.test(tokens[first - 1]!.text) && !CLOSERS.test(tokens[first]!.text) && isWordToken(tokens[first - 1]!)) first--;
  return [first, last];
}

/** Typed numbers and dates from wink's recogniser, widened to carry scale words and units. */
function entityCandidates(sentence: Sentence, out: RawCandidate[]): void {
  const tokens = sentence.tokens;
  const covered = new Set<number>();
  const figures: RawCandidate[] = [];
  for (const e of sentence.entities) {
    let kind = ENTITY_KIND[e.type];
    if (kind === undefined) continue;
    // "between 2014 and 2020" is a period of years: it answers "when" as a date does.
    if (kind === 'duration' && tokens.slice(e.first, e.last + 1).some((t) => /^(1\d{3}|20\d{2})s?$/.test(t.text))) kind = 'date';
    let first = e.first;
    let last = e.last;
    // "by 2025", "in March 2023": the preposition is not part of the date.
    while (first < last && (tokens[first]!.pos === 'ADP' || tokens[first]!.folded === 'about')) first++;
    if (kind === 'duration' && !tokens.slice(first, last + 1).some((t) => /\d/.test(t.text) || t.pos === 'NUM' || /^(several|many|few|a|an)$/i.test(t.text))) continue;
    while (last + 1 < tokens.length && SCALE.has(tokens[last + 1]!.folded)) last++;
    // "20–18": a score or range is one answer.
    if ((kind === 'number' || kind === 'date') && /^[–-]$/.test(tokens[last + 1]?.text ?? '') && tokens[last + 2]?.pos === 'NUM' && joined(tokens, last + 1) && joined(tokens, last + 2)) last += 2;
    // "over 37 million", "up to 30%": the modifier changes the figure, so it stays in the answer.
    if (kind !== 'date' && kind !== 'time' && kind !== 'ordinal') first = withComparative(tokens, first);
    for (let i = first; i <= last; i++) covered.add(i);
    out.push({ first, last, kind });
    figures.push({ first, last, kind });
    // "7 January 1943" also offers "1943" (for "what year").
    if (kind === 'date' && last > first) for (let i = first; i <= last; i++) if (/^(1\d{3}|20\d{2})$/.test(tokens[i]!.text)) out.push({ first: i, last: i, kind: 'date' });
    if (kind === 'number' || kind === 'money') {
      // "300 metres", "2,700 officers" also make a quantity with its unit.
      const unit = tokens[last + 1];
      if (unit && (unit.pos === 'NOUN' || unit.pos === 'PROPN') && !joined(tokens, last + 1)) out.push({ first, last: last + 1, kind: TIME_UNITS.test(unit.text) ? 'duration' : CURRENCY.test(unit.text) ? 'money' : 'quantity' });
      if (kind === 'number' && unit && (unit.text === '%' || /^per ?cent$/i.test(unit.text))) out.push({ first, last: last + 1, kind: 'percent' });
    }
  }
  // Numerals wink did not tag ("24", "three-quarters") still answer "how many".
  for (let i = 0; i < tokens.length; i++) {
    if (covered.has(i) || tokens[i]!.pos !== 'NUM') continue;
    let last = i;
    while (last + 1 < tokens.length && (tokens[last + 1]!.pos === 'NUM' || SCALE.has(tokens[last + 1]!.folded)) && !covered.has(last + 1)) last++;
    const isYear = last === i && /^(1[0-9]{3}|20[0-9]{2})s?$/.test(tokens[i]!.text);
    out.push({ first: i, last, kind: isYear ? 'date' : 'number' });
    figures.push({ first: i, last, kind: isYear ? 'date' : 'number' });
    const unit = tokens[last + 1];
    if (unit && unit.pos === 'NOUN') out.push({ first: i, last: last + 1, kind: TIME_UNITS.test(unit.text) ? 'duration' : 'quantity' });
    i = last;
  }
  // "1500 and 1850", "five to ten years", "30 to 50 thousand": a range or pair of figures is one answer.
  figures.sort((a, b) => a.first - b.first);
  for (let k = 0; k + 1 < figures.length; k++) {
    const a = figures[k]!;
    const b = figures.slice(k + 1).find((f) => f.first > a.last);
    if (!b || b.first !== a.last + 2 || !RANGE_WORDS.has(tokens[a.last + 1]!.folded)) continue;
    const numeric = (f: RawCandidate) => f.kind !== 'ordinal' && f.kind !== 'time';
    if (numeric(a) && numeric(b) && (a.kind === 'date') === (b.kind === 'date')) out.push({ first: a.first, last: b.last, kind: b.kind });
  }
}

/** Words joining the two ends of a range or pair of figures. */
const RANGE_WORDS = new Set(['to', 'and', 'or', '–', '-']);
/** Modifiers that bound a figure ("over", "more than", "up to"); hedges like "about" are left out. */
const COMPARATIVES: readonly (readonly string[])[] = [['more', 'than'], ['less', 'than'], ['fewer', 'than'], ['up', 'to'], ['at', 'least'], ['at', 'most'], ['over'], ['under'], ['nearly'], ['almost'], ['below'], ['above']];

/** `first` moved back over a comparative modifier just before it, if there is one. */
function withComparative(tokens: readonly SentenceToken[], first: number): number {
  for (const words of COMPARATIVES) {
    const at = first - words.length;
    if (at >= 0 && comparativeLength(tokens, at) === words.length) return at;
  }
  return first;
}

/** Number of tokens of the comparative modifier starting at `i` ("more than" → 2), or 0. */
function comparativeLength(tokens: readonly SentenceToken[], i: number): number {
  return COMPARATIVES.find((words) => words.every((w, k) => tokens[i + k]?.folded === w))?.length ?? 0;
}

function isNameStart(tokens: readonly SentenceToken[], i: number): boolean {
  const t = tokens[i]!;
  if (!t.capitalized || !/\p{L}/u.test(t.text)) return false;
  if (t.pos === 'PROPN') return true;
  if (t.pos === 'PRON' || t.pos === 'DET' || t.pos === 'ADP' || t.pos === 'CCONJ' || t.pos === 'SCONJ' || t.pos === 'AUX' || t.pos === 'ADV') return false;
  if (i === 0 || OPENERS.test(tokens[i - 1]!.text) || tokens[i - 1]!.text === ':') return false;
  return true;
}

function isNameToken(tokens: readonly SentenceToken[], i: number): boolean {
  const t = tokens[i]!;
  if (isNameStart(tokens, i)) return true;
  return /^[IVXLC]+$/.test(t.text) || (t.pos === 'NUM' && !t.text.includes(',') && !/^\d{4}$/.test(t.text));
}

/** Runs of capitalised words ("Justice Institute of British Columbia"), typed by surface cues. */
function nameCandidates(sentence: Sentence, out: RawCandidate[]): void {
  const tokens = sentence.tokens;
  const runs: [number, number][] = [];
  // "In April 2023": month names inside a date are not names.
  const inDate = new Set<number>();
  for (const e of sentence.entities) if (e.type === 'DATE' || e.type === 'TIME' || e.type === 'DURATION') for (let k = e.first; k <= e.last; k++) inDate.add(k);
  let i = 0;
  while (i < tokens.length) {
    if (!isNameStart(tokens, i) || inDate.has(i)) {
      i++;
      continue;
    }
    const first = i;
    let last = i;
    let j = i + 1;
    while (j < tokens.length) {
      const t = tokens[j]!;
      if (isNameToken(tokens, j) || (joined(tokens, j) && isWordToken(t) && !/^['’]s$/.test(t.text))) {
        last = j;
        j++;
        continue;
      }
      // Hyphenated names ("Jean-Paul") and connectors followed by another capital ("Bank of England").
      if ((t.text === '-' && joined(tokens, j)) || NAME_CONNECTORS.has(t.folded)) {
        let k = j + 1;
        if (tokens[k]?.folded === 'the') k++;
        if (k < tokens.length && isNameStart(tokens, k)) {
          j = k;
          continue;
        }
      }
      break;
    }
    const [a, b] = glue(tokens, first, last);
    runs.push([a, b]);
    pushName(tokens, a, b, out);
    i = Math.max(b + 1, i + 1);
  }
  // "Robert Lane and Benjamin Vail", "Grissom, White, and Chaffee": coordinated names.
  for (const [first, last] of coordinatedRuns(tokens, runs)) out.push({ first, last, kind: 'name', prior: 0.9, coordinated: true });
}

/** Words that join the members of a list: "A, B, and C", "A or B". */
const COORDINATION_GAPS: ReadonlySet<string> = new Set([',', 'and', ', and', 'or', ', or']);

/**
 * Every span from a run to a later run it is listed with ("New Zealand, Finland, and Iran"): for each starting
 * run, the whole chain of runs separated only by commas and "and"/"or", as [first token, last token].
 */
function coordinatedRuns(tokens: readonly SentenceToken[], runs: readonly (readonly [number, number])[]): [number, number][] {
  const joined: [number, number][] = [];
  for (let k = 0; k < runs.length; k++) {
    let end = k;
    while (end + 1 < runs.length && COORDINATION_GAPS.has(tokens.slice(runs[end]![1] + 1, runs[end + 1]![0]).map((t) => t.folded).join(' '))) end++;
    if (end > k) joined.push([runs[k]![0], runs[end]![1]]);
  }
  return joined;
}

function pushName(tokens: readonly SentenceToken[], first: number, last: number, out: RawCandidate[]): void {
  const words = tokens.slice(first, last + 1).filter(isWordToken);
  let before = tokens[first - 1];
  if (before?.pos === 'DET') before = tokens[first - 2];
  let kind: CandidateKind = 'name';
  if (words.some((t) => ORG_WORDS.test(t.text)) || (words.length === 1 && /^\p{Lu}{2,6}s?$/u.test(words[0]!.text))) kind = 'organisation';
  else if (words.some((t) => PLACE_WORDS.test(t.text))) kind = 'place';
  else if (before && PERSON_TITLES.test(before.text)) kind = 'person';
  else if (before && PLACE_PREPS.has(before.folded)) kind = 'place';
  // "at the Justice Institute …" is also where something happened.
  if (kind === 'organisation' && before && PLACE_PREPS.has(before.folded)) out.push({ first, last, kind: 'place', prior: 0.9 });
  else if (words.length >= 2 && words.length <= 4 && words.every((t) => /^\p{Lu}[\p{Ll}'’.-]+$/u.test(t.text)) && !/s$/.test(words[words.length - 1]!.text)) kind = 'person';
  out.push({ first, last, kind });
  // "President Xi Jinping" also offers "Xi Jinping".
  // "AFP Deputy Commissioner Ian McCartney" also offers the name after the last title word.
  let lastTitle = -1;
  for (let k = first; k < last; k++) if (PERSON_TITLES.test(tokens[k]!.text)) lastTitle = k;
  if (lastTitle >= first && lastTitle < last) out.push({ first: lastTitle + 1, last, kind: 'person' });
}

const NP_POS = new Set(['ADJ', 'NOUN', 'PROPN', 'NUM']);

/** Noun phrases from POS tags: (DET) (ADV ADJ | ADJ | NOUN | PROPN | NUM | 's)* head, plus "of"-attachments and lists. */
function phraseCandidates(sentence: Sentence, out: RawCandidate[]): void {
  const tokens = sentence.tokens;
  const spans: [number, number][] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    const participle = t.pos === 'VERB' && /(ing|ed)$/.test(t.folded) && NP_POS.has(tokens[i + 1]?.pos ?? '');
    const startsNp = NP_POS.has(t.pos) || participle || (t.pos === 'DET' && i + 1 < tokens.length && (NP_POS.has(tokens[i + 1]!.pos) || tokens[i + 1]!.pos === 'ADV'));
    if (!startsNp || !isWordToken(t)) {
      i++;
      continue;
    }
    const first = i;
    let last = -1;
    let j = i;
    while (j < tokens.length) {
      const u = tokens[j]!;
      const nextPos = tokens[j + 1]?.pos ?? '';
      if (NP_POS.has(u.pos) && isWordToken(u)) {
        if (u.pos !== 'ADJ') last = j;
        j++;
      } else if (j === first && u.pos === 'DET') j++;
      else if (j > first && /^['’]s?$/.test(u.text.replace(/s$/, '')) && u.pos === 'PART') j++;
      else if (joined(tokens, j) && j > first && !CLOSERS.test(u.text)) j++;
      else if (u.pos === 'ADV' && (nextPos === 'ADJ' || nextPos === 'VERB')) j++;
      else if (u.pos === 'VERB' && /(ing|ed)$/.test(u.folded) && (nextPos === 'NOUN' || nextPos === 'ADJ' || nextPos === 'PROPN')) j++;
      else break;
    }
    if (last < first) {
      // Adjectives alone ("multi-cultural", "low") answer "what kind" and "how" questions.
      const adjectives = tokens.slice(first, j).filter((u) => u.pos === 'ADJ');
      if (adjectives.length > 0) {
        const a0 = tokens.indexOf(adjectives[0]!);
        const [a, b] = glue(tokens, a0, tokens.indexOf(adjectives[adjectives.length - 1]!));
        out.push({ first: a, last: b, kind: 'adjective' });
      }
    } else {
      const [a, b] = glue(tokens, first, last);
      spans.push([a, b]);
      const head = tokens[b]!;
      const before = tokens[a - 1];
      let kind: CandidateKind = 'phrase';
      if (PERSON_HEADS.test(head.text) || /^\p{Ll}+(?:ers|ors|ists|ians|ants|ees)$/u.test(head.text)) kind = 'person-phrase';
      else if (before && PLACE_PREPS.has(before.folded)) kind = 'place-phrase';
      out.push({ first: a, last: b, kind });
      // A determiner-free variant: "the drive shaft" also offers "drive shaft" for answer-length fit.
      if (tokens[a]!.pos === 'DET' && b > a && !/^(the|a|an)$/.test(tokens[a]!.folded)) out.push({ first: a + 1, last: b, kind });
      // "encouraged private confession": also without the leading participle.
      if (tokens[a]!.pos === 'VERB' && b > a) out.push({ first: a + 1, last: b, kind });
    }
    i = Math.max(j, i + 1);
  }
  // "the national security risks of the program": NP of NP.
  for (let k = 0; k + 1 < spans.length; k++) {
    const [a, b] = spans[k]!;
    const [c, d] = spans[k + 1]!;
    if (c === b + 2 && /^(of|for|in)$/.test(tokens[b + 1]!.folded)) out.push({ first: a, last: d, kind: 'phrase', prior: tokens[b + 1]!.folded === 'of' ? 1 : 0.8 });
  }
  // Lists: "New Zealand, Finland, and Iran".
  for (const [first, last] of coordinatedRuns(tokens, spans)) out.push({ first, last, kind: 'phrase', prior: 0.9, coordinated: true });
}

/** Clauses introduced by a causal / purpose marker ("why"), "by …ing" ("how"), or a verb phrase ("what did X do"). */
function clauseCandidates(sentence: Sentence, expected: AnswerKind, matches: readonly TermMatch[], out: RawCandidate[]): void {
  const tokens = sentence.tokens;
  const folded = tokens.map((t) => t.folded);
  const pushClause = (first: number, kind: CandidateKind, prior: number) => {
    if (first >= tokens.length) return;
    let last = first;
    while (last + 1 < tokens.length && !CLAUSE_END.has(tokens[last + 1]!.text) && last - first < 24) last++;
    while (last > first && !isWordToken(tokens[last]!)) last--;
    if (isWordToken(tokens[first]!)) out.push({ first, last, kind, prior });
  };
  for (let i = 0; i < tokens.length; i++) {
    if (expected === 'reason') {
      for (const marker of REASON_MARKERS) {
        if (!marker.words.every((w, k) => folded[i + k] === w)) continue;
        const next = tokens[i + marker.words.length];
        if (marker.words.length === 1 && marker.words[0] === 'to' && next?.pos !== 'VERB' && next?.pos !== 'AUX') break;
        pushClause(marker.keep ? i : i + marker.words.length, 'clause', marker.prior);
        break;
      }
    } else if (expected === 'manner') {
      if (/^(by|through|via|using|with)$/.test(folded[i]!) && tokens[i + 1] && tokens[i + 1]!.pos !== 'PUNCT') pushClause(i + 1, 'clause', folded[i] === 'by' ? 1 : 0.7);
    }
  }
  if (expected === 'reason') {
    // "Concerns about the risks led to its shutdown": the cause is the clause before the verb.
    for (let i = 1; i < tokens.length; i++) {
      const two = `${folded[i]} ${folded[i + 1] ?? ''}`;
      if (!(two === 'led to' || two === 'resulted in' || two === 'gave rise' || /^(caused|prompted|triggered|sparked|forced)$/.test(folded[i]!))) continue;
      let first = i - 1;
      while (first > 0 && !CLAUSE_END.has(tokens[first - 1]!.text) && i - first < 24) first--;
      while (first < i - 1 && !isWordToken(tokens[first]!)) first++;
      if (first < i) out.push({ first, last: i - 1, kind: 'clause', prior: 0.9 });
    }
  }
  if (expected === 'action') {
    // "What did the company do?" → the verb phrase after the matched subject.
    const lastMatch = Math.max(-1, ...matches.map((m) => m.index));
    for (let i = lastMatch + 1; i < tokens.length; i++) {
      if (tokens[i]!.pos === 'VERB') {
        pushClause(i, 'action', 1);
        break;
      }
    }
  }
}

/** Every candidate phrase of a sentence, without scores. */
function rawCandidates(sentence: Sentence, expected: AnswerKind, matches: readonly TermMatch[]): RawCandidate[] {
  const out: RawCandidate[] = [];
  entityCandidates(sentence, out);
  nameCandidates(sentence, out);
  phraseCandidates(sentence, out);
  if (expected === 'reason' || expected === 'manner' || expected === 'action') clauseCandidates(sentence, expected, matches, out);
  return out;
}

/**
 * Drops function words at either edge, and question words at the left edge: "the Chinese police" for
 * "…Chinese…?" → "police". A question word that ends the phrase is its head and stays ("a composite number"
 * for "What are numbers…?"), as SQuAD-style answers keep it.
 */
function trimEdges(tokens: readonly SentenceToken[], c: RawCandidate, isQuestionTerm: (t: SentenceToken) => boolean): RawCandidate | null {
  let { first, last } = c;
  // A name is kept whole: one that contains a question word is usually the question's own subject.
  const isName = c.kind === 'person' || c.kind === 'place' || c.kind === 'organisation' || c.kind === 'name';
  const edge = (t: SentenceToken) => (!isName && isQuestionTerm(t)) || t.pos === 'ADP' || t.pos === 'CCONJ' || t.pos === 'PUNCT' || /^['’]s$/.test(t.text);
  const figure = c.kind !== 'date' && c.kind !== 'time' && c.kind !== 'ordinal' && tokens.slice(first, last + 1).some((t) => t.pos === 'NUM');
  while (first <= last && !(figure && comparativeLength(tokens, first) > 0) && (edge(tokens[first]!) || (!isName && tokens[first]!.pos === 'DET' && first < last && isQuestionTerm(tokens[first + 1]!)))) first++;
  const rightEdge = (t: SentenceToken) => t.pos === 'ADP' || t.pos === 'CCONJ' || t.pos === 'PUNCT' || /^['’]s$/.test(t.text);
  while (last >= first && (rightEdge(tokens[last]!) || tokens[last]!.pos === 'DET')) last--;
  if (first > last) return null;
  if (first === c.first && last === c.last) return c;
  return { ...c, first, last };
}

const MONTH = /^(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?$/i;

/** How well a date's precision matches the focus noun: a bare year for "year", a month for "month". */
function granularityFit(focus: string, words: readonly SentenceToken[]): number {
  const hasYear = words.some((t) => /^(1\d{3}|20\d{2})s?$/.test(t.text));
  const hasMonth = words.some((t) => MONTH.test(t.text));
  // "During which years…": two years ("between 1500 and 1850") answer a plural as one year answers "what year".
  if (focus === 'years' && words.filter((t) => /^(1\d{3}|20\d{2})s?$/.test(t.text)).length >= 2) return 1;
  if (focus === 'year' || focus === 'years') return hasYear ? (words.length === 1 ? 1 : 0.85) : 0.6;
  if (focus === 'month') return hasMonth ? 1 : 0.6;
  if (focus === 'century' || focus === 'centuries' || focus === 'decade') return words.some((t) => /(century|centuries|\d0s)$/i.test(t.text)) ? 1 : 0.8;
  return 1;
}

/** Initials of the capitalised words of a phrase ("Global Security Initiative" → "GSI"). */
function initials(words: readonly SentenceToken[]): string {
  return words
    .filter((t) => t.capitalized)
    .map((t) => t.text[0])
    .join('');
}

/** Prepositions that tie a "what/which" gap to its phrase ("In what year…", "…mounted on?"). */
function questionPrepositions(question: string): Set<string> {
  const preps = new Set<string>();
  const lower = question.toLowerCase();
  const before = /\b(in|on|at|by|from|to|into|of|for|with|under|during|after|before|through|since|against|over|about|between)\s+(?:what|which|whom|whose|how)\b/.exec(lower);
  if (before) preps.add(before[1]!);
  const dangling = /\b(in|on|at|by|from|to|into|of|for|with|under|after|before|through|as|against|over|about|like)\s*\??\s*$/.exec(lower);
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
  const acronyms = analysis.terms.filter((t) => /^\p{Lu}{2,6}$/u.test(t.text)).map((t) => t.text);
  const boundaryPrefix: number[] = [0];
  for (const t of tokens) boundaryPrefix.push(boundaryPrefix[boundaryPrefix.length - 1]! + (CLAUSE_BOUNDARY.has(t.text) ? 1 : 0));
  const boundariesBetween = (a: number, b: number) => (a < b ? boundaryPrefix[b]! - boundaryPrefix[a + 1]! : boundaryPrefix[a]! - boundaryPrefix[b + 1]!);

  const seen = new Set<string>();
  const ranked: AnswerCandidate[] = [];
  for (const raw of rawCandidates(sentence, expected, realMatches)) {
    const c = trimEdges(tokens, raw, isQuestionTerm);
    if (c === null) continue;
    const key = `${c.first}:${c.last}:${c.kind}:${c.prior ?? 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const span = tokens.slice(c.first, c.last + 1);
    const words = span.filter(isWordToken);
    if (words.length === 0) continue;
    const content = words.filter((t) => t.term !== null);
    const overlap = content.filter(isQuestionTerm).length;
    if (content.length > 0 && overlap === content.length) continue;
    if (content.length > 0 && content.every(isFocus)) continue;
    if (content.length === 0 && (c.kind === 'phrase' || c.kind === 'person-phrase' || c.kind === 'place-phrase' || c.kind === 'adjective')) continue;
    let typeFit = (FIT[expected][c.kind] ?? 0) * (c.prior ?? 1);
    // "What year…" wants "1943", not "7 January 1943"; "which month" wants a month.
    if (c.kind === 'date' && focus !== null) typeFit = Math.min(1, typeFit * granularityFit(focus, words));
    // "What does GSI stand for?": the capitalised words whose initials spell it. Otherwise such a
    // phrase is the question's own subject written out ("JIBC" → "Justice Institute of British Columbia").
    const spellsAcronym = acronyms.length > 0 && acronyms.includes(initials(words));
    if (spellsAcronym && analysis.expandsAcronym) typeFit = 1;
    else if (spellsAcronym) continue;
    // "Which countries…": a coordinated list answers a plural question.
    if (analysis.plural && c.coordinated) typeFit = Math.min(1, typeFit * 1.3);
    else if (!analysis.plural && c.coordinated) typeFit *= 0.8;
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
    const prep = before >= 0 && preps.has(tokens[before]!.folded) ? 1 : 0;
    const prev = tokens[c.first - 1];
    const apposition =
      (prev !== undefined && (prev.text === '(' || prev.text === ',') && c.first - 2 >= 0 && realMatches.some((m) => m.index === c.first - 2)) ||
      (prev !== undefined && /^(called|named|known|as)$/.test(prev.folded) && c.first - 2 >= 0)
        ? 1
        : 0;

    // "Who is Chen Zhichen?": only a description attached to the name will do.
    if (analysis.definition && apposition === 0 && !(prev !== undefined && COPULAS.has(prev.folded) && realMatches.some((m) => m.index < c.first))) continue;
    // "X, the Y of Z": a name the matched description is attached to.
    const next = tokens[c.last + 1];
    const isNamed = c.kind === 'name' || c.kind === 'person' || c.kind === 'place' || c.kind === 'organisation';
    const appositive = isNamed && next?.text === ',' && tokens[c.last + 2]?.pos === 'DET' && realMatches.some((m) => m.index >= c.last + 3 && m.index <= c.last + 5) ? 1 : 0;
    // "X is/was Y": the matched terms on one side of the copula only, the candidate right at the other.
    const copula =
      (next !== undefined && COPULAS.has(next.folded) && realMatches.some((m) => m.index > c.last + 1) && !realMatches.some((m) => m.index < c.first)) ||
      (prev !== undefined && COPULAS.has(prev.folded) && realMatches.some((m) => m.index < c.first - 1) && !realMatches.some((m) => m.index > c.last))
        ? 1
        : 0;
    const length = words.length;
    const lengthPenalty = c.kind === 'clause' || c.kind === 'action' ? Math.max(0, length - 12) * W.length : Math.max(0, length - 4) * W.length;
    const score =
      W.typeFit * typeFit +
      W.nearest * near +
      W.proximity * proximity +
      W.alignment * alignment +
      W.focus * nearFocus +
      W.preposition * prep +
      W.apposition * apposition +
      (W.appositive ?? 0) * appositive +
      (W.copula ?? 0) * copula -
      W.clauseBoundary * boundaries -
      W.overlap * (overlap / Math.max(1, content.length)) -
      lengthPenalty;
    const start = tokens[c.first]!.start;
    const end = tokens[c.last]!.end;
    ranked.push({ text: sentence.text.slice(start - sentence.start, end - sentence.start), start, end, kind: c.kind, first: c.first, last: c.last, typeFit, score });
  }
  ranked.sort((a, b) => b.score - a.score || a.start - b.start || b.end - a.end);
  return ranked;
}

/**
 * The short answer of a sentence: its best candidate when that candidate scores high enough, else null
 * (an unsure short answer is worse than none).
 * @param minScore below this candidate score the answer is null. @default 1.05
 */
export function extractShortAnswer(sentence: Sentence, matches: readonly TermMatch[], context: ShortAnswerContext, minScore = 1.05): AnswerCandidate | null {
  const best = rankCandidates(sentence, matches, context)[0];
  return best !== undefined && best.score >= minScore ? best : null;
}
