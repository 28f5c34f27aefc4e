import { describe, expect, it } from 'vitest';
import { questionCandidates } from './question-candidates.js';

const questionsOf = (text: string, documentCount = 1) => questionCandidates([{ id: 'a.txt', text }], { documentCount }).map((c) => c.question);

describe('starter question candidates', () => {
  it('turns a section heading into a question about its subject, in sentence case', () => {
    const text = 'Annual report\n\nPolice training\nThe academy trained 300 recruits in 2024.\n';
    expect(questionsOf(text)).toContain('What does the document say about police training?');
    expect(questionsOf(text, 3)).toContain('What do the documents say about police training?');
  });

  it('keeps the capitals of a title-case heading and of one that opens with an acronym', () => {
    const text = 'Foreign Interference and Troll Farms\nA paragraph follows here.\n\nAFP cooperation ended\nAnother paragraph.\n';
    expect(questionsOf(text)).toEqual(['What does the document say about Foreign Interference and Troll Farms?', 'What does the document say about AFP cooperation ended?']);
  });

  it('asks nothing about headings that name a part of the document or credit it', () => {
    const text = 'Summary\nSome text.\nBy South China Morning Post via Bangkok Post\nMore text.\nReferences\nA list.\n';
    expect(questionsOf(text)).toEqual([]);
  });

  it('asks who a titled person is', () => {
    expect(questionsOf('In 2022, President Xi Jinping introduced a plan. The criminologist Rob Gordon noted risks.')).toEqual(['Who is Xi Jinping?', 'Who is Rob Gordon?']);
  });

  it('asks who a person is when a sentence opens with the name or describes it, and the name comes back shortened', () => {
    const text = 'Chen Zhichen was charged in 2023. Chen had studied abroad. Since then, Wang Xiaohong, state councillor and minister, has met envoys. Wang spoke.';
    expect(questionsOf(text)).toEqual(['Who is Chen Zhichen?', 'Who is Wang Xiaohong?']);
  });

  it('does not take a place for a person', () => {
    const text = 'Trade grew in Latin America, where firms invested, and in New Zealand, a partner, which signed. New Zealand has ports.';
    expect(questionsOf(text)).toEqual([]);
  });

  it('asks what an organisation introduced with its acronym is, when the initials spell it', () => {
    const text = 'Officers of China’s Ministry of Public Security (MPS) met the Australian Federal Police (AFP). The report (PDF) is online.';
    expect(questionsOf(text)).toEqual(['What is the Ministry of Public Security?', 'What is the Australian Federal Police?']);
  });

  it('varies the first questions across documents and rules, and asks about each subject once', () => {
    const a = { id: 'a.txt', text: 'President Ada Lovelace spoke. President Alan Turing listened. The Global Security Initiative (GSI) began.' };
    const b = { id: 'b.txt', text: 'Mayor Alan Turing opened the Harbour Lantern Festival (HLF) in Port Ellery.' };
    const candidates = questionCandidates([a, b]);
    expect(candidates.map((c) => [c.docId, c.question])).toEqual([
      ['a.txt', 'Who is Ada Lovelace?'],
      ['a.txt', 'What is the Global Security Initiative?'],
      ['b.txt', 'Who is Alan Turing?'],
      ['b.txt', 'What is the Harbour Lantern Festival?'],
    ]);
    expect(candidates.map((c) => c.rule)).toEqual(['titledPerson', 'definedAcronym', 'titledPerson', 'definedAcronym']);
  });
});
