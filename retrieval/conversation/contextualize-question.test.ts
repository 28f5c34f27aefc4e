import { describe, expect, it } from 'vitest';
import { LINEAR_RATIO_BOUND, workGrowth } from '../__fixtures__/linear-work.js';
import type { ChatTurn } from '../types.js';
import { contextualizeQuestion, namedPhrases } from './contextualize-question.js';

const chen: ChatTurn[] = [
  { role: 'user', content: 'Who is Chen Zhichen?' },
  { role: 'assistant', content: 'Chen Zhichen was criminally charged in the United States for allegedly leading an online network. [1]' },
];

describe('contextualizeQuestion', () => {
  it('passes a self-contained question through unchanged', () => {
    expect(contextualizeQuestion('When did Italy halt joint patrols with Chinese police?', chen)).toEqual({ retrievalQuery: 'When did Italy halt joint patrols with Chinese police?', carried: [], followUp: 'none' });
    expect(contextualizeQuestion('Where did she study?', [])).toEqual({ retrievalQuery: 'Where did she study?', carried: [], followUp: 'none' });
  });

  it('keeps a possessive that points inside the question', () => {
    expect(contextualizeQuestion('Why did Italy halt its joint patrols?', chen).followUp).toBe('none');
  });

  it('carries the subject of the previous question for a pronoun', () => {
    const result = contextualizeQuestion('Where did she study?', chen);
    expect(result.followUp).toBe('reference');
    expect(result.carried[0]).toBe('Chen Zhichen');
    expect(result.retrievalQuery).toContain('Chen Zhichen');
    expect(result.retrievalQuery.startsWith('Where did she study?')).toBe(true);
  });

  it('carries names from the answer when the user named nothing', () => {
    const history: ChatTurn[] = [
      { role: 'user', content: 'Which country halted joint patrols with Chinese police?' },
      { role: 'assistant', content: 'In December 2022, Italy halted joint patrols with Chinese police. [1]' },
    ];
    const result = contextualizeQuestion('When did that happen?', history);
    expect(result.followUp).toBe('reference');
    expect(result.carried).toContain('Italy');
    expect(result.carried).toContain('halted');
  });

  it('rewrites "What about X?" as the previous question about X', () => {
    const history: ChatTurn[] = [
      { role: 'user', content: 'Why did Italy halt joint patrols with Chinese police?' },
      { role: 'assistant', content: 'In December 2022, Italy halted joint patrols. [1]' },
    ];
    const result = contextualizeQuestion('What about Papua New Guinea?', history);
    expect(result.followUp).toBe('ellipsis');
    expect(result.retrievalQuery).toBe('Why did Papua New Guinea halt joint patrols with Chinese police?');
  });

  it('swaps in a new time or place phrase: "And by 2025?" asks the previous question about 2025', () => {
    const history: ChatTurn[] = [
      { role: 'user', content: 'How many officers did China train in 2023?' },
      { role: 'assistant', content: 'China had trained 2,700 foreign law enforcement officers in 2023. [1]' },
    ];
    const byYear = contextualizeQuestion('And by 2025?', history);
    expect(byYear.followUp).toBe('ellipsis');
    expect(byYear.retrievalQuery).toBe('How many officers did China train by 2025?');
    expect(contextualizeQuestion('In the 1990s?', history).retrievalQuery).toBe('How many officers did China train in the 1990s?');
    const places: ChatTurn[] = [{ role: 'user', content: 'Which police units did China send to the Solomon Islands?' }];
    expect(contextualizeQuestion('And to Fiji?', places).retrievalQuery).toBe('Which police units did China send to Fiji?');
    // No phrase of that kind to replace: the new one is added.
    expect(contextualizeQuestion('And in 2024?', places).retrievalQuery).toBe('Which police units did China send to the Solomon Islands in 2024?');
    // A question word makes it a question of its own, not a phrase to swap in.
    expect(contextualizeQuestion('And in which year?', history).followUp).not.toBe('ellipsis');
  });

  it('completes a bare question word from the previous question', () => {
    const history: ChatTurn[] = [
      { role: 'user', content: 'How many officers did China train in 2023?' },
      { role: 'assistant', content: 'China had trained 2,700 foreign law enforcement officers in 2023. [1]' },
    ];
    const result = contextualizeQuestion('When?', history);
    expect(result.followUp).toBe('ellipsis');
    expect(result.retrievalQuery).toMatch(/^When China .*officers/);
  });

  it('resolves a chain of follow-ups back to the named subject', () => {
    const history: ChatTurn[] = [...chen, { role: 'user', content: 'Where did she study?' }, { role: 'assistant', content: 'Chen attended JIBC. [1]' }];
    const result = contextualizeQuestion('Which bureau was she part of?', history);
    expect(result.carried).toContain('Chen Zhichen');
  });

  it('ignores an abstention when looking for names', () => {
    const history: ChatTurn[] = [
      { role: 'user', content: 'What is the annual budget of the ministry?' },
      { role: 'assistant', content: "The documents don't say." },
    ];
    expect(contextualizeQuestion('Why is that?', history).carried.join(' ')).not.toMatch(/documents/i);
  });
});

