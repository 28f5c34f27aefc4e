import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * A pino logger writing to stderr, so `npm run --silent ... --json` keeps stdout for output alone.
 * Created once at the edge and passed in; nothing logs through a global.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({ level: options.level ?? 'info', name: options.name ?? 'verbatim', base: undefined }, pino.destination({ fd: 2, sync: true }));
}
