/**
 * The limits of an ask, as plain constants: the request schemas (`ask-input.ts`) enforce them, and the chat page
 * imports them through `server/protocol.ts` to count against the same numbers without bundling zod.
 */

/** Longest question accepted, in characters (UTF-16 code units); longer ones are a 400 / exit 2, not a slow answer. */
export const MAX_QUESTION_CHARS = 2000;
/** Most earlier turns kept from a history. */
export const MAX_HISTORY_TURNS = 50;
/** Longest turn accepted in a history, in characters. */
export const MAX_TURN_CHARS = 20_000;
