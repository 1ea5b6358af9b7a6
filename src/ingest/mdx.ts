import type MarkdownIt from 'markdown-it';
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';

/**
 * MDX read as Markdown (Docusaurus, Nextra, Mintlify and Hugging Face course pages): a markdown-it
 * plugin, so code fences and code spans stay exactly as Markdown reads them, and only what MDX
 * adds is recognised where Markdown would look for HTML or a paragraph:
 * - `import` / `export` statements at the top level are dropped;
 * - JSX component tags (`<Tip>`, `<Youtube id="…" />`, a `<Banner notebooks={[…]} />` over many
 *   lines) are dropped, the text between an opening and a closing tag is kept and read as Markdown;
 * - flow expressions (`{/* comment *\/}`, and the `{#if fw === 'pt'}` / `{:else}` / `{/if}` markers
 *   of framework switches, whose branches are both kept) are dropped, as are inline comments;
 * - `[[anchor]]` heading ids are removed from headings.
 * Real-world MDX is often not strict MDX (unclosed `<img>`, `<br>`): lowercase tags stay HTML,
 * read by the HTML reader as in Markdown. Tags are scanned left to right, never twice: after a
 * failed scan the scanner resumes where that scan stopped, so any input is read in linear time.
 */
export function mdxPlugin(md: MarkdownIt): void {
  md.block.ruler.before('code', 'mdx_esm', esmBlock);
  md.block.ruler.before('html_block', 'mdx_jsx_flow', jsxFlow, { alt: ['paragraph', 'reference', 'blockquote'] });
  md.block.ruler.before('html_block', 'mdx_expression_flow', expressionFlow, { alt: ['paragraph', 'reference', 'blockquote'] });
  md.inline.ruler.before('html_inline', 'mdx_jsx_inline', jsxInline);
  md.inline.ruler.before('html_inline', 'mdx_comment_inline', commentInline);
  md.core.ruler.after('block', 'mdx_heading_ids', stripHeadingIds);
}

/** Where a scan starting before this position already failed: nothing there is tried again. */
interface ScanFrontier {
  mdxFrontier?: number;
  /** The same for inline comments, whose end is searched for separately. */
  mdxCommentFrontier?: number;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isUpper(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}

function isNameStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x24;
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e || code === 0x3a;
}

/** The outcome of a scan: where the construct ends (exclusive), or how far the failed scan read. */
type Scan = { ok: true; end: number } | { ok: false; reached: number };

/**
 * A JSX tag of a component at `pos` (`<Name …>`, `<Name … />`, `</Name>`, `<>` or `</>`); lower-case
 * names are HTML and left to the HTML reader. Attribute values are strings or braced expressions.
 */
export function scanComponentTag(src: string, pos: number, max: number): Scan {
  let i = pos + 1;
  const fail = (): Scan => ({ ok: false, reached: Math.max(i, pos + 1) });
  if (src.charCodeAt(pos) !== LT || i >= max) return fail();
  let closing = false;
  if (src.charCodeAt(i) === SLASH) {
    closing = true;
    i++;
  }
  if (src.charCodeAt(i) === GT) return { ok: true, end: i + 1 }; // a fragment, <> or </>
  if (!isUpper(src.charCodeAt(i))) return fail();
  while (i < max && isNameChar(src.charCodeAt(i))) i++;
  for (;;) {
    const before = i;
    while (i < max && isSpace(src.charCodeAt(i))) i++;
    if (i >= max) return fail();
    const code = src.charCodeAt(i);
    if (code === GT) return { ok: true, end: i + 1 };
    if (code === SLASH && !closing) {
      i++;
      while (i < max && isSpace(src.charCodeAt(i))) i++;
      return src.charCodeAt(i) === GT ? { ok: true, end: i + 1 } : fail();
    }
    if (closing || i === before) return fail(); // attributes need a space before them; closing tags have none
    if (code === OPEN_BRACE) {
      const spread = scanExpression(src, i, max);
      if (!spread.ok) return { ok: false, reached: spread.reached };
      i = spread.end;
      continue;
    }
    if (!isNameStart(code)) return fail();
    while (i < max && isNameChar(src.charCodeAt(i))) i++;
    let j = i;
    while (j < max && isSpace(src.charCodeAt(j))) j++;
    if (src.charCodeAt(j) !== 0x3d) continue; // a boolean attribute
    j++;
    while (j < max && isSpace(src.charCodeAt(j))) j++;
    const value = src.charCodeAt(j);
    if (value === 0x22 || value === 0x27) {
      const close = src.indexOf(src[j]!, j + 1);
      if (close < 0 || close >= max) return { ok: false, reached: max };
      i = close + 1;
    } else if (value === OPEN_BRACE) {
      const expression = scanExpression(src, j, max);
      if (!expression.ok) return { ok: false, reached: expression.reached };
      i = expression.end;
    } else {
      i = j;
      return fail();
    }
  }
}

