/**
 * Writes a tiny but real BERT-layout model that transformers.js v3 loads like any hub model, so tests exercise the
 * production loading paths (`loadEmbedder`, `loadReader`) without a download.
 *
 * The graph is BERT with the transformer layers removed:
 * `last_hidden_state = (word_embeddings[input_ids] + token_type_embeddings[token_type_ids]) * attention_mask`.
 * Word vectors are fixed pseudo-random Gaussians, so after mean pooling, texts that share words get similar vectors
 * and texts that share none are close to orthogonal. Nothing here is committed as a binary: tests call
 * `writeTinyModel` into a temp folder.
 *
 * With `task: 'question-answering'` the graph is a `BertForQuestionAnswering` whose start and end logits come from
 * per-token tables instead: it always answers with the first number in the context ("12" of "rose 12 percent"),
 * so tests can predict its answer exactly.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto, { type onnx as Onnx } from 'onnx-proto';
import { gaussian, seededRandom } from '../../__fixtures__/seeded-random.js';

const { onnx } = onnxProto;

/** Special tokens, in vocabulary order (ids 0–4). */
const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Whole words the tests and typical corpus text use; anything else falls back to letter pieces. */
const WORDS = `
the of and to in a is that for it as was with be by on not he i this are or his from at which but have an they you
were her she there would their we him been has when who will more no if out so said what up its about into than them
can only other new some could time these two may then do first any my now such like our over man me even most made
after also did many before must through back years where much your way well down should because each just those
people how too little state good very make world still own see men work long get here between both life being under
never day same another know while last might us great old year off come since against go came right used take three
states himself few house use during without again place american around however home small found mrs thought went
say part once general high upon school every don does got united left number course war until always away something
fact though water less public put think almost hand enough far took head yet government system better set told
nothing night end why called didn eyes find going look asked later knew point next city business give group toward
young days let room president side social given present several order national possible rather second face per
among form important often things looked early white case john become large big need four within felt along children
saw best church ever least power development light thing seemed family interest want members mind country area others
done turned although open god service certain kind problem began different door thus help sense means whole matter
perhaps itself york times law human line above name example action company hands local show five history whether gave
either today act feet across taken past quite anything seen having death week body word half really field car words
already themselves information tell together college shall money period held keep sure probably free seems political
real behind question air office making brought whose special major heard problems ago became federal moment study
available known result street economic boy position reason change south board individual job society areas west close
turn love community true court force full seem wife future age voice center woman control common necessary policy
front sometimes six girl clear further land run students provide feel party able mother music education university
child effect level stood military town short morning total outside rate figure class art century washington north
usually leave therefore evidence percent black strong believe private cat cats dog dogs sat mat pet pets bark barked
sleep sleeps sleeping kitten puppy stock market stocks fell rose rates bank banks inflation interest price prices
trade shares investors economy index vector search model embedding document documents chunk query answer cite quote
revenue quarter profit loss report reports rain weather sunny forecast
`
  .split(/\s+/)
  .filter((word) => word.length > 0);

const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const PUNCTUATION = `.,!?'"-():;/`;
const SUFFIXES = ['##s', '##es', '##ed', '##ing', '##er', '##ly', "##'s"];

/** The WordPiece vocabulary: specials, words, then single characters so any lowercase text tokenizes without [UNK]. */
function buildVocabulary(): string[] {
  const tokens: string[] = [...SPECIAL_TOKENS];
  const seen = new Set<string>(tokens);
  const push = (token: string): void => {
    if (!seen.has(token)) {
      seen.add(token);
      tokens.push(token);
    }
  };
  for (const word of WORDS) push(word);
  for (const suffix of SUFFIXES) push(suffix);
  for (const char of LETTERS) {
    push(char);
    push(`##${char}`);
  }
  for (const char of PUNCTUATION) push(char);
  return tokens;
}

function float32Bytes(values: Float32Array): Uint8Array {
  // ONNX raw_data is little-endian; copy through a DataView so big-endian hosts write the same bytes.
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setBigInt64(i * 8, BigInt(value), true));
  return bytes;
}

