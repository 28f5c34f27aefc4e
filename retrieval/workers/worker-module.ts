import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * A worker thread's module for piscina and, when it is TypeScript (Verbatim runs from source through tsx, no build
 * step), the loader that lets the thread run it.
 */
export function workerModule(url: URL): { filename: string; execArgv: string[] } {
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { filename: url.href, execArgv: url.pathname.endsWith('.ts') ? ['--import', loader] : [] };
}
