import { createHash } from 'node:crypto';

/** Salt of the fixed sample; changing it changes which questions the CI gate runs. */
export const DEFAULT_SAMPLE_SALT = 'verbatim-eval-v1';

/**
 * A fixed, order-independent sample: the `size` items whose sha256(salt + id) is smallest, returned in
 * their original order. The same ids always give the same sample, whatever the machine or file order.
 */
export function sampleItems<T extends { readonly id: string }>(items: readonly T[], size: number, salt = DEFAULT_SAMPLE_SALT): T[] {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`sample size must be a whole number ≥ 0, got ${size}`);
  if (size >= items.length) return [...items];
  const keyed = items.map((item, index) => ({ index, key: createHash('sha256').update(salt).update(item.id).digest('hex') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
  const chosen = new Set(keyed.slice(0, size).map((k) => k.index));
  return items.filter((_, index) => chosen.has(index));
}