const int64Input = (name: string): Onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }] } } },
});
const floatOutput = (name: string, dims: Onnx.TensorShapeProto.IDimension[]): Onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } } },
});
const gather = (table: string, ids: string, output: string): Onnx.INodeProto => ({
  opType: 'Gather',
  input: [table, ids],
  output: [output],
  attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
});
const castToFloat = (input: string, output: string): Onnx.INodeProto => ({
  opType: 'Cast',
  input: [input],
  output: [output],
  attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT }],
});

const floatTensor = (name: string, dims: number[], values: Float32Array): Onnx.ITensorProto => ({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: float32Bytes(values) });

/** A serialized model (opset 13, IR version 8) taking BERT's three inputs. */
function encodeBertModel(graph: { name: string; output: Onnx.IValueInfoProto[]; initializer: Onnx.ITensorProto[]; node: Onnx.INodeProto[] }): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'verbatim-tiny-model',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { ...graph, input: [int64Input('input_ids'), int64Input('attention_mask'), int64Input('token_type_ids')] },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The serialized feature-extraction graph. */
function buildOnnxModel(vocabulary: readonly string[], dimension: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const words = new Float32Array(vocabulary.length * dimension);
  vocabulary.forEach((token, row) => {
    // [PAD] stays zero like a trained model's padding row; [CLS]/[SEP] get small vectors so an empty text is not a zero vector.
    const scale = token === '[PAD]' ? 0 : token === '[CLS]' || token === '[SEP]' ? 0.1 : 1;
    for (let col = 0; col < dimension; col += 1) words[row * dimension + col] = scale * gaussian(random);
  });
  const tokenTypes = new Float32Array(2 * dimension);

  return encodeBertModel({
    name: 'tiny_bert',
    output: [floatOutput('last_hidden_state', [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, { dimValue: dimension }])],
    initializer: [
      floatTensor('word_embeddings', [vocabulary.length, dimension], words),
      floatTensor('token_type_embeddings', [2, dimension], tokenTypes),
      { name: 'last_axis', dims: [1], dataType: onnx.TensorProto.DataType.INT64, rawData: int64Bytes([-1]) },
    ],
    node: [
      gather('word_embeddings', 'input_ids', 'word_vectors'),
      gather('token_type_embeddings', 'token_type_ids', 'type_vectors'),
      { opType: 'Add', input: ['word_vectors', 'type_vectors'], output: ['summed'] },
      castToFloat('attention_mask', 'mask_float'),
      { opType: 'Unsqueeze', input: ['mask_float', 'last_axis'], output: ['mask_expanded'] },
      { opType: 'Mul', input: ['summed', 'mask_expanded'], output: ['last_hidden_state'] },
    ],
  });
}

/**
 * The serialized question-answering graph: `start_logits = start_table[input_ids] * attention_mask` and likewise for
 * the end. A digit token that starts a word scores 8 as a start; as an end it scores 8, or 9 when it continues the
 * word ("##2"), so the best span is the first whole number in the context.
 */
function buildQuestionAnsweringModel(vocabulary: readonly string[]): Uint8Array {
  const startScores = new Float32Array(vocabulary.length);
  const endScores = new Float32Array(vocabulary.length);
  vocabulary.forEach((token, id) => {
    if (/^\d$/.test(token)) {
      startScores[id] = 8;
      endScores[id] = 8;
    } else if (/^##\d$/.test(token)) endScores[id] = 9;
  });
  const batchBySequence = [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }];
  return encodeBertModel({
    name: 'tiny_bert_qa',
    output: [floatOutput('start_logits', batchBySequence), floatOutput('end_logits', batchBySequence)],
    initializer: [floatTensor('start_table', [vocabulary.length], startScores), floatTensor('end_table', [vocabulary.length], endScores), floatTensor('type_table', [2], new Float32Array(2))],
    node: [
      gather('start_table', 'input_ids', 'start_raw'),
      gather('end_table', 'input_ids', 'end_raw'),
      gather('type_table', 'token_type_ids', 'type_zero'),
      castToFloat('attention_mask', 'mask_float'),
      { opType: 'Add', input: ['start_raw', 'type_zero'], output: ['start_typed'] },
      { opType: 'Add', input: ['end_raw', 'type_zero'], output: ['end_typed'] },
      { opType: 'Mul', input: ['start_typed', 'mask_float'], output: ['start_logits'] },
      { opType: 'Mul', input: ['end_typed', 'mask_float'], output: ['end_logits'] },
    ],
  });
}

