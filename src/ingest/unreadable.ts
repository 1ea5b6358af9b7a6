/**
 * A document the pipeline refuses to read, with the reason an admin sees in the skipped list.
 * Thrown by the readers when a file goes past a limit that keeps parsing fast and shallow.
 */
export class UnreadableDocument extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnreadableDocument';
  }
}

/**
 * Deepest nesting read (lists in lists, quotes in quotes, links in emphasis…, and HTML elements).
 * Real documents stay far below; anything deeper is a generated or hostile file.
 */
export const MAX_NESTING = 50;
