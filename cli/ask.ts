import { describeIssues, historySchema, questionLineSchema, questionSchema } from '../retrieval/ask-input.js';
import { lexicalOnlyMessage } from '../retrieval/embed/open-embedder.js';
import { InputError } from '../retrieval/errors.js';
import { parseJsonLines } from '../retrieval/parse-jsonl.js';
import { readInputFile } from '../retrieval/read-input-file.js';
import { openPipeline } from '../retrieval/open-pipeline.js';
import type { AskResult, ChatTurn } from '../retrieval/types.js';
import { configFromFlags, parseCommandLine, runCommand } from './cli-runtime.js';

const USAGE = 'npm run ask -- [--index DIR] [--json] [--history FILE] "question"  |  npm run ask -- [--index DIR] --json --questions FILE.jsonl';

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

function formatForPeople(result: AskResult): string {
  const lines = [result.answer];
  if (result.shortAnswer) lines.unshift(`Short answer: ${result.shortAnswer}`, '');
  if (result.citations.length) {
    lines.push('', 'Sources:');
    for (const c of result.citations) lines.push(`[${c.n}] ${c.docId}, characters ${c.start}–${c.end}: “${c.quote}”`);
  } else if (result.abstained && result.passages.length) {
    lines.push('', 'Closest passages:');
    for (const p of result.passages.slice(0, 3)) lines.push(`- ${p.docId}, characters ${p.start}–${p.end}: “${p.text.slice(0, 160).replace(/\s+/g, ' ')}…”`);
  }
  return `${lines.join('\n')}\n`;
}

await runCommand(async () => {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    { json: { type: 'boolean' }, history: { type: 'string' }, questions: { type: 'string' } },
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

  const { pipeline } = await openPipeline({ config });
  try {
    if (pipeline.status.lexicalReason) process.stderr.write(`${lexicalOnlyMessage(pipeline.status.lexicalReason)}\n`);
    if (batch) {
      for (const line of batch) {
        const result = await pipeline.ask({ id: line.id, question: line.question, history: line.history });
        process.stdout.write(`${JSON.stringify(result)}\n`);
      }
      return;
    }
    const result = await pipeline.ask(single!);
    process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : formatForPeople(result));
  } finally {
    await pipeline.close();
  }
});
