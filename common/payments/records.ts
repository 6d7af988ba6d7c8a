// papaparse rather than a hand-written splitter: RFC 4180 quoting (doubled quotes, separators and
// line breaks inside quotes), byte order marks and line ends are easy to get subtly wrong by hand,
// and a wrong split here pays the wrong account or the wrong sum. It is pure JavaScript with no
// dependencies and runs the same in Node and in a page. The separator is decided in layout.ts,
// which knows what a payment row looks like, and handed to papaparse rather than guessed by it.
// It is CommonJS (UMD): a default import is what Node's ESM loader and bundlers both provide.
import Papa from 'papaparse';

/** The separators a payment file may use. */
export type Delimiter = ',' | ';' | '\t';

/** One record of the file as papaparse splits it, with the line (1-based) where it starts. */
export type CsvRecord =
  | { line: number; cells: string[]; quote?: undefined }
  /**
   * A quote error: the record's cells cannot be trusted, so there are none; `text` is its first
   * line as written (without the line break).
   */
  | { line: number; cells: []; quote: 'unclosed' | 'malformed'; text: string };

/**
 * The text every reader here expects: without a byte order mark and with every line break a
 * "\n". One kind of line break means papaparse never has to guess it (a file glued together from
 * a Windows and a Unix export has both), and a line number is a count of "\n".
 */
export function normalizeText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** True for a record with nothing in it: an empty line, spaces, or separators alone. */
export function isBlankRecord(record: CsvRecord): boolean {
  return record.quote === undefined && record.cells.every((cell) => cell.trim() === '');
}

function parseOptions(delimiter: Delimiter): Papa.ParseConfig {
  return { delimiter, newline: '\n', quoteChar: '"', escapeChar: '"', skipEmptyLines: false };
}

/**
 * Which quote error a record has, from its first line alone: papaparse reports a field that never
 * closes (MissingQuotes) even after a stray quote inside it (InvalidQuotes: `"12.50"x`), because
 * it then looks for the close to the end of the file; the person's mistake is the stray quote.
 */
function quoteProblem(firstLine: string, delimiter: Delimiter): 'unclosed' | 'malformed' {
  const { errors } = Papa.parse<string[]>(firstLine, parseOptions(delimiter));
  return errors.some((e) => e.code === 'InvalidQuotes') ? 'malformed' : 'unclosed';
}

/**
 * Calls `visit` for each record of normalized `text` (see normalizeText), blank ones included,
 * in order; `visit` returns false to stop early.
 *
 * After a quote error papaparse reads the rest of the file as one field, which would hide every
 * later row. So that record is reported with its quote problem and cut at the end of its first
 * line, and parsing starts again on the next line: each later row is still checked and shown.
 */
export function readRecords(text: string, delimiter: Delimiter, visit: (record: CsvRecord) => boolean | void): void {
  let line = 1;
  let counted = 0; // line is the line number at text offset `counted`
  const lineAt = (offset: number): number => {
    for (let i = text.indexOf('\n', counted); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    counted = offset;
    return line;
  };

  let from = 0;
  while (from < text.length) {
    const base = from;
    let start = from;
    let resumeAt = -1;
    let stopped = false;
    Papa.parse<string[]>(base === 0 ? text : text.slice(base), {
      ...parseOptions(delimiter),
      step: (result, parser) => {
        const recordStart = start;
        start = base + result.meta.cursor;
        const recordLine = lineAt(recordStart);
        const quoteErrors = result.errors.filter((e) => e.type === 'Quotes');
        if (quoteErrors.length > 0) {
          const eol = text.indexOf('\n', recordStart);
          resumeAt = eol === -1 ? text.length : eol + 1;
          const firstLine = text.slice(recordStart, eol === -1 ? text.length : eol);
          const quote = quoteProblem(firstLine, delimiter);
          stopped = visit({ line: recordLine, cells: [], quote, text: firstLine }) === false;
          parser.abort();
          return;
        }
        if (visit({ line: recordLine, cells: result.data }) === false) {
          stopped = true;
          parser.abort();
        }
      },
    });
    if (stopped || resumeAt === -1) return;
    from = resumeAt;
  }
}
