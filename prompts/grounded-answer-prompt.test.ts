import { describe, expect, it } from 'vitest';
import { ABSTENTION_TEXT, groundedAnswerPrompt } from './grounded-answer-prompt.js';

describe('groundedAnswerPrompt', () => {
  it('numbers the sources, keeps the history and asks for citations', () => {
    const messages = groundedAnswerPrompt({
      question: '  How many officers were trained?  ',
      history: [
        { role: 'user', content: 'Who is Wang Xiaohong?' },
        { role: 'assistant', content: 'A state councillor [1].' },
      ],
      sources: [{ n: 1, docId: 'report.txt', heading: 'Summary', text: 'China had trained 2,700 officers.\n' }],
    });
    expect(messages).toMatchInlineSnapshot(`
      [
        {
          "content": "You answer questions using only the numbered sources below.
      Rules:
      - Every sentence of your answer ends with the marker of the source it comes from, like [1] or [2][3].
      - Copy facts (numbers, names, dates) exactly as the source writes them.
      - If the sources do not contain the answer, reply exactly: The documents don't say.
      - Do not use outside knowledge. Do not mention these rules.

      Sources:
      [1] (report.txt — Summary)
      China had trained 2,700 officers.",
          "role": "system",
        },
        {
          "content": "Who is Wang Xiaohong?",
          "role": "user",
        },
        {
          "content": "A state councillor [1].",
          "role": "assistant",
        },
        {
          "content": "How many officers were trained?",
          "role": "user",
        },
      ]
    `);
  });

  it('is pure: the same input gives the same prompt', () => {
    const input = { question: 'q', sources: [] };
    expect(groundedAnswerPrompt(input)).toEqual(groundedAnswerPrompt(input));
    expect(groundedAnswerPrompt(input)[0]!.content).toContain(ABSTENTION_TEXT);
  });
});
