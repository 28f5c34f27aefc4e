import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate, templateArbitrary, type Template } from '../__fixtures__/adversarial-text.js';
import { LINEAR_RATIO_BOUND, workGrowth } from '../__fixtures__/linear-work.js';
import { MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, MAX_TURN_CHARS } from '../ask-input.js';
import type { ChatTurn } from '../types.js';
import { contextualizeQuestion } from './contextualize-question.js';

// Fixed seeds: a failure prints its counterexample and reproduces on every run.
const SEED = 1010;

interface Conversation {
  readonly question: Template;
  readonly turns: readonly { readonly role: ChatTurn['role']; readonly content: Template }[];
}

/** Most follow-up patterns look at how a question opens: start most generated questions like a follow-up. */
const FOLLOW_UP_OPENINGS = ['and x', 'And ', 'what about x', 'What about ', 'how about ', 'in x', 'And by ', 'but ', 'also, ', 'so what about ', 'When', 'that', 'Where did she'];
const question: fc.Arbitrary<Template> = fc
  .tuple(fc.option(fc.constantFrom(...FOLLOW_UP_OPENINGS), { freq: 4 }), templateArbitrary, fc.option(fc.constantFrom('y', '?', 'y?', 'y.', 'Canada'), { freq: 2 }))
  .map(([opening, body, ending]) => [...(opening === null ? [] : [{ unit: opening, share: 0 }]), ...body, ...(ending === null ? [] : [{ unit: ending, share: 0 }])]);

const conversation: fc.Arbitrary<Conversation> = fc.record({
  question,
  turns: fc.array(fc.record({ role: fc.constantFrom<ChatTurn['role']>('user', 'assistant'), content: question }), { minLength: 1, maxLength: 4 }),
});

/** The conversation with the question at `questionChars` and every turn at `turnChars`. */
function render(c: Conversation, questionChars: number, turnChars: number): [string, ChatTurn[]] {
  return [renderTemplate(c.question, questionChars), c.turns.map((t) => ({ role: t.role, content: renderTemplate(t.content, turnChars) }))];
}

const rewrite = ([question, history]: [string, ChatTurn[]]) => contextualizeQuestion(question, history);

describe('contextualizeQuestion fuzzed', () => {
  it('never throws and returns a usable query, for any question and history within the limits', () => {
    fc.assert(
      fc.property(conversation, fc.integer({ min: 1, max: MAX_QUESTION_CHARS }), fc.integer({ min: 1, max: 3000 }), (c, q, t) => {
        const [question, history] = render(c, q, t);
        const result = contextualizeQuestion(question, history);
        expect(typeof result.retrievalQuery).toBe('string');
        expect(result.carried.length).toBeLessThanOrEqual(6);
        if (result.followUp === 'none') expect(result.retrievalQuery).toBe(question);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('does work linear in the length of the question and of the history turns', () => {
    fc.assert(
      fc.property(conversation, (c) => {
        const growth = workGrowth(rewrite, render(c, MAX_QUESTION_CHARS, MAX_TURN_CHARS), render(c, MAX_QUESTION_CHARS / 4, MAX_TURN_CHARS / 4), { samples: 3, minSampleMs: 5 });
        expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it('does work linear in the length of a full history: 50 turns of 20,000 characters', () => {
    // Every user turn a follow-up of the one before, so each is resolved against the turns before it.
    const template: Template = [{ unit: 'And what about ', share: 0 }, { unit: 'Qese officers in ', share: 1 }, { unit: ' ', share: 1 }, { unit: '?', share: 0 }];
    const history = (chars: number): ChatTurn[] =>
      Array.from({ length: MAX_HISTORY_TURNS }, (_, k) => ({ role: k % 2 === 0 ? 'user' : 'assistant', content: renderTemplate(template, chars) }));
    const growth = workGrowth((h: ChatTurn[]) => contextualizeQuestion('And in 2020?', h), history(MAX_TURN_CHARS), history(MAX_TURN_CHARS / 4), { samples: 3 });
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
  });
});
