import { describe, expect, it } from 'vitest';
import { GATE_FEATURES } from '../../retrieval/answer/evidence-gate.js';
import { chooseGateThreshold, chooseShortAnswerThreshold } from './choose-threshold.js';
import { gateRows, shortAnswerRows, type TracedResult } from './training-rows.js';

const features = Object.fromEntries(GATE_FEATURES.map((f) => [f, 0.5]));
const trace = (candidates: string[]): TracedResult['trace'] => ({
  gate: { features, score: 0, probability: 0.5, reason: null },
  sentences: [],
  shortAnswers: candidates.map((text) => ({ text, start: 0, end: text.length, features: {}, score: 0, probability: 0.5 })),
});

describe('training rows', () => {
  const results: TracedResult[] = [
    { id: 'a', abstained: false, citations: [{ quote: 'Italy halted joint patrols in December 2022.' }], trace: trace(['December 2022', 'Italy']), gold: { answers: ['December 2022'], answerable: true } },
    { id: 'b', abstained: false, citations: [{ quote: 'Fiji reworked its agreement.' }], trace: trace(['Fiji']), gold: { answers: ['in 2019'], answerable: true } },
    { id: 'c', abstained: false, citations: [{ quote: 'China trained 2,700 officers.' }], trace: trace(['2,700']), gold: { answers: [], answerable: false } },
    { id: 'd', abstained: true, citations: [], gold: { answers: ['x'], answerable: true } },
  ];

  it('labels a gate row right only when a quote holds an accepted answer, and never for an unanswerable question', () => {
    expect(gateRows(results).map((r) => r.label)).toEqual([1, 0, 0]);
    expect(gateRows(results, (r) => (r.id === 'a' ? 3 : 1)).map((r) => r.weight)).toEqual([3, 1, 1]);
  });

  it('labels each candidate of an answered answerable question by token F1 ≥ 0.5', () => {
    const gate = { bias: 0, weights: {}, threshold: 0.5, reference: {} };
    expect(shortAnswerRows(results, gate).map((r) => r.label)).toEqual([1, 0, 0]);
  });
});

describe('thresholds', () => {
  it('picks the gate threshold that weighs false abstentions by their cost', () => {
    const questions = [
      { probability: 0.9, answerable: true },
      { probability: 0.3, answerable: true },
      { probability: 0.2, answerable: false },
      { probability: 0.25, answerable: false },
    ];
    const point = chooseGateThreshold(questions, 4);
    expect(point.threshold).toBeGreaterThan(0.25);
    expect(point.threshold).toBeLessThanOrEqual(0.3);
    expect(point).toMatchObject({ abstentionRecall: 1, falseAbstention: 0 });
  });

  it('picks the lowest short-answer threshold reaching the precision, so the most answers are shown', () => {
    const answers = [0.95, 0.9, 0.85, 0.6, 0.55, 0.3].map((probability, i) => ({ probability, right: i !== 3 && i !== 5 }));
    const point = chooseShortAnswerThreshold(answers, 0.8);
    expect(point.threshold).toBeGreaterThan(0.3);
    expect(point.threshold).toBeLessThanOrEqual(0.55);
    expect(point.precision).toBeCloseTo(0.8, 5);
    expect(point.coverage).toBeCloseTo(5 / 6, 5);
  });
});
