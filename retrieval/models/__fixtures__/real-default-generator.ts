/**
 * Whether the real default generator (SmolLM2-135M-Instruct) is on this machine, in the repository's `models/`
 * (where `npm run models -- fetch smollm2-135m-instruct` and CI put it). Tests of the real model run when it is and
 * are skipped otherwise, saying why in their name.
 */
import path from 'node:path';
import { DEFAULT_GENERATOR } from '../model-catalog.js';
import { checkModelFolder, modelFolderPath } from '../model-folder.js';
import { REPO_MODEL_DIR } from './real-default-embedder.js';

const folder = await checkModelFolder(DEFAULT_GENERATOR, REPO_MODEL_DIR);

/** True when the default generator is there and matches its pins. */
export const REAL_GENERATOR_PRESENT = folder.state === 'verified';

/** The GGUF file and its hash, when present. */
export const REAL_GENERATOR = {
  spec: DEFAULT_GENERATOR,
  modelPath: path.join(modelFolderPath(REPO_MODEL_DIR, DEFAULT_GENERATOR.modelId), DEFAULT_GENERATOR.gguf),
  sha256: folder.state === 'verified' ? folder.weightsSha256 : '',
} as const;

/** Appended to the name of a test that needs the model: empty when present, the reason and the fix when not. */
export const REAL_GENERATOR_SKIP_NOTE = REAL_GENERATOR_PRESENT
  ? ''
  : ` (skipped: ${DEFAULT_GENERATOR.name} is ${folder.state} in ${REPO_MODEL_DIR}; run \`npm run models -- fetch ${DEFAULT_GENERATOR.name}\`)`;
