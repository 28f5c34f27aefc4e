import type { FollowUpsRequest, FollowUpsResponse } from '../../server/protocol.js';
import { el } from './dom.js';

/** Asks the server for an answer's follow-up questions (`POST /api/suggestions/follow-ups`). */
export type FetchFollowUps = (request: FollowUpsRequest) => Promise<FollowUpsResponse>;

/** Options of {@link followUpSuggestions}. */
export interface FollowUpSuggestionsOptions {
  /** The question answered, the turns it was asked with and the answer's citations. */
  readonly about: FollowUpsRequest;
  readonly fetch: FetchFollowUps;
  /** Asks a suggestion as the next question of the conversation. */
  readonly ask: (question: string) => void;
}

/** The class of the group, for removing it from an answer that is no longer the latest. */
export const FOLLOW_UPS_CLASS = 'follow-ups';

/**
 * "Ask next" under a finished answer: up to three questions the documents answer about what it cites, as buttons
 * that ask them. The group is returned empty and hidden, and shown when the questions arrive; when there are none,
 * or the request fails, nothing is shown (a suggestion is a convenience: its absence needs no explanation). Filling
 * a group already removed from the page (a newer question was asked meanwhile) is harmless.
 */
export function followUpSuggestions(options: FollowUpSuggestionsOptions): HTMLElement {
  // The group's label is what screen readers announce; the visible heading says the same, so it is not read twice.
  const heading = el('p', { className: 'follow-ups-heading', attrs: { 'aria-hidden': 'true' } }, 'Ask next');
  const list = el('ul', { className: 'follow-up-list' });
  const group = el('div', { className: FOLLOW_UPS_CLASS, attrs: { role: 'group', 'aria-label': 'Ask next' } }, heading, list);
  group.hidden = true;
  options.fetch(options.about).then(
    ({ suggestions }) => {
      list.replaceChildren(
        ...suggestions.map(({ question }) => {
          const button = el('button', { className: 'follow-up secondary', attrs: { type: 'button' } }, question);
          button.addEventListener('click', () => options.ask(question));
          return el('li', {}, button);
        }),
      );
      group.hidden = suggestions.length === 0;
    },
    () => {
      // No suggestions: the answer and the question box are enough to go on.
    },
  );
  return group;
}
