// @ts-check
/**
 * `node cli/launch.mjs <entry.ts> [args…]`: what every npm script runs. Starts one of Verbatim's entry points from the
 * current build of the sources (`node-build.mjs`), making that build first when a source changed since, so the process
 * runs as plain JavaScript without a TypeScript loader. The entry sees the command line it would see under tsx:
 * `process.argv[1]` is its source file, its arguments follow.
 *
 * When no build can be made here (a read-only checkout, say), it says so once and runs the sources through tsx.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtModule, ensureBuild, ROOT } from './node-build.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('Usage: node cli/launch.mjs <entry.ts> [args…], e.g. node cli/launch.mjs server/main.ts --port 3000\n');
  process.exit(2);
}
const source = path.resolve(ROOT, entry);
process.argv.splice(1, process.argv.length - 1, source, ...args);

let module;
try {
  const { dir } = await ensureBuild();
  module = pathToFileURL(builtModule(dir, source)).href;
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Verbatim could not build its sources for plain Node (${reason}); running them through tsx instead, which starts more slowly.\n`);
  const { register } = await import('tsx/esm/api');
  register();
  module = pathToFileURL(source).href;
}
// Source maps are read only when an error's stack is formatted, so stacks name our TypeScript lines.
process.setSourceMapsEnabled(true);
await import(module);
