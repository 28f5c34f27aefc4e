import { describe, expect, it } from 'vitest';
import { checkTargets, describeFailures } from './eval-config.js';
import { answerContained, exactMatch, tokenF1 } from './metrics/answer-metrics.js';
import { citationIsPrecise, citationIsValid, citationSupports, danglingMarkers } from './metrics/citation-metrics.js';
import { latencyHistogram, percentile, summarizeLatency } from './metrics/latency.js';
import { containsNormalized, normalizeAnswer } from './metrics/normalize.js';
import { firstHitRank, meanReciprocalRank, passageIsHit, recallAtK } from './metrics/retrieval-metrics.js';
import { scoreQuestion, SHORT_ANSWER_RIGHT_F1, type GoldForScoring, type OutputForScoring } from './metrics/score-question.js';
import { locateEvidence } from './metrics/spans.js';
import { flatMetrics, GATE_CURVE_THRESHOLDS, summarizeScores } from './metrics/summarize.js';
import { classifyQuestion } from './question-type.js';
import { sampleItems } from './sample.js';

describe('SQuAD normalisation', () => {
  it('lower-cases, strips punctuation (Unicode too), drops articles and collapses whitespace', () => {
    expect(normalizeAnswer('The  Quick, brown fox!')).toBe('quick brown fox');
    expect(normalizeAnswer('2,700')).toBe('2700');
    expect(normalizeAnswer('“collective security” model')).toBe('collective security model');
    expect(normalizeAnswer('An apple a day')).toBe('apple day');
    expect(normalizeAnswer('ABC’s Four Corners')).toBe('abcs four corners');
    // As in the official script, punctuation is removed, not replaced by a space.
    expect(normalizeAnswer('59-year-old')).toBe('59yearold');
    expect(normalizeAnswer('$3.3 million')).toBe('33 million');
  });

  it('matches whole tokens only', () => {
    expect(containsNormalized('in 2020 and 2021', '20')).toBe(false);
    expect(containsNormalized('trained 2,700 officers', '2700')).toBe(true);
    expect(containsNormalized('New Zealand, Finland, and Iran', 'Finland and Iran')).toBe(true);
    expect(containsNormalized('anything', 'the')).toBe(false);
    // Punctuation as a separator is the second tokenisation: possessives and hyphenated words.
    expect(containsNormalized("Despite Manning's problems", 'Manning')).toBe(true);
    expect(containsNormalized('a 59-year-old resident', '59')).toBe(true);
    expect(containsNormalized('a 59-year-old resident', '59 year old')).toBe(true);
    expect(containsNormalized('Manningham', 'Manning')).toBe(false);
  });
});

describe('answer metrics', () => {
  it('exact match is 1 only for an equal normalised answer, max over answers, 0 for no prediction', () => {
    expect(exactMatch('the 2,700', ['2700'])).toBe(1);
    expect(exactMatch('2,700 officers', ['2700', '3,000'])).toBe(0);
    expect(exactMatch('3,000', ['2700', '3,000'])).toBe(1);
    expect(exactMatch(null, ['x'])).toBe(0);
  });

  it('token F1 follows the SQuAD definition (hand-computed)', () => {
    // pred {xi, jinping, introduced}, gold {president, xi, jinping}: 2 common, P = R = 2/3.
    expect(tokenF1('Xi Jinping introduced', ['President Xi Jinping'])).toBeCloseTo(2 / 3, 10);
    // pred x y y vs gold "y z": 1 common, P = 1/3, R = 1/2, F1 = 0.4; vs "y y z": 2 common, P = R = 2/3.
    expect(tokenF1('x y y', ['y z'])).toBeCloseTo(0.4, 10);
    expect(tokenF1('x y y', ['y z', 'y y z'])).toBeCloseTo(2 / 3, 10);
    expect(tokenF1('completely different', ['answer'])).toBe(0);
    expect(tokenF1(null, ['answer'])).toBe(0);
    expect(tokenF1('The Answer.', ['answer'])).toBe(1);
  });

  it('answer contained ignores citation markers', () => {
    expect(answerContained('China trained 2,700 officers [1].', ['2700'])).toBe(true);
    expect(answerContained('In 2020 [1].', ['20'])).toBe(false);
    expect(answerContained('See the source [1].', ['1'])).toBe(false);
    expect(answerContained('Nothing here.', ['2700', 'Italy'])).toBe(false);
  });
});

