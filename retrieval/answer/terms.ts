import { STOPWORDS, foldWord } from '../text/lexicon.js';
import type { Lemmatizer, Stemmer } from './nlp.js';

/** A year written as digits, or a decade ("1990s"): 1000–2099. */
export const YEAR = /^(1\d{3}|20\d{2})s?$/;

/**
 * Forms the model's lemmatizer leaves alone but that name the same event or property, mapped to one base so that
 * "When did Tesla die?" meets "Tesla's death" and "Who founded it?" meets "its founders". Inflections ("gave", "mice")
 * are the lemmatizer's job. General English only; corpus-specific synonyms do not belong here.
 */
const IRREGULAR: ReadonlyMap<string, string> = new Map(
  Object.entries({
    death: 'die', deaths: 'die', dead: 'die', born: 'birth',
    winner: 'win', winners: 'win', writer: 'write', writers: 'write', leader: 'lead', leaders: 'lead', singer: 'sing',
    growth: 'grow', loss: 'lose', worn: 'wear', shot: 'shoot', founder: 'found', founders: 'found', foundation: 'found',
    shutdown: 'shut', shutdowns: 'shut', breakdown: 'break', takeover: 'take', marriage: 'marry', student: 'study', students: 'study',
    people: 'person', height: 'high', longer: 'long', length: 'long',
  }),
);

/**
 * Families of general-English words that questions use in place of each other ("Where did she study?"
 * vs "she attended JIBC"). A family match counts for less than an exact one.
 */
const RELATED: readonly string[] = [
  'study educate education attend graduate enrol enroll school student train',
  'begin start commence launch introduce open create establish found',
  'end stop halt cease discontinue terminate abandon close shut shutdown closure',
  'buy purchase acquire',
  'sell',
  'say state announce claim report tell declare reveal note describe',
  'accuse allege charge indict',
  'kill murder assassinate',
  'big large huge great major',
  'small little tiny minor',
  'country nation state',
  'money fund funding finance revenue income profit generate earn',
  'cause reason lead result',
  'concern fear worry risk threat',
  'job role position post',
  'build construct erect',
  'invent develop design devise',
  'help aid assist support',
  'pressure force coerce compel',
  'war conflict battle fight',
  'law act legislation statute rule',
  'member join belong',
  'leader head chief',
  'city town',
  'show reveal demonstrate',
  'name call title',
  'change alter adjust revise modify amend reform',
  'agreement deal accord pact treaty arrangement',
  'require oblige compel mandate',
  'provide supply give offer furnish',
  'strengthen bolster reinforce boost enhance improve increase',
  'champion advocate promote support',
  'run operate manage orchestrate',
  'unveil introduce launch present announce',
  'china chinese', 'america american', 'canada canadian', 'australia australian', 'italy italian', 'britain british',
  'france french', 'germany german', 'japan japanese', 'russia russian', 'india indian', 'spain spanish', 'england english',
  'poland polish', 'mexico mexican', 'brazil brazilian', 'egypt egyptian', 'iran iranian', 'europe european', 'africa african',
  'asia asian', 'korea korean', 'turkey turkish', 'greece greek', 'rome roman', 'norway norwegian', 'sweden swedish',
  'netherlands dutch', 'ireland irish', 'scotland scottish', 'wales welsh', 'israel israeli', 'arabia arab arabic', 'mongolia mongol mongolian',
  'normandy norman', 'victoria victorian', 'warsaw varsovian', 'paris parisian', 'london londoner', 'egypt egyptian', 'persia persian',
];

/**
 * Turns surface words into matching terms (folded, lemmatized or mapped by `IRREGULAR`, Porter-stemmed), or null for
 * stopwords and punctuation. Keeps a bounded cache: the same words recur in every passage.
 */
export interface TermNormalizer {
  /** The term of one word, or null when the word carries no evidence. */
  term(word: string): string | null;
  /** Terms of words in the same family as `term` (never `term` itself); empty when it has none. */
  related(term: string): readonly string[];
}

/** The model's word reducers a normalizer is built on (`NlpTools` has both). */
export interface WordReducers {
  readonly stem: Stemmer;
  readonly lemma: Lemmatizer;
}

/**
 * Builds a normalizer around the model's lemmatizer and stemmer: a word's term is the stem of its lemma.
 * @param maxCacheSize words whose term is remembered. @default 50000
 */
export function createTermNormalizer(reducers: WordReducers, maxCacheSize = 50_000): TermNormalizer {
  const cache = new Map<string, string | null>();
  // Made on first use: the related words' terms need the lemmatizer, whose model a thread that never answers never loads.
  let families: Map<string, Set<string>> | null = null;
  const relatedCache = new Map<string, readonly string[]>();
  return {
    related(term: string): readonly string[] {
      let hit = relatedCache.get(term);
      if (hit === undefined) {
        hit = [...((families ??= termFamilies(reducers)).get(term) ?? [])];
        relatedCache.set(term, hit);
      }
      return hit;
    },
    term(word: string): string | null {
      const hit = cache.get(word);
      if (hit !== undefined) return hit;
      const result = computeTerm(word, reducers);
      if (cache.size >= maxCacheSize) cache.clear();
      cache.set(word, result);
      return result;
    },
  };
}

/** Each term of a RELATED line, with the other terms of its lines. */
function termFamilies(reducers: WordReducers): Map<string, Set<string>> {
  const families = new Map<string, Set<string>>();
  for (const line of RELATED) {
    const members = new Set(line.split(' ').map((w) => computeTerm(w, reducers)).filter((t): t is string => t !== null));
    for (const m of members) {
      const set = families.get(m) ?? new Set<string>();
      for (const other of members) if (other !== m) set.add(other);
      families.set(m, set);
    }
  }
  return families;
}

/**
 * Longer words with a regular derivational or inflectional ending, which the stemmer reduces as well as the lemmatizer
 * does: skipping the lemmatizer for them saves a parse per new word.
 */
const REGULAR = /^\p{L}{5,}(?:ly|ions?|ments?|ness|ity|ities|isms?|ists?|al|ive|ous|ful|less|able|ible|ance|ence|ship|ings?|ed)$/u;

function computeTerm(word: string, { stem, lemma }: WordReducers): string | null {
  const folded = foldWord(word);
  if (folded.length === 0 || !/[\p{L}\p{N}]/u.test(folded)) return null;
  if (STOPWORDS.has(folded)) return null;
  if (/\d/.test(folded)) return folded;
  if (folded.length === 1) return null;
  const mapped = IRREGULAR.get(folded);
  if (mapped !== undefined) return stem(mapped);
  if (folded.includes('.')) return folded;
  return stem(/^\p{L}+$/u.test(folded) && !REGULAR.test(folded) ? lemma(folded) : folded);
}

/** A word of free text with its offsets into that text. */
export interface WordSpan {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const WORD_RE = /(?:\p{L}\.){2,}|\d+(?:[.,:]\d+)*|[\p{L}\p{N}]+(?:['’]\p{L}+)*/gu;

/**
 * Splits text into words the way the sentence tokenizer does for matching purposes
 * (hyphenated words split, numbers kept whole, "U.S." kept whole).
 */
export function splitWords(text: string): WordSpan[] {
  const out: WordSpan[] = [];
  for (const m of text.matchAll(WORD_RE)) {
    const start = m.index ?? 0;
    out.push({ text: m[0], start, end: start + m[0].length });
  }
  return out;
}
