/** A model source could not deliver (unreachable, an HTTP status, stalled, no pip): `fetchModel` goes on to the next one. */
export class SourceUnavailableError extends Error {}
