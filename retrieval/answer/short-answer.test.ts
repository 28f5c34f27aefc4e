import { describe, expect, it } from 'vitest';
import { createNlpTools } from './nlp.js';
import { analyzeQuestion } from './question-analysis.js';
import { buildTermGroups, scoreSentences } from './sentence-scoring.js';
import { createSentenceSplitter } from './sentences.js';
import { createTermNormalizer } from './terms.js';

const tools = createNlpTools();
const normalizer = createTermNormalizer(tools);
const splitter = createSentenceSplitter(tools, normalizer);

/** The short answer the scorer picks for the best sentence of `text`. */
function shortAnswer(question: string, text: string): string | null {
  const analysis = analyzeQuestion(question, normalizer);
  const sentences = splitter.split({ docId: 'd', text, offset: 0 });
  const [best] = scoreSentences(
    sentences.map((sentence) => ({ sentence, passageRank: 0 })),
    { analysis, groups: buildTermGroups(analysis, [], normalizer) },
  );
  const candidate = best?.best ?? null;
  if (candidate) expect(best!.sentence.text.includes(candidate.text)).toBe(true);
  return candidate?.text ?? null;
}

const WANG = 'At the Global Public Security Cooperation Forum in eastern China last September, Wang announced that China had trained 2,700 foreign law enforcement officers in 2023 and plans to train 3,000 more by 2025, with consultants deployed to countries in need.';