/** A HF `tokenizers` tokenizer.json for BERT-style WordPiece. */
function buildTokenizerJson(vocabulary: readonly string[]): object {
  const id = (token: string): number => vocabulary.indexOf(token);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((token, index) => [token, index])),
    },
  };
}

/** Where `writeTinyModel` put the model and how to load it. */
export interface TinyModel {
  /** Pass as `modelDir` to `loadEmbedder`. */
  readonly modelDir: string;
  /** Pass as `modelId` to `loadEmbedder`. */
  readonly modelId: string;
  /** The model's own folder, `<modelDir>/<modelId>`. */
  readonly modelPath: string;
  /** Paths relative to `modelPath` of every file written, e.g. `onnx/model.onnx`. */
  readonly files: readonly string[];
  /** Vector length the embedder will report. */
  readonly dimension: number;
  /** Every token the tokenizer knows, in id order. */
  readonly vocabulary: readonly string[];
}

/** Options for `writeTinyModel`. */
export interface WriteTinyModelOptions {
  /** Folder that plays the role of `MODEL_DIR`; the model goes to `<modelDir>/<modelId>/`. */
  readonly modelDir: string;
  /** Hub-style id (`owner/name`), so lookup follows the same rules as a real model. @default "verbatim-test/tiny-bert" (`verbatim-test/tiny-bert-qa` for question answering) */
  readonly modelId?: string;
  /** Hidden size: small keeps the file tiny, large enough that unrelated words stay nearly orthogonal. @default 32 */
  readonly dimension?: number;
  /** Weight seed; change it to get a different but equally deterministic model. @default 1234 */
  readonly seed?: number;
  /** `question-answering` writes the first-number reader described above instead of an embedder. @default "feature-extraction" */
  readonly task?: 'feature-extraction' | 'question-answering';
}

/**
 * Writes config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx (under 100 KB in total) in the layout
 * an offline user would copy in, and that transformers.js writes when it caches a download.
 */
export async function writeTinyModel(options: WriteTinyModelOptions): Promise<TinyModel> {
  const task = options.task ?? 'feature-extraction';
  const modelId = options.modelId ?? (task === 'question-answering' ? 'verbatim-test/tiny-bert-qa' : 'verbatim-test/tiny-bert');
  const dimension = options.dimension ?? 32;
  const vocabulary = buildVocabulary();
  const modelPath = path.join(options.modelDir, ...modelId.split('/'));
  const config = {
    architectures: [task === 'question-answering' ? 'BertForQuestionAnswering' : 'BertModel'],
    model_type: 'bert',
    hidden_size: dimension,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    intermediate_size: dimension * 4,
    hidden_act: 'gelu',
    max_position_embeddings: 512,
    type_vocab_size: 2,
    vocab_size: vocabulary.length,
    pad_token_id: 0,
    layer_norm_eps: 1e-12,
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    clean_up_tokenization_spaces: true,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  };
  const contents: Record<string, string | Uint8Array> = {
    'config.json': JSON.stringify(config, null, 2),
    'tokenizer.json': JSON.stringify(buildTokenizerJson(vocabulary)),
    'tokenizer_config.json': JSON.stringify(tokenizerConfig, null, 2),
    'onnx/model.onnx': task === 'question-answering' ? buildQuestionAnsweringModel(vocabulary) : buildOnnxModel(vocabulary, dimension, options.seed ?? 1234),
  };
  for (const [file, data] of Object.entries(contents)) {
    const target = path.join(modelPath, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data);
  }
  return { modelDir: options.modelDir, modelId, modelPath, files: Object.keys(contents), dimension, vocabulary };
}
