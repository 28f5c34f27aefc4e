import fs from 'node:fs/promises';
import { InputError } from './errors.js';

/**
 * Reads a text file a user named on the command line (questions, history, results, a SQuAD file).
 * @param what how messages name it, e.g. `questions file`.
 * @throws InputError "cannot read <what> <file>: <code>" when it cannot be read.
 */
export async function readInputFile(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
