import type { ChatTurn } from '../../retrieval/types.js';

/** Earlier turns sent with a follow-up: enough for pronouns and "what about …", well under the frame limit. */
const HISTORY_TURNS = 12;
const HISTORY_CHARS = 24_000;

/** The most recent turns that fit the budget, oldest first. */
export function recentHistory(turns: readonly ChatTurn[]): ChatTurn[] {
  const out: ChatTurn[] = [];
  let chars = 0;
  for (let i = turns.length - 1; i >= 0 && out.length < HISTORY_TURNS; i -= 1) {
    const turn = turns[i]!;
    chars += turn.content.length;
    if (chars > HISTORY_CHARS) break;
    out.unshift(turn);
  }
  return out;
}