describe('retrieval metrics', () => {
  const passage = (docId: string, start: number, end: number, text = '') => ({ docId, start, end, text });

  it('a passage is a hit when it contains an evidence string, or covers a gold span when spans are given', () => {
    expect(passageIsHit(passage('a', 0, 30, 'one two. Three four five.'), { evidence: ['Three four five.'] })).toBe(true);
    expect(passageIsHit(passage('a', 0, 30, 'one two. Three four'), { evidence: ['Three four five.'] })).toBe(false);
    const spans = [{ docId: 'a', start: 150, end: 160 }];
    expect(passageIsHit(passage('a', 100, 200), { evidence: [], goldSpans: spans })).toBe(true);
    expect(passageIsHit(passage('a', 155, 200), { evidence: [], goldSpans: spans })).toBe(false);
    expect(passageIsHit(passage('b', 100, 200), { evidence: [], goldSpans: spans })).toBe(false);
    // Spans decide when present, even if the evidence text happens to appear elsewhere.
    expect(passageIsHit(passage('b', 0, 10, 'evidence'), { evidence: ['evidence'], goldSpans: spans })).toBe(false);
  });

  it('recall@k and MRR from first-hit ranks (hand-computed)', () => {
    const gold = { evidence: ['hit'] };
    expect(firstHitRank([passage('a', 0, 1, 'no'), passage('a', 1, 2, 'a hit'), passage('a', 2, 3, 'hit')], gold)).toBe(2);
    expect(firstHitRank([passage('a', 0, 1, 'no')], gold)).toBeNull();
    const ranks = [1, 3, null, 6];
    expect(recallAtK(ranks, 1)).toBe(0.25);
    expect(recallAtK(ranks, 5)).toBe(0.5);
    expect(recallAtK(ranks, 10)).toBe(0.75);
    // (1 + 1/3 + 0 + 1/6) / 4 = 0.375
    expect(meanReciprocalRank(ranks)).toBeCloseTo(0.375, 12);
    expect(recallAtK([], 5)).toBeNull();
  });
});

describe('citation metrics', () => {
  const docs = new Map([['d', 'Hello world. China trained 2,700 officers.']]);
  const text = (id: string) => docs.get(id);
  const cite = (start: number, end: number, quote: string, docId = 'd') => ({ n: 1, docId, start, end, quote });

  it('validity: the quote equals the document text at its offsets', () => {
    expect(citationIsValid(cite(0, 5, 'Hello'), text)).toBe(true);
    expect(citationIsValid(cite(6, 11, 'World'), text)).toBe(false);
    expect(citationIsValid(cite(30, 99, 'x'), text)).toBe(false);
    expect(citationIsValid(cite(3, 3, ''), text)).toBe(false);
    expect(citationIsValid(cite(0, 5, 'Hello', 'missing'), text)).toBe(false);
  });

  it('support and precision', () => {
    const quote = cite(13, 42, 'China trained 2,700 officers.');
    expect(citationSupports(quote, ['2700'])).toBe(true);
    expect(citationSupports(cite(0, 12, 'Hello world.'), ['2700'])).toBe(false);
    const evidence = locateEvidence(['China trained 2,700 officers.'], [{ id: 'd', text: docs.get('d')! }]);
    expect(evidence).toEqual([{ docId: 'd', start: 13, end: 42 }]);
    expect(citationIsPrecise(cite(0, 14, 'Hello world. C'), evidence, ['nope'])).toBe(true); // overlaps by one character
    expect(citationIsPrecise(cite(0, 12, 'Hello world.'), evidence, ['nope'])).toBe(false);
    expect(citationIsPrecise(cite(0, 12, 'Hello world.'), [], ['world'])).toBe(true);
  });

  it('finds [n] markers without a citation', () => {
    expect(danglingMarkers('A [1] b [3] c [3]', [cite(0, 5, 'Hello')])).toEqual([3]);
  });
});

describe('latency', () => {
  it('nearest-rank percentiles (hand-computed)', () => {
    expect(percentile([40, 10, 30, 20], 50)).toBe(20);
    expect(percentile([40, 10, 30, 20], 95)).toBe(40);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([], 50)).toBeNull();
  });

  it('questions per second = count / summed seconds', () => {
    const s = summarizeLatency([100, 300]);
    expect(s.questionsPerSecond).toBeCloseTo(5, 12);
    expect(s.maxMs).toBe(300);
    expect(s.meanMs).toBe(200);
    const bins = latencyHistogram([0, 5, 10], 2);
    expect(bins.map((b) => b.count)).toEqual([1, 2]);
  });
});

