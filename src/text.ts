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
