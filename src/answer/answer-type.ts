/**
 * What kind of answer a question expects, where a quote can be checked for it. Only one kind is
 * told apart: a figure ("how many…", "how long…", "how much does … cost", "what's the average
 * salary…"). A quote without any number cannot give a figure, however well its words match the
 * question: the article on ML careers matches a question on ML salaries in Berlin well, and says
 * nothing of any salary.
 */

/** After "how", these ask for a figure by themselves. */
const FIGURE_AFTER_HOW = new Set(['many', 'long', 'old', 'tall', 'far', 'often', 'big', 'large', 'heavy', 'fast']);
/**
 * "How much" asks for a figure when the question is about money or a quantity of something; "how
 * much does it matter" asks for a degree, which prose answers.
 */
const MONEY_WORDS = new Set([
  'cost', 'costs', 'price', 'prices', 'pay', 'paid', 'pays', 'salary', 'salaries', 'earn', 'earns', 'money', 'charge', 'charges',
  'worth', 'fee', 'fees', 'budget', 'spend', 'raised', 'raise', 'wage', 'wages', 'income', 'valued', 'valuation',
]);
/** "average", "median", "typical" before one of MONEY_WORDS: a figure too. */
const STATISTIC_WORDS = new Set(['average', 'median', 'typical', 'mean']);
/** Numbers written as words; "one" is left out, being mostly no figure at all ("one of the most…"). */
const NUMBER_WORDS = new Set([
  'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen',
  'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty',
  'ninety', 'hundred', 'hundreds', 'thousand', 'thousands', 'million', 'millions', 'billion', 'billions', 'trillion', 'dozen',
  'dozens', 'twice', 'percent',
]);

function lowerWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

/** Whether the question asks for a figure (a count, an amount of money, a duration, a size). */
export function asksForFigure(question: string): boolean {
  const words = lowerWords(question);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === 'how') {
      const next = words[i + 1];
      if (next !== undefined && FIGURE_AFTER_HOW.has(next)) return true;
      if (next === 'much' && words.some((w) => MONEY_WORDS.has(w))) return true;
    }
    if (STATISTIC_WORDS.has(word) && words.slice(i + 1, i + 3).some((w) => MONEY_WORDS.has(w))) return true;
  }
  return false;
}

/** Whether a text states any figure: a digit, or a number written as a word. */
export function statesFigure(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) return true;
  }
  return lowerWords(text).some((w) => NUMBER_WORDS.has(w));
}
