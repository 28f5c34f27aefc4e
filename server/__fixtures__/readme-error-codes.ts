import fs from 'node:fs';

/** Every error code of the README's HTTP error table: the codes a client may see. */
export function documentedHttpCodes(): Set<string> {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### HTTP API'), readme.indexOf('### WebSocket protocol'));
  const rows = section.split('\n').filter((line) => /^\| \d/.test(line));
  return new Set(rows.flatMap((row) => [...row.split('|')[2]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!)));
}
