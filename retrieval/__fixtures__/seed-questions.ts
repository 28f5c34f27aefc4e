import type { ChatTurn } from '../types.js';

/**
 * Acceptance questions over the seed corpus (`seeds/000_4434d9e95f18ffce.txt`), worded differently from
 * the source so that they test retrieval and extraction rather than string matching.
 */

/** The seed document every question is about, as its id relative to `seeds/`. */
export const SEED_DOC_ID = '000_4434d9e95f18ffce.txt';

/** A question the documents answer. */
export interface SeedQuestion {
  readonly question: string;
  /** Any one of these must appear in the answer text. */
  readonly expected: readonly string[];
  /** A verbatim fragment of the source that one citation's quote must contain. */
  readonly evidence: string;
  /** Earlier turns, for follow-up questions. */
  readonly history?: readonly ChatTurn[];
}

/** A plausible, on-topic question the documents do not answer: the answerer must abstain. */
export interface UnanswerableSeedQuestion {
  readonly question: string;
  readonly history?: readonly ChatTurn[];
}

const chenTurns: readonly ChatTurn[] = [
  { role: 'user', content: 'Who is Chen Zhichen?' },
  {
    role: 'assistant',
    content:
      'Chen Zhichen was criminally charged in the United States for allegedly leading an online network that harassed Chinese nationals living in America who opposed the Chinese Communist Party (CCP). [1]',
  },
];

