import type MarkdownIt from 'markdown-it';
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs';

/** GitHub's alert types: `> [!TIP]` on the first line of a quote marks it as a tip, and is no text of it. */
const ALERT_TYPES = new Set(['NOTE', 'TIP', 'IMPORTANT', 'WARNING', 'CAUTION']);

/**
 * GitHub alerts (`> [!NOTE]`, `> [!TIP]`…): the marker is dropped, the quote's text is kept. Without
 * this every tip's passage would start with the words "[!TIP]".
 */
export function alertMarkers(md: MarkdownIt): void {
  md.core.ruler.after('block', 'alert_markers', (state: StateCore) => {
    const tokens = state.tokens;
    for (let i = 0; i + 2 < tokens.length; i++) {
      if (tokens[i]!.type !== 'blockquote_open' || tokens[i + 1]!.type !== 'paragraph_open') continue;
      const inline = tokens[i + 2]!;
      const content = inline.content;
      if (!content.startsWith('[!')) continue;
      const close = content.indexOf(']');
      if (close < 0 || !ALERT_TYPES.has(content.slice(2, close).toUpperCase())) continue;
      const rest = content.slice(close + 1);
      if (rest !== '' && !rest.startsWith('\n') && !/^[ \t]*\n/.test(rest) && rest.trim() !== '') continue;
      inline.content = rest.replace(/^[ \t]*\n?/, '');
    }
  });
}