/**
 * A braced JavaScript expression at `pos`: braces counted outside strings, template literals and
 * comments, which may hold any brace.
 */
export function scanExpression(src: string, pos: number, max: number): Scan {
  let depth = 0;
  let i = pos;
  while (i < max) {
    const ch = src[i]!;
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return { ok: true, end: i + 1 };
    } else if (ch === '"' || ch === "'" || ch === '`') {
      i = endOfString(src, i, max);
      if (i < 0) return { ok: false, reached: max };
      continue;
    } else if (ch === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      if (close < 0 || close + 2 > max) return { ok: false, reached: max };
      i = close + 2;
      continue;
    } else if (ch === '/' && src[i + 1] === '/') {
      const eol = src.indexOf('\n', i);
      i = eol < 0 || eol > max ? max : eol;
      continue;
    }
    i++;
  }
  return { ok: false, reached: max };
}

/** The position after the string starting at `pos` (its quote), or -1 when it does not end. */
function endOfString(src: string, pos: number, max: number): number {
  const quote = src[pos]!;
  for (let i = pos + 1; i < max; i++) {
    const ch = src[i]!;
    if (ch === '\\') i++;
    else if (ch === quote) return i + 1;
    // A line break ends an unterminated '…' or "…": an apostrophe in prose is no string.
    else if (ch === '\n' && quote !== '`') return -1;
  }
  return -1;
}

function lineStart(state: StateBlock, line: number): number {
  return state.bMarks[line]! + state.tShift[line]!;
}

/** The line holding position `pos`, from `line` on; -1 past `endLine`. */
function lineOf(state: StateBlock, pos: number, line: number, endLine: number): number {
  for (let l = line; l < endLine; l++) if (pos <= state.eMarks[l]!) return l;
  return -1;
}

function onlySpaceBetween(src: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(src.charCodeAt(i))) return false;
  return true;
}

/**
 * Consumes lines that hold only constructs `scan` accepts (one or more, with spaces between) and
 * pushes one token of `type`, which the Markdown walker skips: tags and expressions are not text.
 */
function flowConstruct(
  state: StateBlock & ScanFrontier,
  startLine: number,
  endLine: number,
  silent: boolean,
  type: string,
  startsHere: (code: number, pos: number) => boolean,
  scan: (pos: number) => Scan,
): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  let pos = lineStart(state, startLine);
  if (!startsHere(state.src.charCodeAt(pos), pos) || pos < (state.mdxFrontier ?? 0)) return false;
  let end = -1;
  let line = startLine;
  for (;;) {
    const result = scan(pos);
    if (!result.ok) {
      state.mdxFrontier = result.reached;
      return false;
    }
    end = result.end;
    line = lineOf(state, end, startLine, endLine);
    if (line < 0) return false;
    let next = end;
    while (next < state.eMarks[line]! && isSpace(state.src.charCodeAt(next))) next++;
    if (next >= state.eMarks[line]!) break;
    // Text after the construct on its line: a paragraph holding inline JSX, read by the inline rule.
    if (!startsHere(state.src.charCodeAt(next), next)) return false;
    pos = next;
  }
  if (!onlySpaceBetween(state.src, end, state.eMarks[line]!)) return false;
  if (silent) return true;
  const token = state.push(type, '', 0);
  token.map = [startLine, line + 1];
  token.content = state.src.slice(lineStart(state, startLine), end);
  state.line = line + 1;
  return true;
}

