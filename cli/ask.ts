import { describeIssues, historySchema, questionLineSchema, questionSchema } from '../retrieval/ask-input.js';
import { lexicalOnlyMessage } from '../retrieval/embed/open-embedder.js';
import { InputError } from '../retrieval/errors.js';
import { parseJsonLines } from '../retrieval/parse-jsonl.js';
import { readInputFile } from '../retrieval/read-input-file.js';
import { openPipeline } from '../retrieval/open-pipeline.js';
import type { AnswerTrace, AskResult, ChatTurn, FeatureTrace } from '../retrieval/types.js';
// The same wording as the chat page: one sentence per abstention reason, one way to state a confidence.
import { percent } from '../web/src/answer-confidence.js';
import { answerSummaryLines } from '../web/src/answer-summary.js';
import { configFromFlags, parseCommandLine, runCommand } from './cli-runtime.js';

const USAGE = 'npm run ask -- [--index DIR] [--json] [--explain] [--history FILE] "question"  |  npm run ask -- [--index DIR] --json [--explain] --questions FILE.jsonl';

async function readHistory(file: string): Promise<ChatTurn[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readInputFile(file, 'history file'));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`history file ${file} is not JSON: ${(error as Error).message}`);
  }
  const result = historySchema.safeParse(parsed);
  if (!result.success) throw new InputError(`history file ${file} must be a JSON array of {"role":"user"|"assistant","content"}: ${describeIssues(result.error)}`);
  return result.data;
}

/** Reads and validates a whole JSONL file before anything is answered. */
async function readQuestions(file: string) {
  return parseJsonLines(await readInputFile(file, 'questions file'), file, questionLineSchema).map((record) => record.value);
}

/** Feature values, 3 decimals at most, in the trace's order. */
function features(trace: FeatureTrace): string {
  return Object.entries(trace.features)
    .map(([name, value]) => `${name}=${Number(value.toFixed(3))}`)
    .join(', ');
}

/** The trace for people: the gate, then each ranked list best first, with the features behind every score. */
function formatTrace(trace: AnswerTrace): string[] {
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  const lines = ['', 'Explanation:', `Gate: ${percent(trace.gate.probability)}, ${trace.gate.reason ?? 'answered'} (score ${Number(trace.gate.score.toFixed(3))})`, `  ${features(trace.gate)}`];
  if (trace.sentences.length) lines.push('Sentences, best first:');
  trace.sentences.forEach((s, i) => lines.push(`  ${i + 1}. score ${Number(s.score.toFixed(3))}, ${s.docId}, characters ${s.start}–${s.end}: “${flat(s.text)}”`, `     ${features(s)}`));
  if (trace.shortAnswers.length) lines.push('Short-answer candidates, best first:');
  trace.shortAnswers.forEach((c, i) => lines.push(`  ${i + 1}. ${percent(c.probability)} “${flat(c.text)}”, characters ${c.start}–${c.end}`, `     ${features(c)}`));
  return lines;
}

/**
 * The answer for people. The short answer is printed only when it is confident: an unconfident one is left to
 * `--json` rather than presented as the answer, because it is wrong often enough to mislead.
 */
function formatForPeople(result: AskResult): string {
  const lines = answerSummaryLines(result);
  if (result.citations.length) {
    lines.push('', 'Sources:');
    for (const c of result.citations) lines.push(`[${c.n}] ${c.docId}, ${c.page !== undefined ? `p. ${c.page}, ` : ''}characters ${c.start}–${c.end}: “${c.quote}”`);
  } else if (result.abstained && result.passages.length) {
    lines.push('', 'Closest passages:');
    for (const p of result.passages.slice(0, 3)) lines.push(`- ${p.docId}, characters ${p.start}–${p.end}: “${p.text.slice(0, 160).replace(/\s+/g, ' ')}…”`);
  }
  lines.push(...formatGeneration(result));
  if (result.trace) lines.push(...formatTrace(result.trace));
  return `${lines.join('\n')}\n`;
}

/** What a generative answerer adds: the sentences it could not verify (never shown as cited), or why it fell back. */
function formatGeneration(result: AskResult): string[] {
  const generation = result.generation;
  if (!generation) return [];
  const lines: string[] = [];
  if (generation.fallback) lines.push('', `Note: the language model's answer is not shown (${generation.fallback.code}): ${generation.fallback.message}`);
  const unverified = generation.fallback ? [] : generation.sentences.filter((s) => s.status !== 'verified');
  if (unverified.length) {
    lines.push('', 'Not verified (the model wrote these, but the cited passages do not hold them):');
    for (const s of unverified) lines.push(`- “${s.text}” (${s.status}: ${s.reason ?? 'not checked'})`);
  }
  return lines;
}

await runCommand(async () => {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    { json: { type: 'boolean' }, explain: { type: 'boolean' }, history: { type: 'string' }, questions: { type: 'string' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return;
  }
  const config = configFromFlags(values);
  const batch = values.questions ? await readQuestions(values.questions) : null;
  let single: { question: string; history: ChatTurn[] } | null = null;
  if (!batch) {
    const parsed = questionSchema.safeParse(positionals.join(' '));
    if (!parsed.success) throw new InputError(`${describeIssues(parsed.error)}: pass the question as an argument\nusage: ${USAGE}`);
    single = { question: parsed.data, history: values.history ? await readHistory(values.history) : [] };
  } else if (positionals.length) {
    throw new InputError(`give either --questions FILE or a question, not both\nusage: ${USAGE}`);
  }

  const explain = values.explain === true ? { explain: true } : {};
  const { pipeline } = await openPipeline({ config });
  try {
    if (pipeline.status.lexicalReason) process.stderr.write(`${lexicalOnlyMessage(pipeline.status.lexicalReason)}\n`);
    if (batch) {
      for (const line of batch) {
        const result = await pipeline.ask({ id: line.id, question: line.question, history: line.history, ...explain });
        process.stdout.write(`${JSON.stringify(result)}\n`);
      }
      return;
    }
    const result = await pipeline.ask({ ...single!, ...explain });
    process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : formatForPeople(result));
  } finally {
    await pipeline.close();
  }
});
