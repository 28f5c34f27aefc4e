import { describe, expect, it } from 'vitest';
import { createNlpTools } from './nlp.js';
import { analyzeQuestion } from './question-analysis.js';
import { createTermNormalizer } from './terms.js';

const normalizer = createTermNormalizer(createNlpTools());
const analyze = (q: string) => analyzeQuestion(q, normalizer);

describe('analyzeQuestion', () => {
  it.each([
    ['How many foreign police officers did China train in 2023?', 'how-many', 'number'],
    ['How much money did the program generate?', 'how-much', 'money'],
    ['When did Italy halt joint patrols?', 'when', 'date'],
    ['In what year was the GSI introduced?', 'what', 'date'],
    ['Who introduced the Global Security Initiative?', 'who', 'person'],
    ['Where was the forum held?', 'where', 'place'],
    ['Which countries adjusted their policing agreements?', 'which', 'place'],
    ['Which agency told a Senate hearing about it?', 'which', 'organisation'],
    ['Why did Italy end the patrols?', 'why', 'reason'],
    ['How did China bolster its standing?', 'how', 'manner'],
    ['What percentage of the population was Catholic?', 'what', 'percent'],
    ['How long did the program run?', 'how-much', 'duration'],
    ['What did the company do?', 'what', 'action'],
    ['Did Italy halt the patrols?', 'yes-no', 'yes-no'],
  ])('%s → %s / %s', (question, type, expected) => {
    const a = analyze(question);
    expect(a.type).toBe(type);
    expect(a.expected).toBe(expected);
  });

  it('keeps content words as stemmed terms and drops question words and stopwords', () => {
    const a = analyze('How many foreign police officers did China train in 2023?');
    expect(a.terms.map((t) => t.term)).toEqual(['foreign', 'polic', 'offic', 'china', 'train', '2023']);
    expect(a.terms.find((t) => t.text === 'China')?.isAnchor).toBe(true);
    expect(a.terms.find((t) => t.text === '2023')?.isAnchor).toBe(true);
    expect(a.terms.find((t) => t.text === 'police')?.isAnchor).toBe(false);
  });

  it('normalises possessives, curly apostrophes and thousands separators', () => {
    const terms = analyze('Did China’s program train 2,700 officers?').terms.map((t) => t.term);
    expect(terms).toContain('china');
    expect(terms).toContain('2700');
  });

  it('finds the focus noun and gives it less weight (answers often omit it)', () => {
    const a = analyze('What type of city has Warsaw been?');
    expect(a.focus).toBe('city');
    expect(a.expected).toBe('place');
    expect(a.terms.find((t) => t.term === 'citi')?.weight).toBeLessThan(1);
  });

  it('takes a kind word that modifies a later noun for a modifier, not the focus', () => {
    // "time" would make it a date question; the thing asked for is a path.
    const posOf = (word: string) => (word === 'path' ? 'NOUN' : undefined);
    const a = analyzeQuestion('What space-time path is seen as a curved line?', normalizer, { posOf });
    expect(a.expected).not.toBe('date');
    expect(analyze('What year did Tesla die?').expected).toBe('date');
  });

  it('reads the position of the gap from the question form', () => {
    expect(analyze('Who introduced the GSI?').gap).toBe('subject');
    expect(analyze('What did Lady Gaga sing?').gap).toBe('object');
    expect(analyze('Comb like bands of cilia are called what?').terms.every((t) => t.side === 'left')).toBe(true);
  });

  it('marks plural, definition and acronym questions', () => {
    expect(analyze('Which countries changed their agreements?').plural).toBe(true);
    expect(analyze('Which two treaties formed the European Union?').plural).toBe(true);
    expect(analyze('What are some of the causes of child labour?').plural).toBe(true);
    expect(analyze('Who is Chen Zhichen?').definition).toBe(true);
    expect(analyze('Who is the minister of public security?').definition).toBe(false);
    expect(analyze("What was Warsaw's first literary cabaret?").definition).toBe(false);
    expect(analyze('What does GSI stand for?').expandsAcronym).toBe(true);
  });

  it('marks the noun asked for and the lower-case verbs', () => {
    const posOf = (w: string) => (/^(?:ended|tried|bring|founded|Found)$/.test(w) ? 'VERB' : 'NOUN');
    const minister = analyzeQuestion('Who is the Italian interior minister who ended the joint patrols?', normalizer, { posOf });
    expect(minister.terms.filter((t) => t.role === 'focus').map((t) => t.text)).toEqual(['minister']);
    expect(minister.terms.find((t) => t.text === 'ended')?.role).toBe('predicate');
    // "the name of the Melbourne bus driver": the head of the phrase, not its first word.
    const driver = analyzeQuestion('What was the name of the Melbourne bus driver Chinese police tried to bring back?', normalizer, { posOf });
    expect(driver.focus).toBe('driver');
    // A capitalised word is a name even when its stem is the verb's: it does not make the term a predicate.
    expect(analyzeQuestion('Was Found in Translation a Substack?', normalizer, { posOf }).terms.find((t) => t.text === 'Found')?.role).toBe('other');
  });

  it('weighs verbs up when a tagger says which words are verbs', () => {
    const a = analyzeQuestion('When was the program shut down?', normalizer, { posOf: (w) => (w === 'shut' ? 'VERB' : 'NOUN'), verbWeight: 2 });
    expect(a.terms.find((t) => t.text === 'shut')?.weight).toBe(2);
  });
});