describe('namedPhrases', () => {
  it('finds multi-word names and skips question openers and citation markers', () => {
    expect(namedPhrases('Who trained at the Justice Institute of British Columbia with the MPS? [1]')).toEqual(['Justice Institute of British Columbia', 'MPS']);
    expect(namedPhrases('Since then, Wang Xiaohong has engaged New Zealand.')).toEqual(['Wang Xiaohong', 'New Zealand']);
  });
});

describe('contextualizeQuestion with "What about X?"', () => {
  it('swaps the topic, not a nationality adjective that comes first', () => {
    const history: ChatTurn[] = [
      { role: 'user', content: 'When did Chinese officers visit Australia?' },
      { role: 'assistant', content: 'In 2014. [1]' },
    ];
    expect(contextualizeQuestion('What about Canada?', history).retrievalQuery).toBe('When did Chinese officers visit Canada?');
  });
});

// The probe's inputs: runs of spaces inside a follow-up made the old patterns backtrack cubically (7.7 s for one
// 2,000-character question; over an hour for a 20,000-character history turn). Work must grow linearly.
describe('contextualizeQuestion on hostile text', () => {
  const spaces = (question: (n: number) => string, total: number) => [question(total), question(total / 4)] as const;
  const asQuestion = (text: string) => contextualizeQuestion(text, chen);
  const asHistory = (follow: string) => (text: string) => contextualizeQuestion(follow, [{ role: 'user', content: text }, { role: 'assistant', content: 'It did. [1]' }]);

  it.each([
    ['and x … y', (n: number) => `and x${' '.repeat(n - 6)}y`],
    ['what about x … y', (n: number) => `what about x${' '.repeat(n - 13)}y`],
    ['in x … y', (n: number) => `in x${' '.repeat(n - 5)}y`],
    ['that … y', (n: number) => `that${' '.repeat(n - 5)}y`],
    ['what about x … ?', (n: number) => `what about x${'?'.repeat(n - 14)} y`],
  ])('a %s question of 2,000 characters costs linear work', (_name, make) => {
    const [full, quarter] = spaces(make, 2000);
    expect(full.length).toBe(2000);
    const growth = workGrowth(asQuestion, full, quarter);
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
  });

  it.each([
    ['and x … y', 'And then?', (n: number) => `and x${' '.repeat(n - 6)}y`],
    ['what about x … y', 'What about Canada?', (n: number) => `what about x${' '.repeat(n - 13)}y`],
    ['in x … y', 'And in 2020?', (n: number) => `in x${' '.repeat(n - 5)}y`],
  ])('the same %s text in an earlier turn costs linear work', (_name, follow, make) => {
    // 4,000 characters: enough to show the old cubic cost (33 s) while failing in seconds; the fuzz tests go to 20,000.
    const [full, quarter] = spaces(make, 4000);
    const growth = workGrowth(asHistory(follow), full, quarter);
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
  });

  it('a long history of distinct capitalised words with the same ending costs linear work', () => {
    const name = (i: number) => `Q${Array.from(i.toString(26), (d) => String.fromCharCode(97 + parseInt(d, 26))).join('')}ese`;
    const turn = (names: number) => Array.from({ length: names }, (_, i) => `${name(i)} officers`).join(' ');
    const history = (names: number): ChatTurn[] =>
      Array.from({ length: 50 }, (_, k) => ({ role: k % 2 === 0 ? 'user' : 'assistant', content: turn(names) }));
    const growth = workGrowth((h: ChatTurn[]) => contextualizeQuestion('What about Canada?', h), history(1200), history(300));
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
  });

  it('keeps the rewriting of ordinary follow-ups after a huge turn', () => {
    const history: ChatTurn[] = [{ role: 'user', content: `Why did Italy halt joint patrols with Chinese police?${' '.repeat(19_000)}` }];
    expect(contextualizeQuestion('What about Canada?', history).retrievalQuery).toBe(`Why did Canada halt joint patrols with Chinese police?${' '.repeat(19_000)}`);
  });

  it('takes "$`" in a follow-up as text, not as the previous question pasted in again', () => {
    const history: ChatTurn[] = [{ role: 'user', content: 'Why did Italy halt joint patrols?' }];
    expect(contextualizeQuestion('What about $`$`?', history).retrievalQuery).toBe('Why did $`$` halt joint patrols?');
  });
});
