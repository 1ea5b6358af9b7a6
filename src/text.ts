/**
 * Cutting text to a length without breaking what a reader sees as one character: a cut never
 * lands inside a surrogate pair (half an emoji) or a grapheme cluster (a flag, a family emoji,
 * a letter with its combining accent).
 */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest prefix of `text` made of whole graphemes whose length (UTF-16 units, which is never
 * less than what Discord or SQLite count) is at most `max`. Reads only as far as the cut.
 */
export function graphemePrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/**
 * Orders strings by their UTF-16 code units (as `sort()` does with no comparator): the same order
 * on every machine. `localeCompare` follows the process's locale (LANG), so what it orders (and
 * anything hashed in that order) would change with the shell or service that runs the bot.
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
