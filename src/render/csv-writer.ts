import { stringify } from 'csv-stringify/sync';

/** A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR), leading white space or not. */
const FORMULA = /^\s*[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One CSV cell's text. A formula-like string gets a leading apostrophe: shop names are typed by the
 * public. Numbers (and numeric text such as -12.50) stay numbers.
 */
export function guardCell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return typeof value === 'string' && FORMULA.test(text) && !NUMBER.test(text) ? `'${text}` : text;
}

// csv-stringify quotes a cell holding the record delimiter (CRLF) but not a lone LF or CR: both break rows.
const OPTIONS = { record_delimiter: '\r\n', quoted_match: /[\r\n]/ } as const;

/** RFC 4180 CSV with CRLF line ends, written by csv-stringify, every cell through the formula guard. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return stringify([header, ...rows].map((row) => row.map(guardCell)), OPTIONS);
}

/** One cell as it appears in a CSV line (quoted when needed): for tests and one-off cells. */
export function csvCell(value: string | number | null | undefined): string {
  return stringify([[guardCell(value)]], { ...OPTIONS, eof: false });
}
