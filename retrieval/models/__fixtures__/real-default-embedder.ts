/**
 * Whether the real default embedder is on this machine, in the repository's `models/` (where `npm run models --
 * fetch` and CI put it). Tests of the real model run when it is and are skipped otherwise, saying why in their name.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EMBEDDER } from '../model-catalog.js';
import { checkModelFolder } from '../model-folder.js';

/** The repository's model folder. */
export const REPO_MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models');

const folder = await checkModelFolder(DEFAULT_EMBEDDER, REPO_MODEL_DIR);

/** True when the default embedder is there and matches its pins. */
export const REAL_MODEL_PRESENT = folder.state === 'verified';

/** Appended to the name of a test that needs the model: empty when present, the reason and the fix when not. */
export const REAL_MODEL_SKIP_NOTE = REAL_MODEL_PRESENT ? '' : ` (skipped: ${DEFAULT_EMBEDDER.name} is ${folder.state} in ${REPO_MODEL_DIR}; run \`npm run models -- fetch\`)`;
