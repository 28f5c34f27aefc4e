/**
 * Type helpers that tie the zod schemas of the wire format to the readonly TypeScript types the server builds its
 * responses with, so a field added to one and not the other fails `tsc`.
 */
import type { z } from 'zod';

/** `T` with every property and array readonly, all the way down: the style of the server's result types. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown ? T : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The readonly type of what `S` parses to: the wire type a schema describes. */
export type WireType<S extends z.ZodType> = DeepReadonly<z.output<S>>;

/**
 * `true` when `A` and `B` are the same type (not merely assignable: an optional field missing on one side, or a
 * `string` against a union of literals, makes them differ), else `false`.
 */
export type SameType<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
