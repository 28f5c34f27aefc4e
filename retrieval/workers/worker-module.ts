import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Defined by `cli/node-build.mjs` in a build of the sources; absent under tsx and in tests. */
declare const __VERBATIM_BUILD__: { readonly root: string; readonly dir: string } | undefined;

/**
 * What to start (in a thread, or preloaded into a process) for one of our TypeScript modules: inside a build (every
 * npm script), its bundled counterpart, which `cli/node-build.mjs` makes for each of its URL_ENTRY_POINTS; from the
 * sources (tsx, tests), the source itself. Anything else is returned as it is.
 * @throws when a build lacks the module (it is missing from URL_ENTRY_POINTS).
 */
export function runnableModule(source: URL): URL {
  if (typeof __VERBATIM_BUILD__ === 'undefined' || source.protocol !== 'file:' || !source.pathname.endsWith('.ts')) return source;
  const relative = path.relative(__VERBATIM_BUILD__.root, fileURLToPath(source));
  const built = path.join(__VERBATIM_BUILD__.dir, relative.replace(/\.ts$/, '.mjs'));
  if (!fs.existsSync(built)) {
    throw new Error(`${relative} is started by its URL but is not in the build ${__VERBATIM_BUILD__.dir}: add it to URL_ENTRY_POINTS in cli/node-build.mjs`);
  }
  return pathToFileURL(built);
}

/**
 * A worker thread's module for piscina and, when it is TypeScript (run from the sources through tsx), the loader
 * that lets the thread run it.
 */
export function workerModule(source: URL): { filename: string; execArgv: string[] } {
  const url = runnableModule(source);
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { filename: url.href, execArgv: url.pathname.endsWith('.ts') ? ['--import', loader] : [] };
}
