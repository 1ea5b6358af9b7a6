/**
 * What a PDF may cost to read. A PDF is a program for a page renderer: a small file can ask for
 * gigabytes (a stream that inflates without end), thousands of pages or an endless parse. It is
 * therefore read on a worker thread of its own, within these bounds, and skipped with the reason
 * when it goes past one; the main thread keeps answering meanwhile.
 */
export const PDF_LIMITS = {
  /**
   * A PDF's size on disk. PDFs carry fonts and images beside their text: the interviews guide's
   * 11 pages take 683 KB, so the 1 MiB limit of text documents would refuse ordinary handouts.
   */
  maxBytes: 10 * 1024 * 1024,
  /** Pages read; a longer PDF is a book or a generated file, not a handout (a 500-page one still fits). */
  maxPages: 1_000,
  /** Characters of text kept in all (a 500-page book holds about 1.5 million). */
  maxTextChars: 4_000_000,
  /** Text items on one page: a page of text holds a few thousand, a page of glyph soup millions. */
  maxItemsPerPage: 50_000,
  /** Wall-clock time for one PDF, from the bytes sent to the thread to its blocks coming back. */
  timeoutMs: 60_000,
  /** The parsing thread's JavaScript heap. */
  heapMb: 384,
  /**
   * Memory the parse may add to the process beyond its heap (pdf.js inflates streams into
   * buffers outside the heap, which `resourceLimits` does not bound): past this the thread is
   * stopped. Checked every `memoryCheckMs`.
   */
  maxGrowthMb: 768,
  memoryCheckMs: 50,
} as const;

export type PdfLimits = { -readonly [K in keyof typeof PDF_LIMITS]: number };