describe('per-question scores and the summary', () => {
  const docText = 'Italy halted joint patrols in December 2022. Fiji adjusted its agreement.';
  const documentText = (id: string) => (id === 'doc' ? docText : undefined);
  const evidence = 'Italy halted joint patrols in December 2022.';
  const evidenceSpans = [{ docId: 'doc', start: 0, end: evidence.length }];
  const passages = [{ docId: 'doc', start: 0, end: docText.length, text: docText }];
  const answerable = (type: string): GoldForScoring => ({ answers: ['December 2022'], evidence: [evidence], answerable: true, type });
  const unanswerable: GoldForScoring = { answers: [], evidence: [], answerable: false, type: 'who' };
  const good: OutputForScoring = {
    answer: 'Italy halted joint patrols in December 2022 [1].',
    shortAnswer: 'December 2022',
    shortAnswerConfident: true,
    abstained: false,
    citations: [{ n: 1, docId: 'doc', start: 0, end: evidence.length, quote: evidence }],
    confidence: { answer: 0.95, shortAnswer: 0.85 },
    abstentionReason: null,
  };
  const abstain: OutputForScoring = {
    answer: 'The documents do not say.',
    shortAnswer: null,
    shortAnswerConfident: false,
    abstained: true,
    citations: [],
    confidence: { answer: 0.2, shortAnswer: 0 },
    abstentionReason: 'WEAK_EVIDENCE',
  };
  const bad: OutputForScoring = {
    answer: 'Fiji adjusted its agreement [1] [2].',
    shortAnswer: 'Fiji',
    shortAnswerConfident: false,
    confidence: { answer: 0.55, shortAnswer: 0.3 },
    abstentionReason: null,
    abstained: false,
    citations: [
      { n: 1, docId: 'doc', start: 45, end: 73, quote: 'Fiji adjusted its agreement.' },
      { n: 2, docId: 'doc', start: 45, end: 50, quote: 'wrong' },
    ],
  };
  const score = (gold: GoldForScoring, output: OutputForScoring, latencyMs: number) => scoreQuestion({ gold, output, passages, evidenceSpans: gold.answerable ? evidenceSpans : [], documentText, latencyMs });

  it('scores a right answer, an abstention and a wrong answer', () => {
    const right = score(answerable('when'), good, 10);
    expect(right).toMatchObject({ retrievalRank: 1, exactMatch: 1, f1: 1, answerContained: true, supported: true, citations: 1, validCitations: 1, preciseCitations: 1, correct: true, failure: null });
    const abstained = score(answerable('when'), abstain, 10);
    expect(abstained).toMatchObject({ exactMatch: 0, f1: 0, answerContained: false, supported: false, abstained: true, correct: false, failure: 'false-abstention' });
    const wrong = score(answerable('when'), bad, 10);
    expect(wrong).toMatchObject({ exactMatch: 0, answerContained: false, supported: false, citations: 2, validCitations: 1, invalidCitations: [2], preciseCitations: 0, correct: false, failure: 'wrong-answer' });
    expect(score(unanswerable, abstain, 10)).toMatchObject({ correct: true, exactMatch: null, retrievalRank: null });
    expect(score(unanswerable, good, 10)).toMatchObject({ correct: false, failure: 'answered-unanswerable' });
    const missed = scoreQuestion({ gold: answerable('when'), output: abstain, passages: [{ docId: 'other', start: 0, end: 5, text: 'nope.' }, ...passages], seenPassages: 1, evidenceSpans, documentText, latencyMs: 1 });
    expect(missed).toMatchObject({ retrievalRank: 2, failure: 'retrieval-miss' });
    const unsupported = score(answerable('when'), { ...good, shortAnswerConfident: false, citations: [{ n: 1, docId: 'doc', start: 45, end: 73, quote: 'Fiji adjusted its agreement.' }] }, 1);
    expect(unsupported).toMatchObject({ answerContained: true, supported: false, shortAnswerShown: false, shownAnswerRight: false, failure: 'unsupported' });
  });

  it('judges what the page showed: the bold short answer when shown, else the quote', () => {
    // The bug this guards against: the quote holds the answer, but the bold short answer the page leads with is wrong.
    const wrongBold = score(answerable('when'), { ...good, shortAnswer: 'Italy' }, 1);
    expect(wrongBold).toMatchObject({ correct: true, shortAnswerShown: true, shortAnswerRight: false, shownAnswerRight: false, failure: 'wrong-short-answer' });
    // Not confident: the quote leads, and it holds the answer.
    expect(score(answerable('when'), { ...good, shortAnswer: 'Italy', shortAnswerConfident: false }, 1)).toMatchObject({ shortAnswerShown: false, shortAnswerRight: false, shownAnswerRight: true, failure: null });
    // F1 exactly at the threshold counts as right: "in December" against "December 2022" is P = R = 1/2, F1 0.5; with two more words, 1/3.
    expect(SHORT_ANSWER_RIGHT_F1).toBe(0.5);
    expect(score(answerable('when'), { ...good, shortAnswer: 'in December' }, 1)).toMatchObject({ f1: 0.5, shortAnswerRight: true, shownAnswerRight: true });
    expect(score(answerable('when'), { ...good, shortAnswer: 'in December of some' }, 1)).toMatchObject({ shortAnswerRight: false, shownAnswerRight: false });
    // An invalid citation makes even a right bold answer wrong; no short answer means no short-answer verdict.
    const invalid = score(answerable('when'), { ...good, citations: [...good.citations, { n: 2, docId: 'doc', start: 0, end: 5, quote: 'Fiji.' }] }, 1);
    expect(invalid).toMatchObject({ shownAnswerRight: false, failure: 'invalid-citation' });
    expect(score(answerable('when'), { ...good, shortAnswer: null }, 1)).toMatchObject({ shortAnswerShown: false, hasShortAnswer: false, shortAnswerRight: null, shownAnswerRight: true });
    // Unanswerable: right only when it abstained; a short answer there has no verdict of its own.
    expect(score(unanswerable, good, 1)).toMatchObject({ shortAnswerShown: true, shortAnswerRight: null, shownAnswerRight: false });
    expect(score(unanswerable, abstain, 1)).toMatchObject({ shortAnswerShown: false, shownAnswerRight: true });
    // Confidence and reason are copied for the summary.
    expect(score(answerable('when'), abstain, 1)).toMatchObject({ confidence: { answer: 0.2, shortAnswer: 0 }, abstentionReason: 'WEAK_EVIDENCE' });
  });

  it('aggregates exactly (hand-computed)', () => {
    const scores = [
      score(answerable('when'), good, 100), // right
      score(answerable('when'), abstain, 200), // false abstention
      score(answerable('what'), bad, 300), // wrong, one invalid citation
      score(unanswerable, abstain, 400), // correct abstention
      score(unanswerable, good, 500), // answered an unanswerable question
    ];
    const s = summarizeScores(scores);
    expect(s.questions).toBe(5);
    expect(s.answerable).toBe(3);
    expect(s.answers.exactMatch).toBeCloseTo(1 / 3, 12);
    expect(s.answers.answerContained).toBeCloseTo(1 / 3, 12);
    expect(s.citations.support).toBeCloseTo(1 / 3, 12);
    // citations: 1 + 0 + 2 + 0 + 1 = 4, of which 3 valid
    expect(s.citations.total).toBe(4);
    expect(s.citations.validity).toBe(0.75);
    // precision over answerable questions: 1 precise of 3 citations
    expect(s.citations.precision).toBeCloseTo(1 / 3, 12);
    expect(s.abstention.recall).toBe(0.5);
    expect(s.abstention.falseAbstentionRate).toBeCloseTo(1 / 3, 12);
    expect(s.retrieval.recallAt1).toBe(1);
    expect(s.latency.p50Ms).toBe(300);
    expect(s.latency.p95Ms).toBe(500);
    expect(s.latency.questionsPerSecond).toBeCloseTo(5 / 1.5, 12);
    expect(s.correct).toBe(0.4);
    expect(s.failures).toEqual({ 'retrieval-miss': 0, 'false-abstention': 1, 'wrong-answer': 1, unsupported: 0, 'wrong-short-answer': 0, 'invalid-citation': 0, 'answered-unanswerable': 1 });
    expect(Object.keys(s.byType)).toEqual(['what', 'when', 'who']);
    expect(s.byType.when!.answers.answerContained).toBe(0.5);
    expect(s.byType.who!.abstention.recall).toBe(0.5);
  });

  it('headline, short answers, calibration, reasons and the gate curve (hand-computed)', () => {
    const withConfidence = (output: OutputForScoring, answer: number, shortAnswer: number): OutputForScoring => ({ ...output, confidence: { answer, shortAnswer } });
    const scores = [
      score(answerable('when'), withConfidence(good, 0.95, 0.85), 1), // A: bold short answer right
      score(answerable('what'), withConfidence({ ...good, shortAnswer: 'Italy' }, 0.75, 0.65), 1), // B: bold short answer wrong, quote right
      score(answerable('what'), withConfidence({ ...good, shortAnswerConfident: false }, 0.65, 0.35), 1), // C: not shown, quote right
      score(answerable('when'), withConfidence(abstain, 0.2, 0), 1), // D: false abstention
      score(unanswerable, { ...withConfidence(abstain, 0.1, 0), abstentionReason: 'SUBJECT_MISMATCH' }, 1), // E: correct abstention
      score(unanswerable, withConfidence(good, 0.95, 0.85), 1), // F: answered, bold short answer shown
      score(unanswerable, { ...withConfidence(abstain, 0.45, 0), abstentionReason: 'NO_ANSWER_OF_TYPE' }, 1), // G: correct abstention
    ];
    const s = summarizeScores(scores);
    // Right: A, C, E, G. The legacy verdict also counts B.
    expect(s.headline.shownAnswerRight).toBeCloseTo(4 / 7, 12);
    expect(s.correct).toBeCloseTo(5 / 7, 12);
    expect(s.headline.abstentionRecall).toBeCloseTo(2 / 3, 12);
    expect(s.headline.falseAbstentionRate).toBe(0.25);
    expect(s.abstention.precision).toBeCloseTo(2 / 3, 12);
    // Shown: A, B, F; right: A only (F is on an unanswerable question).
    expect(s.shortAnswers).toEqual({ shown: 3, shownAnswerable: 2, right: 1, precision: 1 / 3, exactMatchPrecision: 1 / 3, coverage: 0.5 });
    expect(s.failures['wrong-short-answer']).toBe(1);

    // Answer: answered A .95 ✓, B .75 ✓, C .65 ✓, F .95 ✗ → ECE = 2/4·|0.5−0.95| + 1/4·|1−0.75| + 1/4·|1−0.65| = 0.375.
    const answer = s.calibration.answer;
    expect(answer.questions).toBe(4);
    expect(answer.bins).toHaveLength(10);
    expect(answer.bins[9]).toMatchObject({ count: 2, accuracy: 0.5 });
    expect(answer.bins[9]!.meanConfidence).toBeCloseTo(0.95, 12);
    expect(answer.bins[6]).toMatchObject({ from: 0.6, to: 0.7, count: 1, accuracy: 1 });
    expect(answer.bins[0]).toEqual({ from: 0, to: 0.1, count: 0, meanConfidence: null, accuracy: null });
    expect(answer.expectedCalibrationError).toBeCloseTo(0.375, 12);
    // Short answer: A .85 ✓, B .65 ✗, C .35 ✓, F .85 ✗ → 2/4·0.35 + 1/4·0.65 + 1/4·0.65 = 0.5.
    expect(s.calibration.shortAnswer.questions).toBe(4);
    expect(s.calibration.shortAnswer.expectedCalibrationError).toBeCloseTo(0.5, 12);

    expect(s.abstentionReasons.WEAK_EVIDENCE).toEqual({ falseAbstentions: 1, correctAbstentions: 0 });
    expect(s.abstentionReasons.SUBJECT_MISMATCH).toEqual({ falseAbstentions: 0, correctAbstentions: 1 });
    expect(s.abstentionReasons.NO_ANSWER_OF_TYPE).toEqual({ falseAbstentions: 0, correctAbstentions: 1 });
    expect(s.abstentionReasons.SCOPE_MISMATCH).toEqual({ falseAbstentions: 0, correctAbstentions: 0 });

    // Gate curve: abstain below t (strictly). Confidences: answerable .95 .75 .65 .2; unanswerable .1 .95 .45.
    expect(s.gateCurve.map((p) => p.threshold)).toEqual(GATE_CURVE_THRESHOLDS);
    expect(s.gateCurve).toHaveLength(21);
    expect(s.gateCurve[0]).toEqual({ threshold: 0, abstentionRecall: 0, falseAbstentionRate: 0, abstentionPrecision: null });
    expect(s.gateCurve[4]).toEqual({ threshold: 0.2, abstentionRecall: 1 / 3, falseAbstentionRate: 0, abstentionPrecision: 1 });
    expect(s.gateCurve[10]).toEqual({ threshold: 0.5, abstentionRecall: 2 / 3, falseAbstentionRate: 0.25, abstentionPrecision: 2 / 3 });
    expect(s.gateCurve[20]).toEqual({ threshold: 1, abstentionRecall: 1, falseAbstentionRate: 1, abstentionPrecision: 3 / 7 });

    const flat = flatMetrics(s);
    expect(flat).toMatchObject({ shownAnswerRight: 4 / 7, shortAnswerPrecision: 1 / 3, shortAnswerCoverage: 0.5, abstentionPrecision: 2 / 3 });
    expect(flat.expectedCalibrationError).toBeCloseTo(0.375, 12);
    // A type's slice has no calibration of its own.
    expect(flatMetrics(s.byType.what!).expectedCalibrationError).toBeNull();
    expect(s.byType.what!.shortAnswers).toMatchObject({ shown: 1, precision: 0, coverage: 0.5 });
    expect(s.byType.what!.headline.shownAnswerRight).toBe(0.5);
  });

  it('scores written before confidence and the shown short answer existed give n/a, not zeros', () => {
    const old = [score(answerable('when'), good, 1), score(unanswerable, abstain, 1)].map((q) => {
      const { shortAnswerShown, hasShortAnswer, shortAnswerRight, shownAnswerRight, confidence, abstentionReason, ...rest } = q;
      void [shortAnswerShown, hasShortAnswer, shortAnswerRight, shownAnswerRight, confidence, abstentionReason];
      return rest;
    });
    const s = summarizeScores(old);
    expect(s.correct).toBe(1);
    expect(s.headline).toEqual({ shownAnswerRight: null, abstentionRecall: 1, falseAbstentionRate: 0 });
    expect(s.shortAnswers).toMatchObject({ shown: 0, precision: null, coverage: null });
    expect(s.calibration.answer).toMatchObject({ questions: 0, expectedCalibrationError: null });
    expect(s.gateCurve.every((p) => p.abstentionRecall === null && p.falseAbstentionRate === null)).toBe(true);
  });

  it('checks targets, and a metric with no value fails', () => {
    const s = summarizeScores([score(answerable('when'), abstain, 10)]);
    const checks = checkTargets(s, { description: '', min: { answerContained: 0.5, citationValidity: 1 }, max: { falseAbstentionRate: 0.05 } });
    expect(checks.map((c) => [c.metric, c.pass])).toEqual([
      ['answerContained', false],
      ['citationValidity', false],
      ['falseAbstentionRate', false],
    ]);
    expect(describeFailures(checks)).toEqual(['answerContained 0.0000 < 0.5', 'citationValidity not measured < 1', 'falseAbstentionRate 1.0000 > 0.05']);
  });
});