function jsxFlow(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const src = state.src;
  return flowConstruct(
    state,
    startLine,
    endLine,
    silent,
    'mdx_jsx',
    (code, pos) => code === LT && startsComponentTag(src, pos),
    (pos) => scanComponentTag(src, pos, src.length),
  );
}

function expressionFlow(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const src = state.src;
  return flowConstruct(
    state,
    startLine,
    endLine,
    silent,
    'mdx_expression',
    (code) => code === OPEN_BRACE,
    (pos) => scanExpression(src, pos, src.length),
  );
}

function startsComponentTag(src: string, pos: number): boolean {
  const next = src.charCodeAt(pos + 1);
  if (isUpper(next) || next === GT) return true;
  return next === SLASH && (isUpper(src.charCodeAt(pos + 2)) || src.charCodeAt(pos + 2) === GT);
}

/** `import … from '…'`, `import '…'` or `export const|default|function…`: a statement, not prose. */
function looksLikeEsm(line: string): boolean {
  if (line.startsWith('import ')) {
    const rest = line.slice(7).trimStart();
    return rest.startsWith("'") || rest.startsWith('"') || line.includes(' from ');
  }
  if (!line.startsWith('export ')) return false;
  const word = line.slice(7).trimStart().split(/[\s({*]/, 1)[0];
  const rest = line.slice(7).trimStart();
  return ['const', 'let', 'var', 'function', 'class', 'default', 'async'].includes(word ?? '') || rest.startsWith('{') || rest.startsWith('*');
}

/** ESM at the top level: from an import/export line to the next blank line, as MDX reads it. */
function esmBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.level !== 0 || state.blkIndent !== 0 || state.sCount[startLine] !== 0) return false;
  const start = lineStart(state, startLine);
  if (!looksLikeEsm(state.src.slice(start, state.eMarks[startLine]))) return false;
  if (silent) return true;
  let line = startLine + 1;
  while (line < endLine && !state.isEmpty(line)) line++;
  const token = state.push('mdx_esm', '', 0);
  token.map = [startLine, line];
  token.content = state.src.slice(start, state.eMarks[line - 1]);
  state.line = line;
  return true;
}

function jsxInline(state: StateInline & ScanFrontier, silent: boolean): boolean {
  const pos = state.pos;
  if (state.src.charCodeAt(pos) !== LT || !startsComponentTag(state.src, pos) || pos < (state.mdxFrontier ?? 0)) return false;
  const result = scanComponentTag(state.src, pos, state.posMax);
  if (!result.ok) {
    state.mdxFrontier = result.reached;
    return false;
  }
  if (!silent) state.push('mdx_jsx', '', 0).content = state.src.slice(pos, result.end);
  state.pos = result.end;
  return true;
}

/** `{/* … *\/}` inside a paragraph: an MDX comment. Other braces in prose stay text. */
function commentInline(state: StateInline & ScanFrontier, silent: boolean): boolean {
  const pos = state.pos;
  if (state.src.charCodeAt(pos) !== OPEN_BRACE || !state.src.startsWith('/*', pos + 1) || pos < (state.mdxCommentFrontier ?? 0)) return false;
  const close = state.src.indexOf('*/}', pos + 3);
  if (close < 0 || close + 3 > state.posMax) {
    // No comment closes after this one either: none is looked for again.
    state.mdxCommentFrontier = state.posMax;
    return false;
  }
  if (!silent) state.push('mdx_expression', '', 0).content = state.src.slice(pos, close + 3);
  state.pos = close + 3;
  return true;
}

/** "Working with pipelines[[working-with-pipelines]]" → "Working with pipelines". */
function stripHeadingIds(state: StateCore): void {
  const tokens = state.tokens;
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (tokens[i]!.type !== 'heading_open') continue;
    const inline = tokens[i + 1]!;
    const content = inline.content.trimEnd();
    if (!content.endsWith(']]')) continue;
    const open = content.lastIndexOf('[[');
    if (open < 0 || content.slice(open + 2, -2).includes(']')) continue;
    inline.content = content.slice(0, open).trimEnd();
  }
}
