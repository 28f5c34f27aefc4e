import porter2 from 'wink-porter2-stemmer';

/**
 * The general-English word lists and word normalisers that more than one part of retrieval relies on, each held
 * once so that BM25, question analysis and sentence matching cannot drift apart. Lists that only one rule uses
 * (focus nouns, name connectors, units) stay next to that rule.
 */

/**
 * Function words that carry no evidence about which passage or sentence answers a question, in {@link foldWord}
 * form (so "it's" needs no entry: it folds to "it"). Question words and auxiliaries are included so "When did X
 * die?" matches on X and die only; so are the halves of contractions as wink splits them ("ca", "n't") and the
 * fragments left when an apostrophe no tokenizer knows splits one ("don t", "we ll").
 * Used by BM25 (`text/term-analysis.ts`: never indexed or searched), the answerer's term normaliser
 * (`answer/terms.ts`: never matching terms), question analysis (`answer/question-analysis.ts`, where a stop word
 * also ends the focus noun phrase) and follow-up detection (`conversation/contextualize-question.ts`: never a key
 * word or a one-word name).
 *
 * BM25 and the answerer had a list each; this is their union. It is the answerer's longer list that matters: BM25
 * taking it moved the retrieval rank of 10 of 1,190 full-XQuAD questions (6 up, 4 down), while the answerer taking
 * BM25's shorter one made "many" and "shouldn't" key terms and abstained on 3 more answerable
 * questions (it also let "within", "per", "us", "must" match, which helped 5: a refinement to fit on one split).
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am among an and any are aren't as at be because been before being below between both
but by ca can could couldn't did didn't do does doesn't doing don't down during each either else etc ever every few for from further
had hadn't has hasn't have haven't having he he'd he'll her here hers herself him himself his how however i i'd i'll i'm i've if in
into is isn't it its itself just let many may me might more most much must mustn't my myself n't neither no nor not now of off on once
only onto or other others ought our ours ourselves out over own per quite rather same shall shan't she she'd she'll should shouldn't
so some such than that the their theirs them themselves then there these they they'd they'll they're they've this those through thus
to too under until up upon us very via was wasn't we we'd we'll we're we've were weren't what whatever when where whereas whether
which whichever while who whoever whom whose why will with within without won't would wouldn't yet you you'd you'll you're you've
your yours yourself yourselves s t d ll m re ve`.split(/\s+/),
);

/**
 * Words that open a question; never key terms. Used by question analysis (which word asks), follow-up detection
 * (`conversation/contextualize-question.ts`) and the eval's question-type breakdown (`eval/question-type.ts`).
 */
export const QUESTION_WORDS: ReadonlySet<string> = new Set(['what', 'which', 'who', 'whom', 'whose', 'when', 'where', 'why', 'how']);

/**
 * Auxiliary and modal verbs: one opening a question makes it a yes/no question ("Did Tesla die in 1943?"), and
 * one right after the question word is not the focus noun ("How many were killed?"). Used by question analysis.
 */
export const AUXILIARIES: ReadonlySet<string> = new Set(['is', 'are', 'was', 'were', 'do', 'does', 'did', 'has', 'have', 'had', 'can', 'could', 'will', 'would', 'should', 'shall', 'may', 'might', 'must', 'am', 'be', 'been']);

/**
 * Verbs that link a subject to its description: "X is Y", "X became Y" in a passage (short-answer ranking prefers a
 * candidate right at the other side of one from the matched terms, `answer/short-answer.ts`), and "Who is the …",
 * "What was the …" in a question (question analysis finds the focus noun after one).
 */
export const COPULAS: ReadonlySet<string> = new Set(['is', 'are', 'was', 'were', 'am', 'be', 'been', 'became', 'becomes']);

/**
 * Folds a surface word for comparison: lower case, no diacritics, straight apostrophes,
 * no possessive `'s`, no thousands separators ("2,700" → "2700"), no trailing abbreviation dot.
 */
export function foldWord(word: string): string {
  let w = word.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[’‘`´]/g, "'");
  w = w.replace(/'s$/, '').replace(/'$/, '');
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(w)) w = w.replace(/,/g, '');
  if (/^(?:\p{L}\.){2,}$/u.test(w)) w = w.slice(0, -1);
  return w;
}

/**
 * Longest word that is stemmed. Longer ones are not words (base64, hashes, run-together text): the Porter2 stemmer
 * takes ~11 ms on a 1,000-character token, so a corpus of them stalled ingest for minutes, and stemming cannot help
 * them match anyway. They are kept as written.
 */
export const MAX_STEMMED_TOKEN_LENGTH = 40;

/**
 * English Porter2 stem of a lower-case word (`trained` → `train`); words longer than
 * {@link MAX_STEMMED_TOKEN_LENGTH} come back unchanged. The one stemmer of BM25 terms (`text/term-analysis.ts`)
 * and the answerer's terms (`answer/nlp.ts`), so a stem means the same in both.
 */
export function stem(word: string): string {
  return word.length > MAX_STEMMED_TOKEN_LENGTH ? word : porter2(word);
}