describe('question types and sampling', () => {
  it('classifies by the first question word', () => {
    expect(classifyQuestion('How many points did the Panthers defense surrender?')).toBe('how-many');
    expect(classifyQuestion('How much did it cost?')).toBe('how-much');
    expect(classifyQuestion('In what year did Tesla die?')).toBe('when');
    expect(classifyQuestion('Who was the president when the war began?')).toBe('who');
    expect(classifyQuestion('Which city hosted it?')).toBe('which');
    expect(classifyQuestion('What is the name of the river?')).toBe('what');
    expect(classifyQuestion('How did he describe it?')).toBe('how');
    expect(classifyQuestion('Name the regions.')).toBe('other');
  });

  it('draws a fixed sample independent of input order, in original order', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ id: `q${i}` }));
    const a = sampleItems(items, 10);
    const b = sampleItems([...items].reverse(), 10);
    expect(a).toHaveLength(10);
    expect(new Set(a.map((x) => x.id))).toEqual(new Set(b.map((x) => x.id)));
    expect(a.map((x) => Number(x.id.slice(1)))).toEqual([...a.map((x) => Number(x.id.slice(1)))].sort((x, y) => x - y));
    expect(sampleItems(items, 10, 'other salt')).not.toEqual(a);
    expect(sampleItems(items, 80)).toHaveLength(50);
  });
});
