/**
 * The fixed question list `npm run bench` asks of the seed corpus: every answer type the extractive answerer knows
 * (who, when, how many, how much, where, which, why/how, what), paraphrased away from the text, a few questions the
 * document does not answer (abstentions cost a full pass too), and follow-ups that carry the conversation's subject.
 * Latency only: correctness is the eval harness's job (`npm run eval`).
 */
import type { ChatTurn } from '../retrieval/types.js';

/** One benchmark question, with the conversation before it for follow-ups. */
export interface BenchQuestion {
  readonly question: string;
  readonly history?: readonly ChatTurn[];
}

const followUp = (first: string, question: string): BenchQuestion => ({ question, history: [{ role: 'user', content: first }] });

/** 30 questions over `seeds/`. */
export const SEED_BENCH_QUESTIONS: readonly BenchQuestion[] = [
  { question: 'Who introduced the Global Security Initiative?' },
  { question: 'When was the Global Security Initiative launched?' },
  { question: 'What model of security does the GSI contrast with?' },
  { question: 'Which law did Beijing amend in March 2023?' },
  { question: 'Who is the state councillor responsible for public security?' },
  { question: 'How many foreign police officers did China train in 2023?' },
  { question: 'How many more officers does China plan to train by 2025?' },
  { question: 'Where was the Global Public Security Cooperation Forum held?' },
  { question: 'Which research institute studied China’s police training?' },
  { question: 'In which regions does China focus its police training?' },
  { question: 'Which country stopped joint patrols with Chinese police?' },
  { question: 'Why did Italy halt the joint patrols?' },
  { question: 'Which Pacific countries changed their policing agreements with China?' },
  { question: 'Who told a Senate hearing about foreign interference concerns?' },
  { question: 'When did the AFP stop allowing Chinese police to operate in Australia?' },
  { question: 'Which television program exposed the 2019 incident?' },
  { question: 'How old was the resident escorted back to China?' },
  { question: 'What job did the Melbourne man the Chinese police visited in 2014 have?' },
  { question: 'Who is Chen Zhichen?' },
  { question: 'How many MPS officers were named in the indictment?' },
  { question: 'What did the troll farm target?' },
  { question: 'Which website revealed Chen’s link to JIBC?' },
  { question: 'How much money did the program generate for the institute?' },
  { question: 'Which police department gave hands-on training?' },
  { question: 'When was the JIBC program shut down?' },
  followUp('Who is Chen Zhichen?', 'Where did she study?'),
  followUp('What happened at the Justice Institute of British Columbia?', 'Why was it shut down?'),
  { question: 'What is the population of Fiji?' },
  { question: 'Who won the 2018 football world cup?' },
  { question: 'What is the boiling point of mercury?' },
];