describe('short answers', () => {
  it('picks the number nearest the matched terms, not a question term', () => {
    expect(shortAnswer('How many foreign police officers did China train in 2023?', WANG)).toBe('2,700');
    expect(shortAnswer('How many additional officers does Beijing intend to train by 2025?', WANG)).toBe('3,000');
  });

  it('picks dates, money and people', () => {
    expect(shortAnswer('When did Beijing amend the Organic Law?', 'In March 2023, Beijing amended its Organic Law of the State Council to require state councillors to take on greater diplomatic responsibilities.')).toBe('March 2023');
    expect(shortAnswer('How much money did the program generate?', 'Chen attended JIBC as part of a program that welcomed over a dozen Chinese police academies between 2014 and 2020, generating $3.3 million for the institute.')).toBe('$3.3 million');
    expect(shortAnswer('Who introduced the Global Security Initiative?', 'In 2022, President Xi Jinping introduced the Global Security Initiative (GSI), advocating for “indivisible security”.')).toMatch(/Xi Jinping$/);
  });

  it('answers with the name a possessive description is in apposition to', () => {
    const text = 'The theatre complex also included Momus, Warsaw\'s first literary cabaret, and Leon Schiller\'s musical theatre Melodram.';
    expect(shortAnswer("What was Warsaw's first literary cabaret?", text)).toBe('Momus');
  });

  it('does not take a sentence-opening preposition for a name', () => {
    expect(shortAnswer('What sea did the empire reach by 1227?', 'Contrary to popular belief, the empire reached the sea by 1227.')).not.toBe('Contrary');
  });

  it('does not take a framing "In addition," for a place', () => {
    const text = 'In addition, the Hyde Park Day School maintains a location on the University of Chicago campus.';
    expect(shortAnswer('Where is the Hyde Park Day School located?', text)).toBe('University of Chicago');
  });

  it('answers "how old" with the age a date "… ago" states', () => {
    const text = 'Fossils thought to represent ctenophores have been found as far back as the early Cambrian, about 515 million years ago.';
    expect(shortAnswer('How old are the fossils that represent ctenophores?', text)).toBe('515 million years');
    expect(shortAnswer('How long ago did the fossils that represent ctenophores form?', text)).toBe('515 million years ago');
  });

  it('answers "what year" with the year alone', () => {
    expect(shortAnswer('What year did Tesla die?', 'Tesla died on 7 January 1943 in New York City.')).toBe('1943');
  });

  it('answers a plural question with the whole list', () => {
    expect(shortAnswer('Which countries adjusted their policing agreements with China?', 'Similarly, Papua New Guinea and Fiji have adjusted their policing agreements with China due to concerns raised by Australia and other stakeholders.')).toBe('Papua New Guinea and Fiji');
  });

  it('answers "why" with the causal clause', () => {
    expect(shortAnswer('Why did Papua New Guinea and Fiji adjust their agreements?', 'Similarly, Papua New Guinea and Fiji have adjusted their policing agreements with China due to concerns raised by Australia and other stakeholders.')).toBe('concerns raised by Australia and other stakeholders');
  });

  it('expands an abbreviation only when asked to', () => {
    const text = 'In 2022, President Xi Jinping introduced the Global Security Initiative (GSI), advocating for “indivisible security”.';
    expect(shortAnswer('What does GSI stand for?', text)).toMatch(/^(the )?Global Security Initiative$/);
    expect(shortAnswer('What kind of security does the GSI advocate?', text)).toBe('indivisible security');
  });

  it('uses the phrase after the preposition the question ends with', () => {
    expect(shortAnswer('In a steam turbine, what are rotors mounted on?', 'A steam turbine consists of one or more rotors (rotating discs) mounted on a drive shaft, alternating with a series of stators (static discs) fixed to the turbine casing.')).toBe('a drive shaft');
  });

  it('keeps a bounding modifier with a figure', () => {
    expect(shortAnswer('How many passengers a year does the rail network carry?', 'The network is operated by DB Regio and carries over 37 million passengers a year.')).toBe('over 37 million');
  });

  it('answers a plural "which years" with both years of a range', () => {
    expect(shortAnswer('During which years was the plague present in Islamic countries?', 'Plague was present in at least one location in the Islamic world virtually every year between 1500 and 1850.')).toBe('1500 and 1850');
  });

  it('answers with a whole range of figures', () => {
    expect(shortAnswer('How long did it take to develop new oil fields?', 'Finding oil and developing new fields usually required five to ten years before significant production.')).toBe('five to ten years');
    expect(shortAnswer('How many people died in Algiers in 1620?', 'Algiers lost 30 to 50 thousand inhabitants to the plague in 1620.')).toBe('30 to 50 thousand');
  });

  it('keeps a question word that is the head of the answer phrase', () => {
    expect(shortAnswer('What are numbers greater than 1 that can be divided by 3 or more numbers called?', 'A natural number greater than 1 that is not a prime number is called a composite number.')).toBe('a composite number');
  });

  it('prefers a name to a common noun phrase for "what" when it sits as close', () => {
    expect(shortAnswer('What gorge is between the Bingen and Bonn?', 'Between Bingen and Bonn, the Middle Rhine flows through the Rhine Gorge, a formation which was created by erosion.')).toBe('Rhine Gorge');
  });

  it('prefers the name an apposition describes ("X, the Y of Z")', () => {
    expect(shortAnswer('Which river is the longest in the region?', 'The Tagus, the longest river in the region, flows west into the Atlantic near Lisbon.')).toBe('Tagus');
  });

  it('answers "what was X" with the complement of the copula after the matched subject', () => {
    expect(shortAnswer('What was the largest employer in the town?', 'By 1890 the largest employer in the town was the mill, owned by the Crossley family of Halifax.')).toBe('the mill');
  });

  it('answers "what was X called/named" with the phrase a naming word introduces', () => {
    expect(shortAnswer('What was the first Internet2 network named?', 'The Internet2 community, in partnership with Qwest, built the first Internet2 Network, called Abilene, in 1998.')).toBe('Abilene');
  });

  it('answers with the example a matched phrase introduces ("such as …")', () => {
    expect(shortAnswer("Which industry's competitive positions were affected?", 'On an international level, the price increases changed competitive positions in many industries, such as automobiles.')).toBe('automobiles');
  });

  it('does not answer with the abbreviation of the name the question asks about', () => {
    expect(shortAnswer('What is Engineering News-Record?', 'Engineering News-Record (ENR) is a trade magazine for the construction industry.')).toBe('a trade magazine');
  });

  it('offers a quoted title whole', () => {
    expect(shortAnswer('What article was published in 1937?', 'For example, in his article, "A Machine to End War", published in 1937, Tesla stated the following.')).toBe('A Machine to End War');
  });

  it('answers a plural question with both listed names, not the first', () => {
    expect(shortAnswer('What countries does Kenya compete with for long distance running?', 'Kenyan athletes continue to dominate the world of distance running, although competition from Morocco and Ethiopia has reduced this supremacy.')).toBe('Morocco and Ethiopia');
  });

  it('skips a phrase that only refers back ("the same measure") for what it refers to', () => {
    expect(shortAnswer('What did the council approve in 2020?', 'In 2020 the council approved the same measure, a ban on plastic bags.')).toBe('a ban');
  });

  it('keeps a repeated head noun when a new word narrows it ("suburban communities")', () => {
    expect(shortAnswer('Southern Californian communities are large, spread-out, and what other characteristic?', 'Much of southern California is famous for its large, spread-out, suburban communities and use of automobiles and highways.')).toBe('suburban communities');
  });

  it("keeps a possessive inside a name (\"European People's Party\")", () => {
    expect(shortAnswer('Which party is currently the largest?', "MEPs divide along political party lines: the conservative European People's Party is currently the largest, and the Party of European Socialists leads the opposition.")).toBe("European People's Party");
  });

  it('answers "who did it" with the agent of a passive ("was kidnapped by the Merkits")', () => {
    expect(shortAnswer('Who kidnapped the bride soon after the wedding?', 'Soon after the wedding of Börte to Temüjin, she was kidnapped by the Merkits and given away as a wife.')).toBe('Merkits');
    expect(shortAnswer('Who halted the advance of the Mongol army?', 'Hulagu destroyed much of Iran and sacked Baghdad, although the advance of his army was halted by the Mamluks of Egypt.')).toBe('Mamluks of Egypt');
  });

  it('gives no short answer to a yes/no question', () => {
    expect(shortAnswer('Did Italy halt joint patrols with Chinese police?', 'In December 2022, Italy halted joint patrols with Chinese police.')).toBeNull();
  });
});
