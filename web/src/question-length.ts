/**
 * The question's length against the server's limit, as the counter under the box shows it: nothing while far from the
 * limit, "1,850 / 2,000" near it, and over it how much to remove. A question is never cut to fit: cutting changes
 * what is asked without saying so.
 */

/** Share of the limit from which the counter is shown. */
const SHOW_FROM = 0.8;

/** What the counter says. */
export interface LengthStatus {
  /** False while the question is far from the limit: the counter is hidden. */
  readonly shown: boolean;
  /** Characters over the limit; 0 when the question fits. */
  readonly over: number;
  /** The counter's words (empty when hidden). */
  readonly text: string;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The counter for a question of `length` characters (UTF-16 code units, as the server counts) under `limit`. */
export function lengthStatus(length: number, limit: number): LengthStatus {
  const over = Math.max(0, length - limit);
  if (over > 0) {
    return { shown: true, over, text: `${count(length)} / ${count(limit)} characters: remove ${count(over)} character${over === 1 ? '' : 's'} to send.` };
  }
  if (length < limit * SHOW_FROM) return { shown: false, over: 0, text: '' };
  return { shown: true, over: 0, text: `${count(length)} / ${count(limit)} characters` };
}
