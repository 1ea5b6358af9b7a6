import type { Citation } from '../types.ts';
import { CODE_FENCE } from './compose.ts';

/** One quoted piece of an answer and the citation number that follows it. */
export interface QuotedPiece {
  text: string;
  n: number;
}

export interface Misquote extends QuotedPiece {
  problem: 'unknown citation' | 'not in the cited passage' | 'cut inside a word or number';
}

/** Marks an answer line may start with that are the answer's own layout, not the source's words. */
const LINE_PREFIXES = ['• ', '> '];

/**
 * Splits an answer into its quoted pieces: the text before each `[n]` marker, back to the
 * previous marker or the start of the line; code between fences is one piece, whose marker follows
 * the closing fence (brackets inside code are the code's own). Lines without a marker (notes to
 * the reader) quote nothing. A plain scan, linear in the answer's length.
 */
export function quotedPieces(answer: string): QuotedPiece[] {
  const pieces: QuotedPiece[] = [];
  const lines = answer.split('\n');
  for (let k = 0; k < lines.length; k++) {
    let line = lines[k]!;
    if (line === CODE_FENCE) {
      let close = k + 1;
      while (close < lines.length && !lines[close]!.startsWith(CODE_FENCE)) close++;
      if (close < lines.length) {
        const marker = lines[close]!.slice(CODE_FENCE.length).trim();
        const n = /^\[\d+\]$/.test(marker) ? Number(marker.slice(1, -1)) : undefined;
        if (n !== undefined) pieces.push({ text: lines.slice(k + 1, close).join('\n'), n });
        k = close;
        continue;
      }
    }
    for (const prefix of LINE_PREFIXES) if (line.startsWith(prefix)) line = line.slice(prefix.length);
    let pieceStart = 0;
    let i = 0;
    while (i < line.length) {
      if (line[i] !== '[') {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < line.length && line[j]! >= '0' && line[j]! <= '9') j++;
      if (j > i + 1 && line[j] === ']') {
        pieces.push({ text: line.slice(pieceStart, i).trim(), n: Number(line.slice(i + 1, j)) });
        pieceStart = j + 1;
        i = j + 1;
      } else {
        i++;
      }
    }
  }
  return pieces.filter((p) => p.text !== '');
}

const isSpace = (ch: string | undefined) => ch !== undefined && /\s/u.test(ch);
const OPENERS = new Set(['(', '[', '"', "'", '“', '‘', '*', '_']);
const CLOSERS = new Set([')', ']', '"', "'", '”', '’', '.', ',', ';', ':', '!', '?', '*', '_']);

/**
 * A piece starts and ends on a word boundary when the source has whitespace (or its edge) on
 * both sides, allowing one punctuation mark between: "18.83%" cut to "83%" fails, because the
 * character before "83%" is a "." that is not preceded by a space.
 */
function onWordBoundaries(source: string, start: number, end: number): boolean {
  const before = source[start - 1];
  const startOk = start === 0 || isSpace(before) || (OPENERS.has(before!) && (start === 1 || isSpace(source[start - 2])));
  const after = source[end];
  const endOk = end === source.length || isSpace(after) || (CLOSERS.has(after!) && (end + 1 === source.length || isSpace(source[end + 1])));
  return startOk && endOk;
}

/** Every occurrence of `piece` in `source`, checked for boundaries, until one qualifies. */
function quotedAt(source: string, piece: string): 'ok' | 'absent' | 'cut' {
  let from = 0;
  let seen = false;
  for (;;) {
    const at = source.indexOf(piece, from);
    if (at < 0) return seen ? 'cut' : 'absent';
    seen = true;
    if (onWordBoundaries(source, at, at + piece.length)) return 'ok';
    from = at + 1;
  }
}

/**
 * The pieces of an answer that are not the cited passage's own words, whole: the promise of an
 * extractive answer is that nothing here is ever non-empty.
 */
export function findMisquotes(answer: string, citations: readonly Citation[]): Misquote[] {
  const byNumber = new Map(citations.map((c) => [c.n, c.text]));
  const problems: Misquote[] = [];
  for (const piece of quotedPieces(answer)) {
    const source = byNumber.get(piece.n);
    if (source === undefined) {
      problems.push({ ...piece, problem: 'unknown citation' });
      continue;
    }
    const where = quotedAt(source, piece.text);
    if (where === 'absent') problems.push({ ...piece, problem: 'not in the cited passage' });
    else if (where === 'cut') problems.push({ ...piece, problem: 'cut inside a word or number' });
  }
  return problems;
}
