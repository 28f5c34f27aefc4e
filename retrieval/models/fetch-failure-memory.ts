/**
 * Remembers, beside the models, that fetching one on first use failed and when, so an offline machine pays for the
 * attempt once per `retryAfterMs` rather than on every `npm start` and `ingest`. An explicit `npm run models -- fetch`
 * ignores it and clears it on success.
 */
import { readFile, mkdir, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const MEMORY_FILE = '.verbatim-fetch-failures.json';

const memorySchema = z.record(z.string(), z.object({ at: z.string(), reason: z.string() }));

/** A remembered failure. */
export interface RememberedFailure {
  /** When it failed (ISO 8601). */
  readonly at: string;
  readonly reason: string;
}

async function readMemory(modelDir: string): Promise<Record<string, RememberedFailure>> {
  try {
    return memorySchema.parse(JSON.parse(await readFile(path.join(modelDir, MEMORY_FILE), 'utf8')));
  } catch {
    return {};
  }
}

async function writeMemory(modelDir: string, memory: Record<string, RememberedFailure>): Promise<void> {
  await mkdir(modelDir, { recursive: true });
  const file = path.join(modelDir, MEMORY_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(memory, null, 2)}\n`);
  await rename(temporary, file);
}

/** The failure to fetch `modelId` remembered from less than `retryAfterMs` ago, or null. */
export async function recentFetchFailure(modelDir: string, modelId: string, retryAfterMs: number, now = Date.now()): Promise<RememberedFailure | null> {
  const failure = (await readMemory(modelDir))[modelId];
  if (!failure) return null;
  const age = now - Date.parse(failure.at);
  return age >= 0 && age < retryAfterMs ? failure : null;
}

/** Records that fetching `modelId` failed now. Best effort: a read-only model folder only means the next start tries again. */
export async function rememberFetchFailure(modelDir: string, modelId: string, reason: string, now = Date.now()): Promise<void> {
  const memory = await readMemory(modelDir);
  memory[modelId] = { at: new Date(now).toISOString(), reason };
  await writeMemory(modelDir, memory).catch(() => undefined);
}

/** Forgets a failure once the model is in place. */
export async function forgetFetchFailure(modelDir: string, modelId: string): Promise<void> {
  const memory = await readMemory(modelDir);
  if (!(modelId in memory)) return;
  delete memory[modelId];
  await writeMemory(modelDir, memory).catch(() => undefined);
}
