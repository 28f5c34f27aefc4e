import { describe, expect, it } from 'vitest';
import { followUpRewritePrompt } from './follow-up-rewrite-prompt.js';

describe('followUpRewritePrompt', () => {
  it('shows the latest turns and asks for the standalone question only', () => {
    const history = Array.from({ length: 8 }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content: `turn ${i}\n  text` }));
    expect(followUpRewritePrompt({ question: ' And in 2019? ', history })).toMatchInlineSnapshot(`
      {
        "messages": [
          {
            "content": "Rewrite the user's last question as one standalone question that can be understood without the conversation.
      Keep names, numbers and dates exactly as written. Do not answer it. Reply with the question only.",
            "role": "system",
          },
          {
            "content": "Conversation:
      User: turn 2 text
      Assistant: turn 3 text
      User: turn 4 text
      Assistant: turn 5 text
      User: turn 6 text
      Assistant: turn 7 text

      Last question: And in 2019?
      Standalone question:",
            "role": "user",
          },
        ],
        "version": "follow-up-rewrite/1",
      }
    `);
  });
});
