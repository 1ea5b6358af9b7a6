/** What the PDF reader takes from a file: positioned text, per page, and the outline. Plain data, so it crosses threads. */

export interface PdfTextItem {
  text: string;
  /** Left end of the baseline, in PDF points from the page's bottom-left corner. */
  x: number;
  y: number;
  /** Advance width of the whole item, in points. */
  width: number;
  /** Font size in points (the text matrix's vertical scale). */
  size: number;
  bold: boolean;
  /** A fixed-width font (code). */
  mono: boolean;
}

export interface PdfPage {
  /** 1-based page number. */
  number: number;
  width: number;
  height: number;
  items: PdfTextItem[];
}

export interface PdfOutlineEntry {
  title: string;
  /** 1 for a top-level bookmark. */
  depth: number;
  /** The page it points at, when the destination can be resolved. */
  page?: number;
}

export interface PdfContent {
  /** The document information's Title, when it has one. */
  title?: string;
  pages: PdfPage[];
  outline: PdfOutlineEntry[];
}
