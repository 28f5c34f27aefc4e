/**
 * Candidate answer phrases of one sentence, before any scoring: typed figures and dates from wink's recogniser,
 * runs of capitalised words, noun phrases from POS tags, quoted titles, and the clauses that answer "why", "how"
 * and "what did X do". Ranking them against the question is short-answer.ts's job.
 */
import type { AnswerKind } from './question-analysis.js';
import type { Sentence, SentenceToken } from './sentences.js';
import type { CandidateKind, TermMatch } from './short-answer.js';
import { YEAR } from './terms.js';

/** The candidate kind of each wink entity type that can answer a question. */
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
const CURRENCY = /^(?:dollars?|pounds?|euros?|yen|yuan|renminbi|rupees?|francs?|marks?|pesos?|roubles?|rubles?|lire|lira|shillings?|guineas?|crowns?|krona|kronor|dinars?|won)$/i;
const TIME_UNITS = /^(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|centuries|century|millennia|millennium)$/i;
/** Lower-case words that may sit inside a name ("Bank of England", "Ludwig van Beethoven"). */
export const NAME_CONNECTORS = new Set(['of', 'de', 'da', 'du', 'von', 'van', 'der', 'den', 'del', 'la', 'le', 'di', 'bin', 'ibn', 'al', 'aan', '&', 'for', 'on', 'upon']);
const ORG_WORDS =
  /^(?:university|institute|institution|police|department|party|ministry|bureau|company|corporation|corp|inc|ltd|association|council|committee|agency|bank|club|force|forces|service|services|office|court|group|network|post|times|news|commission|organization|organisation|union|school|college|academy|foundation|church|army|navy|team|society|assembly|parliament|senate|congress|board|authority|administration|federation|league|channel|airlines?|records|press|museum|hospital|centre|center|laboratory|laboratories|labs?|government|conference)$/i;
const PLACE_WORDS =
  /^(?:city|river|island|islands|province|county|mountains?|lake|sea|ocean|street|square|bay|valley|republic|kingdom|coast|gulf|peninsula|desert|forest|park|bridge|canal|region|district|territory|strait|harbour|harbor|avenue|road|garden|gardens)$/i;
const PLACE_PREPS = new Set(['in', 'at', 'from', 'near', 'across', 'throughout', 'into', 'towards', 'toward', 'outside', 'inside', 'within', 'through', 'along', 'around', 'between', 'beyond']);
const PERSON_TITLES =
  /^(?:president|dr|mr|mrs|ms|sir|lord|lady|king|queen|prince|princess|saint|st|pope|minister|commissioner|general|captain|senator|governor|mayor|professor|prof|emperor|judge|director|chairman|secretary|criminologist|councillor|coach|quarterback|deputy|chief|father|rev|bishop|cardinal|archbishop|count|duke|khan|sultan|tsar|czar|shah)$/i;
const PERSON_HEADS =
  /^(?:people|persons|members?|forces|troops|soldiers|government|governments|team|teams|citizens|children|women|men|family|families|monks|nuns|clergy|public|population|crew|staff|parliament|congress|congresses|presidents?|kings?|queens?|emperors?|leaders?|rulers?|officials?|settlers|immigrants|natives|tribes?|nobles?|nobility|peasants|workers|voters|students|pupils|scholars|scientists|pharmacists|physicians|doctors|priests|bishops|missionaries|authorities|police|army|navy|state|states|court|courts|committee|council|church|companies|company|parents|teachers|disciples|followers|allies|enemies|rebels|protesters|opponents|supporters|residents|inhabitants)$/i;
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

/** A candidate phrase as token positions, before scoring. */
export interface RawCandidate {
  first: number;
  last: number;
  kind: CandidateKind;
  /** Confidence of the construction itself (e.g. a weak causal marker), multiplies the type fit. */
  prior?: number;
  /** Several coordinated items ("New Zealand, Finland, and Iran"). */
  coordinated?: boolean;
}