/** Answerable questions: numbers, dates, people, organisations, places, reasons, lists and follow-ups. */
export const seedQuestions: readonly SeedQuestion[] = [
  // Numbers and amounts
  { question: 'How many foreign police officers did China train in 2023?', expected: ['2,700'], evidence: 'China had trained 2,700 foreign law enforcement officers in 2023' },
  { question: 'How many additional officers does Beijing intend to train by 2025?', expected: ['3,000'], evidence: 'plans to train 3,000 more by 2025' },
  { question: 'How many MPS officers were named in the indictment?', expected: ['34'], evidence: 'a broader indictment against 34 officers' },
  { question: 'How much money did the police academy program bring in for JIBC?', expected: ['$3.3 million'], evidence: 'generating $3.3 million for the institute' },
  { question: 'How old was the Australian resident that Chinese officers escorted back?', expected: ['59'], evidence: 'escorted a 59-year-old Australian resident back to China' },
  { question: 'How many Chinese police academies took part in the JIBC program?', expected: ['over a dozen'], evidence: 'welcomed over a dozen Chinese police academies' },
  // Dates
  { question: 'In which year was the Global Security Initiative launched?', expected: ['2022'], evidence: 'In 2022, President Xi Jinping introduced the Global Security Initiative' },
  { question: 'When did Beijing change its Organic Law of the State Council?', expected: ['March 2023'], evidence: 'In March 2023, Beijing amended its Organic Law of the State Council' },
  { question: 'When did Italy stop its joint patrols with Chinese police?', expected: ['December 2022'], evidence: 'In December 2022, Italy halted joint patrols with Chinese police' },
  { question: 'After which month did the AFP discontinue the policy on Chinese police visits?', expected: ['June 2019'], evidence: 'the policy was discontinued after June 2019' },
  { question: 'In what year did Chinese police enter Australia without announcing themselves?', expected: ['2014'], evidence: 'following a 2014 incident where Chinese police entered Australia unannounced' },
  { question: 'When was the former JIBC student charged in the United States?', expected: ['April 2023'], evidence: 'In April 2023, a former student of a contentious international police training program' },
  { question: 'When was the police academy program shut down over security worries?', expected: ['2021'], evidence: 'led to its shutdown in 2021' },
  { question: 'During which years did JIBC host Chinese police academies?', expected: ['2014 and 2020'], evidence: 'between 2014 and 2020' },
  // People
  { question: 'Which Chinese leader launched the GSI?', expected: ['Xi Jinping'], evidence: 'President Xi Jinping introduced the Global Security Initiative' },
  { question: "Who serves as China's public security minister?", expected: ['Wang Xiaohong'], evidence: 'Wang Xiaohong, state councillor and public security minister' },
  { question: 'Which AFP deputy commissioner called the 2019 case a turning point?', expected: ['Ian McCartney'], evidence: 'AFP Deputy Commissioner Ian McCartney described the 2019 case as a turning point' },
  { question: 'Which criminologist warned that recruits could use their certificates for immigration?', expected: ['Rob Gordon'], evidence: 'Simon Fraser University criminologist Rob Gordon' },
  { question: 'Whom did Chinese police try to persuade to go back to China in 2014?', expected: ['Melbourne bus driver'], evidence: 'to convince a Melbourne bus driver to return to China' },
  { question: 'Who is Chen Zhichen?', expected: ['MPS First Bureau', 'criminally charged'], evidence: 'criminally charged in the United States' },
  // Organisations
  { question: 'Which think tank published the research paper on Chinese police training?', expected: ['International Institute for Strategic Studies'], evidence: 'A research paper by the International Institute for Strategic Studies' },
  { question: 'Which agency told a Senate hearing it changed how it cooperates with Chinese police?', expected: ['Australian Federal Police', 'AFP'], evidence: 'the Australian Federal Police (AFP) informed a Senate hearing' },
  { question: 'Which television program exposed the 2019 incident?', expected: ['Four Corners'], evidence: 'exposed by ABC’s Four Corners program' },
  { question: 'Which website uncovered the link between Chen and JIBC?', expected: ['Found in Translation'], evidence: 'revealed by the Found in Translation Substack website' },
  { question: 'Which police force gave the JIBC recruits hands-on training?', expected: ['Vancouver Police Department'], evidence: 'hands-on police training from the Vancouver Police Department' },
  { question: 'Which bureau of the Ministry of Public Security was Chen a member of?', expected: ['First Bureau'], evidence: 'a member of the MPS First Bureau' },
  { question: 'Through which Thai newspaper was the South China Morning Post report republished?', expected: ['Bangkok Post'], evidence: 'By South China Morning Post via Bangkok Post' },
  // Places
  { question: 'Where was the Global Public Security Cooperation Forum held?', expected: ['eastern China'], evidence: 'At the Global Public Security Cooperation Forum in eastern China' },
  { question: 'In which regions does China focus its police training, according to the IISS?', expected: ['Africa and Latin America'], evidence: 'including Africa and Latin America' },
  // Reasons
  { question: 'Why did Italy end the joint patrols with Chinese police?', expected: ['service stations', 'pressure expatriates'], evidence: 'Beijing used “service stations” to pressure expatriates to return to China' },
  { question: 'Why did Papua New Guinea and Fiji revise their policing deals with China?', expected: ['concerns raised by Australia'], evidence: 'due to concerns raised by Australia and other stakeholders' },
  { question: 'Why was the program shut down in 2021?', expected: ['national security risks'], evidence: 'Concerns about the program’s potential national security risks led to its shutdown' },
  { question: 'Why was the Organic Law of the State Council amended?', expected: ['greater diplomatic responsibilities'], evidence: 'to require state councillors to take on greater diplomatic responsibilities' },
  // What / which phrases and lists
  { question: 'What kind of security does the GSI promote?', expected: ['indivisible security'], evidence: 'advocating for “indivisible security”' },
  { question: 'Which security model of the American alliance network does the GSI contrast with?', expected: ['collective security'], evidence: 'the “collective security” model of the U.S. alliance network' },
  { question: 'What online operation targeting dissidents did Chen allegedly orchestrate?', expected: ['troll farm'], evidence: 'Chen was accused of orchestrating an online “troll farm”' },
  { question: 'Which countries did Wang Xiaohong engage with to boost law enforcement cooperation?', expected: ['New Zealand, Finland, and Iran'], evidence: 'New Zealand, Finland, and Iran' },
  { question: 'Which countries changed their policing agreements with China?', expected: ['Papua New Guinea and Fiji'], evidence: 'Papua New Guinea and Fiji have adjusted their policing agreements' },
  { question: 'What does the GSI Concept Paper lack a commitment to?', expected: ['security guarantor'], evidence: 'lacks any commitment to act as a security guarantor' },
  { question: 'What topic did coursework in the JIBC program cover?', expected: ['Canadian judicial system'], evidence: 'coursework on the Canadian judicial system' },
  // Follow-ups
  { question: 'Where did she study?', history: chenTurns, expected: ['JIBC', 'Justice Institute of British Columbia'], evidence: 'Justice Institute of British Columbia' },
  {
    question: 'What about Papua New Guinea?',
    history: [
      { role: 'user', content: 'Why did Italy halt joint patrols with Chinese police?' },
      { role: 'assistant', content: 'In December 2022, Italy halted joint patrols with Chinese police following allegations that Beijing used “service stations” to pressure expatriates to return to China. [1]' },
    ],
    expected: ['concerns raised by Australia'],
    evidence: 'due to concerns raised by Australia',
  },
  {
    question: 'And how many by 2025?',
    history: [
      { role: 'user', content: 'How many foreign law enforcement officers did China train in 2023?' },
      { role: 'assistant', content: 'Wang announced that China had trained 2,700 foreign law enforcement officers in 2023 and plans to train 3,000 more by 2025, with consultants deployed to countries in need. [1]' },
    ],
    expected: ['3,000'],
    evidence: 'plans to train 3,000 more by 2025',
  },
  {
    question: 'Why did it stop allowing those visits?',
    history: [
      { role: 'user', content: 'Which agency ended a policy that let Chinese police operate in Australia?' },
      { role: 'assistant', content: 'The AFP revealed to the parliamentary hearing it had ended a policy allowing Chinese police to operate in Australia following a 2019 incident exposed by ABC’s Four Corners program. [1]' },
    ],
    expected: ['foreign interference'],
    evidence: 'increasing risk of foreign interference',
  },
  {
    question: 'How much money did that program generate?',
    history: [
      ...chenTurns,
      { role: 'user', content: 'Where did she study?' },
      { role: 'assistant', content: 'Chen attended JIBC as part of a program that welcomed over a dozen Chinese police academies between 2014 and 2020, generating $3.3 million for the institute. [1]' },
    ],
    expected: ['$3.3 million'],
    evidence: 'generating $3.3 million for the institute',
  },
  {
    question: 'What did he announce at the forum?',
    history: [
      { role: 'user', content: 'Who is the state councillor in charge of public security?' },
      { role: 'assistant', content: 'Since then, Wang Xiaohong, state councillor and public security minister, has been actively engaging with international counterparts. [1]' },
    ],
    expected: ['2,700'],
    evidence: 'Wang announced that China had trained 2,700 foreign law enforcement officers',
  },
];

/** Plausible questions on the same topics that the seed document does not answer. */
export const unanswerableSeedQuestions: readonly UnanswerableSeedQuestion[] = [
  { question: 'What is the annual budget of the Ministry of Public Security?' },
  { question: 'How many Chinese police service stations operated in Italy?' },
  { question: 'When did New Zealand sign a policing agreement with China?' },
  { question: 'What is the population of Fiji?' },
  { question: 'How much did Australia pay for the Four Corners investigation?' },
  { question: "When will Chen Zhichen's trial begin?" },
  { question: 'How many troll farm accounts did Chen operate?' },
  { question: 'In what year did Rob Gordon join Simon Fraser University?' },
];
