/**
 * Starter questions a corpus suggests by itself, for a first visit to the chat page: each rule reads a document's
 * text and proposes questions about what it names, in words a person would type. Rules are data (one entry of
 * {@link STARTER_QUESTION_RULES} each, a pure function of the text), so a new rule is one entry; whether the
 * documents really answer a candidate is checked afterwards, by asking it (`answered-questions.ts`).
 */
import { findHeadings } from '../chunk/find-headings.js';
import { runStartBefore } from '../text/scan-text.js';

/** The text a rule reads: one document of the index. */
export interface CandidateSource {
  readonly id: string;
  readonly text: string;
}

/** A suggested question and what it was derived from. */
export interface QuestionCandidate {
  readonly question: string;
  /** The document it was derived from; an answer should cite it. */
  readonly docId: string;
  /** The rule that proposed it, a key of {@link STARTER_QUESTION_RULES}. */
  readonly rule: StarterQuestionRuleName;
  /** What it asks about, lower-cased: two candidates about the same subject are one too many. */
  readonly subject: string;
}

/** What a rule knows besides the text. */
export interface RuleContext {
  /** Documents in the corpus: "the document" for one, "the documents" for more. */
  readonly documentCount: number;
}

/** A question proposed by a rule, before it is tied to its document. */
interface Proposal {
  readonly question: string;
  readonly subject: string;
}

type Rule = (text: string, context: RuleContext) => Proposal[];

/**
 * A word of a proper name: a capital, a small letter, then letters, apostrophes or hyphens ("McCartney", "O'Brien").
 * Bounded, as every quantifier here: the patterns run over whole documents, which may be hostile, in linear time.
 */
const NAME_WORD = String.raw`\p{Lu}\p{Ll}[\p{L}'’-]{0,30}`;
/** Two or three name words: a full personal name. */
const FULL_NAME = String.raw`${NAME_WORD}(?: ${NAME_WORD}){1,2}`;
/** Not inside a word: a pattern that does not follow a space or a line start begins its match only at a word. */
const WORD_START = String.raw`(?<![\p{L}'’-])`;

/** Titles and roles written right before a person's name ("President Xi Jinping", "criminologist Rob Gordon"). */
const PERSON_TITLES = [
  'President', 'Vice President', 'Prime Minister', 'Minister', 'Secretary', 'Senator', 'Governor', 'Mayor', 'Ambassador', 'Commissioner', 'Director',
  'Chairman', 'Chairwoman', 'Chair', 'Chief', 'Judge', 'Justice', 'Professor', 'Prof.', 'Dr.', 'Dr', 'General', 'Colonel', 'Captain', 'Inspector', 'Sergeant',
  'King', 'Queen', 'Prince', 'Princess', 'CEO', 'spokesman', 'spokeswoman', 'spokesperson', 'criminologist', 'researcher', 'analyst', 'economist', 'historian',
  'journalist', 'reporter', 'lawyer', 'author', 'scientist', 'activist',
] as const;

/** Capitalised words that begin sentences or name times, never people ("In March", "The Ministry"). */
const NOT_NAME_WORDS = new Set(
  [
    'The', 'This', 'That', 'These', 'Those', 'In', 'On', 'At', 'By', 'For', 'From', 'Since', 'After', 'Before', 'During', 'Despite', 'Amid', 'Similarly', 'However',
    'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December',
    'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday',
    'North', 'South', 'East', 'West', 'New', 'United', 'University', 'Institute', 'Department', 'Ministry', 'Party', 'Police', 'Council', 'Court', 'Forum',
  ].map((w) => w.toLowerCase()),
);

/** Verbs that follow a person named at the start of a sentence ("Chen Zhichen was charged"). */
const PERSON_VERBS = 'was|is|has|had|said|says|told|stated|described|noted|announced|argued|wrote|led|became|served|attended|joined';
/** Words that open a clause after a comma rather than describe the name before it ("Latin America, where …"). */
const CLAUSE_OPENERS = new Set(['where', 'which', 'who', 'whom', 'whose', 'when', 'while', 'and', 'but', 'or', 'so', 'including', 'such', 'as', 'with', 'although', 'though', 'because', 'if']);

/** Section headings that name a part of a document rather than a subject of it. */
const GENERIC_HEADINGS = new Set([
  'summary', 'executive summary', 'abstract', 'introduction', 'conclusion', 'conclusions', 'contents', 'table of contents', 'references', 'notes', 'footnotes',
  'appendix', 'background', 'overview', 'acknowledgements', 'acknowledgments', 'bibliography', 'sources', 'further reading', 'see also', 'index', 'preface',
  'foreword', 'discussion', 'methods', 'results', 'categories', 'tags', 'about', 'contact',
]);