/** Whether a token is a word or number rather than punctuation. */
export const isWordToken = (t: SentenceToken): boolean => /[\p{L}\p{N}]/u.test(t.text);
const joined = (tokens: readonly SentenceToken[], i: number): boolean => i > 0 && i < tokens.length && tokens[i]!.start === tokens[i - 1]!.end;
/** Opening brackets and quotes. */
export const OPENERS = /^[([“"‘'«]$/;
const CLOSERS = /^[)\]”"’'»,.;:!?]$|^['’]s$/;

/** Widens a span to whole written words: "2A" is tokenised "2" + "A", "28.5°E" in four tokens. */
function glue(tokens: readonly SentenceToken[], first: number, last: number): [number, number] {
  while (last + 1 < tokens.length && joined(tokens, last + 1) && !CLOSERS.test(tokens[last + 1]!.text) && !(tokens[last + 1]!.text === '-' && !joined(tokens, last + 2))) last++;
  while (first > 0 && joined(tokens, first) && !OPENERS.test(tokens[first - 1]!.text) && !CLOSERS.test(tokens[first]!.text) && isWordToken(tokens[first - 1]!)) first--;
  return [first, last];
}

/** Typed numbers and dates from wink's recogniser, widened to carry scale words and units. */
function entityCandidates(sentence: Sentence, expected: AnswerKind, out: RawCandidate[]): void {
  const tokens = sentence.tokens;
  const covered = new Set<number>();
  const figures: RawCandidate[] = [];
  for (const e of sentence.entities) {
    let kind = ENTITY_KIND[e.type];
    if (kind === undefined) continue;
    // "between 2014 and 2020" is a period of years: it answers "when" as a date does.
    if (kind === 'duration' && tokens.slice(e.first, e.last + 1).some((t) => YEAR.test(t.text))) kind = 'date';
    let first = e.first;
    let last = e.last;
    // "by 2025", "in March 2023": the preposition is not part of the date.
    while (first < last && (tokens[first]!.pos === 'ADP' || tokens[first]!.folded === 'about')) first++;
    if (kind === 'duration' && !tokens.slice(first, last + 1).some((t) => /\d/.test(t.text) || t.pos === 'NUM' || /^(?:several|many|few|a|an)$/i.test(t.text))) continue;
    while (last + 1 < tokens.length && SCALE.has(tokens[last + 1]!.folded)) last++;
    // "20–18": a score or range is one answer.
    if ((kind === 'number' || kind === 'date') && /^[–-]$/.test(tokens[last + 1]?.text ?? '') && tokens[last + 2]?.pos === 'NUM' && joined(tokens, last + 1) && joined(tokens, last + 2)) last += 2;
    // "over 37 million", "up to 30%": the modifier changes the figure, so it stays in the answer.
    if (kind !== 'date' && kind !== 'time' && kind !== 'ordinal') first = withComparative(tokens, first);
    for (let i = first; i <= last; i++) covered.add(i);
    out.push({ first, last, kind });
    figures.push({ first, last, kind });
    // "515 million years ago" also offers the age it states, "515 million years" (for "how old"; "how long ago" keeps "ago").
    if (kind === 'date' && last > first && tokens[last]!.folded === 'ago' && expected !== 'duration') out.push({ first, last: last - 1, kind: 'duration' });
    // "7 January 1943" also offers "1943" (for "what year").
    if (kind === 'date' && last > first) for (let i = first; i <= last; i++) if (/^(?:1\d{3}|20\d{2})$/.test(tokens[i]!.text)) out.push({ first: i, last: i, kind: 'date' });
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
    const isYear = last === i && /^(?:1\d{3}|20\d{2})s?$/.test(tokens[i]!.text);
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
  // "Contrary to", "According to": an opening word that takes "to" is a preposition, whatever the tagger says.
  if (t.pos === 'PROPN') return !(opensSentence(tokens, i) && tokens[i + 1]?.folded === 'to');
  if (t.pos === 'PRON' || t.pos === 'DET' || t.pos === 'ADP' || t.pos === 'CCONJ' || t.pos === 'SCONJ' || t.pos === 'AUX' || t.pos === 'ADV') return false;
  return !opensSentence(tokens, i);
}

/** Whether token `i` opens the sentence, after any opening quote or bracket or a colon. */
function opensSentence(tokens: readonly SentenceToken[], i: number): boolean {
  return i === 0 || OPENERS.test(tokens[i - 1]!.text) || tokens[i - 1]!.text === ':';
}

function isNameToken(tokens: readonly SentenceToken[], i: number): boolean {
  const t = tokens[i]!;
  if (isNameStart(tokens, i)) return true;
  return /^[IVXLC]+$/.test(t.text) || (t.pos === 'NUM' && !t.text.includes(',') && !/^\d{4}$/.test(t.text));
}

/** Indexes of the tokens inside a date, time or duration wink recognised. */
function timeTokens(sentence: Sentence): Set<number> {
  const at = new Set<number>();
  for (const e of sentence.entities) if (e.type === 'DATE' || e.type === 'TIME' || e.type === 'DURATION') for (let k = e.first; k <= e.last; k++) at.add(k);
  return at;
}

/** Runs of capitalised words ("Justice Institute of British Columbia"), typed by surface cues. */
function nameCandidates(sentence: Sentence, out: RawCandidate[]): void {
  const tokens = sentence.tokens;
  const runs: [number, number][] = [];
  // "In April 2023": month names inside a date are not names.
  const inDate = timeTokens(sentence);
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
  // "European People's Party", "Lorentz's Law": a possessive may sit inside a name, so the joined run is offered too.
  for (let k = 0; k + 1 < runs.length; k++) {
    const [a, b] = runs[k]!;
    const [c, d] = runs[k + 1]!;
    if (c === b + 2 && /^['’]s?$/.test(tokens[b + 1]!.text) && joined(tokens, b + 1)) out.push({ first: a, last: d, kind: 'name' });
  }
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
    // "the Treaty of Rome and the Maastricht Treaty": an article may open the next item.
    // A gap of more than three tokens cannot be one of COORDINATION_GAPS (at most two, and an article after them).
    const gap = (a: number, b: number) => (b - a > 3 ? '' : tokens.slice(a, b).map((t) => t.folded).join(' ').replace(/ (the|a|an)$/, ''));
    while (end + 1 < runs.length && COORDINATION_GAPS.has(gap(runs[end]![1] + 1, runs[end + 1]![0]))) end++;
    if (end > k) joined.push([runs[k]![0], runs[end]![1]]);
  }
  return joined;
}

function pushName(tokens: readonly SentenceToken[], first: number, last: number, out: RawCandidate[]): void {
  const words = tokens.slice(first, last + 1).filter(isWordToken);
  let before = tokens[first - 1];
  if (before?.pos === 'DET') before = tokens[first - 2];
  let kind: CandidateKind = 'name';
  /** The kind rests on context or shape alone ("in X", two capitalised words), so the plain name is offered too. */
  let guessed = false;
  if (words.some((t) => ORG_WORDS.test(t.text)) || (words.length === 1 && /^\p{Lu}{2,6}s?$/u.test(words[0]!.text))) kind = 'organisation';
  else if (words.some((t) => PLACE_WORDS.test(t.text))) kind = 'place';
  else if (before && PERSON_TITLES.test(before.text)) kind = 'person';
  else if (before && PLACE_PREPS.has(before.folded)) [kind, guessed] = ['place', true];
  // "at the Justice Institute …" is also where something happened.
  if (kind === 'organisation' && before && PLACE_PREPS.has(before.folded)) out.push({ first, last, kind: 'place', prior: 0.9 });
  // Two to four plain capitalised words with no organisation or place word: most often a person's name.
  else if (kind === 'name' && words.length >= 2 && words.length <= 4 && words.every((t) => /^\p{Lu}[\p{Ll}'’.-]+$/u.test(t.text)) && !/s$/.test(words[words.length - 1]!.text)) [kind, guessed] = ['person', true];
  out.push({ first, last, kind });
  if (guessed) out.push({ first, last, kind: 'name' });
  // "President Xi Jinping" also offers "Xi Jinping".
  // "AFP Deputy Commissioner Ian McCartney" also offers the name after the last title word.
  let lastTitle = -1;
  for (let k = first; k < last; k++) if (PERSON_TITLES.test(tokens[k]!.text)) lastTitle = k;
  if (lastTitle >= first && lastTitle < last) {
    out.push({ first: lastTitle + 1, last, kind: 'person' });
    // …and the title itself, which is what "Who is Ian McCartney?" asks for.
    out.push({ first, last: lastTitle, kind: 'person-phrase' });
  }
}

const NP_POS = new Set(['ADJ', 'NOUN', 'PROPN', 'NUM']);

/** Noun phrases from POS tags: (DET) (ADV ADJ | ADJ | NOUN | PROPN | NUM | 's)* head, plus "of"-attachments and lists. */
function phraseCandidates(sentence: Sentence, out: RawCandidate[]): void {
  const tokens = sentence.tokens;
  const inTime = timeTokens(sentence);
  const spans: [number, number][] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    const participle = t.pos === 'VERB' && /(?:ing|ed)$/.test(t.folded) && NP_POS.has(tokens[i + 1]?.pos ?? '');
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
      else if (u.pos === 'VERB' && /(?:ing|ed)$/.test(u.folded) && (nextPos === 'NOUN' || nextPos === 'ADJ' || nextPos === 'PROPN')) j++;
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
      // "in April 2023" is a time, not a place; "In addition, …", "In economics, …" open a sentence with a bare noun
      // that frames it, not a place.
      else if (before && PLACE_PREPS.has(before.folded) && !inTime.has(b) && !(a === b && !head.capitalized && opensSentence(tokens, a - 1) && tokens[b + 1]?.text === ',')) kind = 'place-phrase';
      // "the 1980s", "2001": a bare figure is offered typed, by entityCandidates, not as a common noun phrase.
      const figure = tokens.slice(a, b + 1).every((t) => t.pos === 'DET' || (t.pos === 'NUM' && isWordToken(t)));
      if (!figure) {
        out.push({ first: a, last: b, kind });
        // A determiner-free variant: "the drive shaft" also offers "drive shaft" for answer-length fit.
        if (tokens[a]!.pos === 'DET' && b > a && !/^(?:the|a|an)$/.test(tokens[a]!.folded)) out.push({ first: a + 1, last: b, kind });
        // "encouraged private confession": also without the leading participle.
        if (tokens[a]!.pos === 'VERB' && b > a) out.push({ first: a + 1, last: b, kind });
      }
    }
    i = Math.max(j, i + 1);
  }
  // "the national security risks of the program": NP of NP.
  for (let k = 0; k + 1 < spans.length; k++) {
    const [a, b] = spans[k]!;
    const [c, d] = spans[k + 1]!;
    if (c === b + 2 && /^(?:of|for|in)$/.test(tokens[b + 1]!.folded)) out.push({ first: a, last: d, kind: 'phrase', prior: tokens[b + 1]!.folded === 'of' ? 1 : 0.8 });
  }
  // Lists: "New Zealand, Finland, and Iran".
  for (const [first, last] of coordinatedRuns(tokens, spans)) out.push({ first, last, kind: 'phrase', prior: 0.9, coordinated: true });
}

const QUOTE_PAIRS: Readonly<Record<string, string>> = { '"': '"', '“': '”', '‘': '’', "'": "'" };

/** What a sentence puts in quotation marks: a title or a term ("A Machine to End War", "the Romantic Rhine"). */
function quotedCandidates(sentence: Sentence, out: RawCandidate[]): void {
  const tokens = sentence.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const text = tokens[i]!.text;
    const close = text.length === 1 ? QUOTE_PAIRS[text] : undefined;
    if (close === undefined) continue;
    const end = tokens.findIndex((t, k) => k > i + 1 && k <= i + 10 && t.text === close);
    if (end < 0) continue;
    const first = tokens[i + 1]!;
    out.push({ first: i + 1, last: end - 1, kind: first.capitalized ? 'name' : 'phrase' });
    i = end;
  }
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
      if (/^(?:by|through|via|using|with)$/.test(folded[i]!) && tokens[i + 1] && tokens[i + 1]!.pos !== 'PUNCT') pushClause(i + 1, 'clause', folded[i] === 'by' ? 1 : 0.7);
    }
  }
  if (expected === 'reason') {
    // "Concerns about the risks led to its shutdown": the cause is the clause before the verb.
    for (let i = 1; i < tokens.length; i++) {
      const two = `${folded[i]} ${folded[i + 1] ?? ''}`;
      if (!(two === 'led to' || two === 'resulted in' || two === 'gave rise' || /^(?:caused|prompted|triggered|sparked|forced)$/.test(folded[i]!))) continue;
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
export function rawCandidates(sentence: Sentence, expected: AnswerKind, matches: readonly TermMatch[]): RawCandidate[] {
  const out: RawCandidate[] = [];
  entityCandidates(sentence, expected, out);
  nameCandidates(sentence, out);
  phraseCandidates(sentence, out);
  quotedCandidates(sentence, out);
  if (expected === 'reason' || expected === 'manner' || expected === 'action') clauseCandidates(sentence, expected, matches, out);
  return out;
}

/**
 * Drops function words at either edge, and question words at the left edge: "the Chinese police" for
 * "…Chinese…?" → "police". A question word that ends the phrase is its head and stays ("a composite number"
 * for "What are numbers…?"), as SQuAD-style answers keep it.
 */
export function trimEdges(tokens: readonly SentenceToken[], c: RawCandidate, isQuestionTerm: (t: SentenceToken) => boolean): RawCandidate | null {
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
