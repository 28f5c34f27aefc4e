import { describe, expect, it } from 'vitest';
import { assessEvidence, DEFAULT_CONFIDENCE_WEIGHTS, type EvidenceAssessment } from './evidence-confidence.js';
import { createNlpTools } from './nlp.js';
import { analyzeQuestion } from './question-analysis.js';
import { buildTermGroups, scoreSentences } from './sentence-scoring.js';
import { createSentenceSplitter } from './sentences.js';
import { createTermNormalizer } from './terms.js';

const tools = createNlpTools();
const normalizer = createTermNormalizer(tools);
const splitter = createSentenceSplitter(tools, normalizer);

/** Tags the question with the same model as the answerer, so verbs are known. */
function posOf(question: string): (word: string) => string | undefined {
  const doc = tools.nlp.readDoc(question);
  const values = doc.tokens().out(tools.its.value) as string[];
  const tags = doc.tokens().out(tools.its.pos) as string[];
  return (word) => tags[values.indexOf(word)];
}

/** Assesses the best of the given sentences (one text, split) as evidence for the question. */
function assess(question: string, text: string): EvidenceAssessment {
  const analysis = analyzeQuestion(question, normalizer, { posOf: posOf(question) });
  const sentences = splitter.split({ docId: 'd', text, offset: 0 });
  const groups = buildTermGroups(analysis, [], normalizer);
  const ranked = scoreSentences(
    sentences.map((sentence, i) => ({ sentence, passageRank: 0, neighbours: [sentences[i - 1], sentences[i + 1]].filter((n) => n !== undefined) })),
    { analysis, groups },
  );
  return assessEvidence({ analysis, groups, ranked });
}

const JIBC =
  'In April 2023, a former student of a contentious international police training program at the Justice Institute of British Columbia was criminally charged in the United States for allegedly orchestrating an online network of harassment.';
const ITALY = 'In December 2022, Italy halted joint patrols with Chinese police following allegations that Beijing used “service stations” to pressure expatriates to return to China.';
const MCCARTNEY = 'AFP Deputy Commissioner Ian McCartney described the 2019 case as a turning point due to heightened awareness of foreign interference threats.';
const DRIVER = 'This change followed a 2014 incident where Chinese police entered Australia unannounced to convince a Melbourne bus driver to return to China.';
const COLONY = 'The area was originally inhabited by the Timucua people, and in 1564 was the site of the French colony of Fort Caroline.';

describe('assessEvidence', () => {
  it('flags evidence that shares only the subject, with another verb between it and the answer', () => {
    const miss = assess('In which city is the Justice Institute of British Columbia headquartered?', JIBC);
    expect(miss.signals.detachedAnswer).toBe(1);
    expect(miss.signals.relationCoverage).toBeLessThan(0.5);
    expect(miss.confidence).toBeLessThan(0.5);
    // The same sentence answers a question about what it does say: the verb "charged" is the question's own.
    const hit = assess('Where was the former Justice Institute of British Columbia student charged?', JIBC);
    expect(hit.signals.detachedAnswer).toBe(0);
    expect(hit.confidence).toBeGreaterThan(0.5);
  });

  it('flags a "who is the <person noun>" question when that noun is absent and no person is named', () => {
    const miss = assess('Who is the Italian interior minister who ended the joint patrols?', ITALY);
    expect(miss.signals.personFocusUnmet).toBe(1);
    expect(miss.confidence).toBeLessThan(0.5);
    const hit = assess('Who is the AFP deputy commissioner quoted in the report?', MCCARTNEY);
    expect(hit.signals.personFocusUnmet).toBe(0);
    expect(hit.confidence).toBeGreaterThan(0.5);
  });

  it('flags "the name of the X" when X is only described, not named', () => {
    const miss = assess('What was the name of the Melbourne bus driver Chinese police tried to bring back?', DRIVER);
    expect(miss.signals.nameAwayFromFocus).toBe(1);
    expect(miss.confidence).toBeLessThan(0.5);
    const hit = assess('What is the name of the French colony established in 1564?', COLONY);
    expect(hit.signals.nameAwayFromFocus).toBe(0);
    expect(hit.confidence).toBeGreaterThan(0.5);
  });

  it('lets a focus noun be stood in for by an answer of its kind ("year" by a date)', () => {
    const a = assess('In what year did Italy halt joint patrols with Chinese police?', ITALY);
    expect(a.signals.focusMissing).toBe(0);
    expect(a.candidateKind).toBe('date');
  });

  it('counts a question verb as missing when the evidence has its stem only inside a name', () => {
    const a = assess('Who founded the Found in Translation Substack?', 'The link was revealed by the Found in Translation Substack website.');
    expect(a.signals.predicateMissing).toBe(1);
  });

  it('combines signals: near-complete coverage outweighs one mismatch, low coverage alone abstains', () => {
    const z = (coverage: number, mismatch: number) => DEFAULT_CONFIDENCE_WEIGHTS.bias + DEFAULT_CONFIDENCE_WEIGHTS.contextCoverage * coverage + DEFAULT_CONFIDENCE_WEIGHTS.detachedAnswer * mismatch;
    expect(z(0.95, 1)).toBeGreaterThan(0);
    expect(z(0.7, 1)).toBeLessThan(0);
    expect(z(0.2, 0)).toBeLessThan(0);
    expect(z(0.3, 0)).toBeGreaterThan(0);
  });
});