/** Lines that look like headings but credit or date the text ("By South China Morning Post"). */
const BYLINE = /^(?:by|from|via|posted|published|updated|written|photo|image|source|credit)\b/iu;

/** Longest heading turned into a question, in characters: longer ones read as sentences, not subjects. */
const MAX_HEADING_CHARS = 60;
/** Questions one rule proposes per document: a long document should not crowd out the others. */
const MAX_PER_RULE = 2;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);
/** What a heading may end in that its subject does not: spaces, a colon, dashes. */
const HEADING_TRAIL = new Set(Array.from(' \t:–—-', (c) => c.charCodeAt(0)));
const isHeadingTrail = (code: number) => HEADING_TRAIL.has(code);

/** True when no word of `name` is one that begins sentences or names places and times. */
function looksLikePersonName(name: string): boolean {
  return name.split(' ').every((word) => !NOT_NAME_WORDS.has(word.toLowerCase()));
}

/**
 * The capitalised words of `text` that stand alone, with no capitalised word right before or after them ("Chen was
 * accused", "Wang announced"), possessives dropped: how a person is named again after the full name. One pass over
 * the text, whatever the number of names later looked up in it.
 */
function standaloneNameWords(text: string): Set<string> {
  const pattern = new RegExp(String.raw`(?<!\p{Lu}[\p{L}'’-]{0,30}\s)${WORD_START}(${NAME_WORD})(?![\p{L}'’-])(?!\s\p{Lu})`, 'gu');
  return new Set(Array.from(text.matchAll(pattern), (m) => m[1]!.replace(/['’]s$/u, '')));
}

/** True when the first or last word of `name` is among `alone`, as a person's shortened name is ("Chen", "Wang"). */
function isNamedAgainAlone(alone: ReadonlySet<string>, name: string): boolean {
  const words = name.split(' ');
  return alone.has(words[0]!) || alone.has(words.at(-1)!);
}

/** Keeps the first proposal of each subject, at most {@link MAX_PER_RULE}. */
function firstDistinct(proposals: readonly Proposal[]): Proposal[] {
  const seen = new Set<string>();
  const out: Proposal[] = [];
  for (const p of proposals) {
    if (seen.has(p.subject) || out.length >= MAX_PER_RULE) continue;
    seen.add(p.subject);
    out.push(p);
  }
  return out;
}

const whoIs = (name: string): Proposal => ({ question: `Who is ${name}?`, subject: name.toLowerCase() });

/** "President Xi Jinping introduced …" → "Who is Xi Jinping?" */
const titledPerson: Rule = (text) => {
  const titles = PERSON_TITLES.map(escapeRegExp).join('|');
  const pattern = new RegExp(String.raw`\b(?:${titles}) (${FULL_NAME})\b(?! ?\p{Lu})`, 'gu');
  return firstDistinct([...text.matchAll(pattern)].map((m) => m[1]!).filter(looksLikePersonName).map(whoIs));
};

/**
 * A name that opens a sentence with a verb ("Chen Zhichen was charged …") or is described between commas ("Wang
 * Xiaohong, state councillor and public security minister, has …") → "Who is Chen Zhichen?". Places are named that way
 * too, so the name must also come back shortened, as people's names do ("Chen was accused …").
 */
const describedPerson: Rule = (text) => {
  const opensSentence = new RegExp(String.raw`(?<=^|[.!?]["”’)\]]{0,2}\s)(${FULL_NAME}) (?:${PERSON_VERBS})\b`, 'gmu');
  const appositive = new RegExp(String.raw`(?<![\p{L}-] )${WORD_START}(${FULL_NAME}), (\p{Ll}[^,.;:!?]{2,60}), \p{Ll}`, 'gu');
  const names = [
    ...[...text.matchAll(opensSentence)].map((m) => ({ name: m[1]!, at: m.index })),
    ...[...text.matchAll(appositive)].filter((m) => !CLAUSE_OPENERS.has(m[2]!.split(' ')[0]!)).map((m) => ({ name: m[1]!, at: m.index })),
  ].sort((a, b) => a.at - b.at);
  const alone = standaloneNameWords(text);
  return firstDistinct(names.map((n) => n.name).filter((name) => looksLikePersonName(name) && isNamedAgainAlone(alone, name)).map(whoIs));
};

/** Small words inside an organisation's name that its acronym skips ("Ministry of Public Security", MPS). */
const NAME_JOINERS = new Set(['of', 'for', 'and', 'the', 'on', 'in', 'de', 'du', 'des', 'la', 'le', '&']);

/**
 * The shortest run of words before the acronym whose capitalised words' initials spell it, or null: "… introduced the
 * Global Security Initiative" and `GSI` → "Global Security Initiative".
 */
function expansionOf(words: readonly string[], acronym: string): string | null {
  let initials = '';
  for (let i = words.length - 1; i >= 0; i -= 1) {
    const word = words[i]!;
    if (NAME_JOINERS.has(word)) continue;
    if (!/^\p{Lu}[\p{L}’'-]*$/u.test(word)) return null;
    initials = word[0]! + initials;
    if (initials === acronym) return words.slice(i).join(' ');
    if (!acronym.endsWith(initials)) return null;
  }
  return null;
}

/** Characters before an acronym's parenthesis read for its expansion: eight words of an organisation's name. */
const EXPANSION_WINDOW = 120;

/** "the Global Security Initiative (GSI)" → "What is the Global Security Initiative?" */
const definedAcronym: Rule = (text) => {
  const proposals: Proposal[] = [];
  for (const m of text.matchAll(/ \((\p{Lu}{2,6})\)/gu)) {
    const from = Math.max(0, m.index - EXPANSION_WINDOW);
    const before = text.slice(from, m.index).split(' ');
    // A window that starts inside the text may start inside a word.
    const expansion = expansionOf(from > 0 ? before.slice(1) : before, m[1]!);
    if (expansion) proposals.push({ question: `What is the ${expansion}?`, subject: expansion.toLowerCase() });
  }
  return firstDistinct(proposals);
};

/**
 * The heading of a section as its subject, in the case a sentence would use: a sentence-case heading ("Police
 * training") loses its capital ("police training"), a title-case one or one that opens with a name keeps it.
 */
function headingAsSubject(heading: string): string {
  const words = heading.split(/\s+/);
  const sentenceCase = words.length > 1 && words.slice(1).every((w) => !/^\p{Lu}/u.test(w));
  const first = words[0]!;
  const opensWithAcronym = /^\p{Lu}{2,}/u.test(first);
  return sentenceCase && !opensWithAcronym ? first[0]!.toLowerCase() + heading.slice(1) : heading;
}

/** A section heading "Police training" → "What does the document say about police training?" */
const sectionHeading: Rule = (text, context) => {
  const whose = context.documentCount === 1 ? 'does the document' : 'do the documents';
  const proposals = findHeadings(text)
    .map((h) => h.text.slice(0, runStartBefore(h.text, h.text.length, isHeadingTrail)))
    .filter((h) => h.length <= MAX_HEADING_CHARS && !GENERIC_HEADINGS.has(h.toLowerCase()) && !BYLINE.test(h) && !/[:;|]/.test(h) && /\p{L}{3}/u.test(h))
    .map((h) => ({ question: `What ${whose} say about ${headingAsSubject(h)}?`, subject: h.toLowerCase() }));
  return firstDistinct(proposals);
};

/** Every rule, in the order their questions are preferred: people and organisations are asked about first. */
export const STARTER_QUESTION_RULES = {
  titledPerson,
  describedPerson,
  definedAcronym,
  sectionHeading,
} as const satisfies Readonly<Record<string, Rule>>;

/** The name of a rule. */
export type StarterQuestionRuleName = keyof typeof STARTER_QUESTION_RULES;

/** Options of {@link questionCandidates}. */
export interface QuestionCandidatesOptions {
  /** Documents in the whole corpus, when only some are passed. @default documents.length */
  readonly documentCount?: number;
}

/**
 * Every rule's questions for every document, ordered so that the first few are varied: one document after another,
 * and within a round one rule after another, each subject once.
 */
export function questionCandidates(documents: readonly CandidateSource[], options: QuestionCandidatesOptions = {}): QuestionCandidate[] {
  const context: RuleContext = { documentCount: options.documentCount ?? documents.length };
  const rules = Object.entries(STARTER_QUESTION_RULES) as [StarterQuestionRuleName, Rule][];
  // queues[d][r]: what rule r proposes for document d, in text order.
  const queues = documents.map((doc) => rules.map(([rule, derive]) => derive(doc.text, context).map((p): QuestionCandidate => ({ ...p, docId: doc.id, rule }))));
  const out: QuestionCandidate[] = [];
  const seen = new Set<string>();
  for (let round = 0; queues.some((perRule) => perRule.some((q) => q.length > 0)); round += 1) {
    for (const perRule of queues) {
      for (let r = 0; r < perRule.length; r += 1) {
        const next = perRule[(r + round) % perRule.length]!.shift();
        if (!next || seen.has(next.subject)) continue;
        seen.add(next.subject);
        out.push(next);
      }
    }
  }
  return out;
}
