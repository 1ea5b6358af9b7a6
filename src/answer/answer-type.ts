/**
 * What kind of answer a question expects, where a quote can be checked for it. Only figures are
 * told apart: a question asking "how many…", "how long…", "how much does … cost" or "what's the
 * average salary…" is answered by a quote that states a figure of that kind. A quote without one
 * cannot answer it, however well its words match the question: the article on ML careers
 * matches a question on ML salaries in Berlin well, and says nothing of any salary.
 */

/** The figure a question asks for: an amount of money, a span of time (or a length), or any other number. */
export type FigureKind = 'money' | 'duration' | 'count';

/** After "how", these ask for a number of some kind. */
const COUNT_AFTER_HOW = new Set(['many', 'old', 'tall', 'far', 'big', 'large', 'heavy', 'fast']);
/** After "how", these ask for a span: of time ("how long will it last") or of length ("how long should it be"). */
const DURATION_AFTER_HOW = new Set(['long', 'often']);
/**
 * Words that make a question about money: with "how much" or with a statistic ("the average
 * salary"). "How much does it matter" asks for a degree, which prose answers.
 */
const MONEY_WORDS = new Set([
  'cost', 'costs', 'price', 'prices', 'pay', 'paid', 'pays', 'salary', 'salaries', 'earn', 'earns', 'money', 'charge', 'charges',
  'worth', 'fee', 'fees', 'budget', 'spend', 'raised', 'raise', 'wage', 'wages', 'income', 'valued', 'valuation',
]);
const STATISTIC_WORDS = new Set(['average', 'median', 'typical', 'mean']);

/** Numbers written as words; "one" is left out, being mostly no figure at all ("one of the most…"). */
const NUMBER_WORDS = new Set([
  'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen',
  'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty',
  'ninety', 'hundred', 'hundreds', 'thousand', 'thousands', 'million', 'millions', 'billion', 'billions', 'trillion', 'dozen',
  'dozens', 'twice', 'percent',
]);
const CURRENCY_WORDS = new Set(['dollar', 'dollars', 'euro', 'euros', 'pound', 'pounds', 'yen', 'rupees', 'usd', 'eur', 'gbp', 'cents']);
const CURRENCY_SIGNS = new Set(['$', '€', '£', '¥', '₹']);
const SPAN_UNITS = new Set([
  'ms', 'millisecond', 'milliseconds', 'second', 'seconds', 'minute', 'minutes', 'hour', 'hours', 'day', 'days', 'week', 'weeks',
  'month', 'months', 'year', 'years', 'daily', 'weekly', 'monthly', 'yearly', 'annually',
  'page', 'pages', 'word', 'words', 'line', 'lines', 'character', 'characters', 'token', 'tokens', 'sentence', 'sentences',
]);
/** A figure's unit follows it closely: "72 hours", "three more days", "50,000 dollars". */
const UNIT_WINDOW = 3;

function lowerWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

function isNumber(word: string): boolean {
  const code = word.charCodeAt(0);
  return (code >= 48 && code <= 57) || NUMBER_WORDS.has(word);
}

/** The kind of figure the question asks for, or undefined for a question prose answers. */
export function figureAsked(question: string): FigureKind | undefined {
  const words = lowerWords(question);
  const money = words.some((w) => MONEY_WORDS.has(w));
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    if (word === 'how' && next !== undefined) {
      if (next === 'much' && money) return 'money';
      if (DURATION_AFTER_HOW.has(next)) return 'duration';
      if (COUNT_AFTER_HOW.has(next)) return 'count';
    }
    if (STATISTIC_WORDS.has(word) && words.slice(i + 1, i + 3).some((w) => MONEY_WORDS.has(w))) return 'money';
  }
  return undefined;
}

/** Whether a text states a figure of that kind: a number; for money, one with a currency; for a span, one with its unit. */
export function statesFigure(text: string, kind: FigureKind): boolean {
  if (kind === 'money') {
    for (let i = 0; i + 1 < text.length; i++) {
      if (!CURRENCY_SIGNS.has(text[i]!)) continue;
      const after = text[i + 1] === ' ' ? text.charCodeAt(i + 2) : text.charCodeAt(i + 1);
      if (after >= 48 && after <= 57) return true;
    }
  }
  const words = lowerWords(text);
  for (let i = 0; i < words.length; i++) {
    if (!isNumber(words[i]!)) continue;
    if (kind === 'count') return true;
    const units = kind === 'money' ? CURRENCY_WORDS : SPAN_UNITS;
    if (words.slice(i + 1, i + 1 + UNIT_WINDOW).some((w) => units.has(w))) return true;
    // "72h", "3months", "50k$": the unit written onto the number.
    if (kind === 'duration' && /^\d+(ms|s|h|d|w|mo|y|yr|yrs|min|mins|hrs?)$/.test(words[i]!)) return true;
  }
  return false;
}
