// Tidy CSV, written with csv-stringify and read with csv-parse (RFC 4180:
// quoted fields may hold commas, quotes and newlines). Every result file has
// one column schema (harness/results/*.ts, harness/microbench/stats.ts),
// shared by the code that writes it, the report that reads it and the tests'
// made-up runs: the column order, and what each cell holds. Reading is strict:
// every column of the schema present (extra ones ignored), every row as wide
// as the header, every cell what its column says; errors name file and line.
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { InvalidInputError } from '../broker/core/errors.js';

/** What a column holds; `?` means the cell may be empty, which reads as null. */
export type Kind = 'string' | 'string?' | 'number' | 'number?' | 'boolean';
/** Columns in file order, each with its kind. */
export type Schema = Readonly<Record<string, Kind>>;

type Cell<K extends Kind> = K extends 'string'
  ? string
  : K extends 'string?'
    ? string | null
    : K extends 'number'
      ? number
      : K extends 'number?'
        ? number | null
        : boolean;

/** A row as read: one typed cell per column. */
export type RowOf<S extends Schema> = { readonly [C in keyof S]: Cell<S[C]> };
/** A row as written: nullable cells may also be left undefined; extra members are not written. */
export type RowIn<S extends Schema> = { readonly [C in keyof S]: S[C] extends 'string?' | 'number?' ? Cell<S[C]> | undefined : Cell<S[C]> };

export type CsvCell = string | number | boolean | null | undefined;

/** How a number is written: integers as they are, others to 6 significant digits; non-finite as empty. */
export function csvNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

function text(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? csvNumber(value) : String(value);
}

/** A header row and one row per record, in the given columns: a file's shape never depends on which rows it holds. */
export function toCsv<C extends string>(columns: readonly C[], rows: readonly Readonly<Record<C, CsvCell>>[]): string {
  return stringify([columns as readonly string[], ...rows.map((row) => columns.map((c) => text(row[c])))], { record_delimiter: 'unix' });
}

/** Rows in a schema's columns. An empty string in a nullable column is written as an empty cell, that is null. */
export function writeCsv<S extends Schema>(schema: S, rows: readonly RowIn<S>[]): string {
  return toCsv(Object.keys(schema), rows as readonly Readonly<Record<string, CsvCell>>[]);
}

export interface CsvTable {
  readonly columns: readonly string[];
  /** Each row with its 1-based line number in the file. */
  readonly rows: readonly { readonly line: number; readonly cells: Readonly<Record<string, string>> }[];
}

/** Any CSV as strings, strict about its shape: a header, unique column names, every row as wide as the header. */
export function parseCsv(text: string, name: string): CsvTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, relax_column_count: true }) as unknown as typeof records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines ?? 0;
    throw new InvalidInputError(`${name}:${line}: ${error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'unterminated quoted field' : error.message}`);
  }
  const [header, ...body] = records;
  if (header === undefined) throw new InvalidInputError(`${name}: empty, not even a header`);
  const columns = header.record;
  const repeated = columns.find((c, i) => columns.indexOf(c) !== i);
  if (repeated !== undefined) throw new InvalidInputError(`${name}:1: column ${repeated} appears twice`);
  // csv-parse counts the line a record ends on; a row is named by the line it starts on.
  let previousEnd = header.info.lines;
  const rows = body.map(({ record, info }) => {
    const line = previousEnd + 1;
    previousEnd = info.lines;
    if (record.length !== columns.length) throw new InvalidInputError(`${name}:${line}: ${record.length} fields, the header has ${columns.length}`);
    return { line, cells: Object.fromEntries(columns.map((c, k) => [c, record[k] as string])) };
  });
  return { columns, rows };
}

/** A file in a schema's columns, each cell typed by its column. */
export function readCsv<S extends Schema>(schema: S, text: string, name: string): RowOf<S>[] {
  const table = parseCsv(text, name);
  const absent = Object.keys(schema).filter((c) => !table.columns.includes(c));
  if (absent.length > 0) throw new InvalidInputError(`${name}:1: missing column${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`);
  return table.rows.map(({ line, cells }) => {
    const row: Record<string, string | number | boolean | null> = {};
    for (const [column, kind] of Object.entries(schema)) row[column] = cell(cells[column] as string, kind, `${name}:${line}: ${column}`);
    return row as RowOf<S>;
  });
}

const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

function cell(text: string, kind: Kind, where: string): string | number | boolean | null {
  switch (kind) {
    case 'string':
      return text;
    case 'string?':
      return text === '' ? null : text;
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new InvalidInputError(`${where}: expected true or false, got ${JSON.stringify(text)}`);
    case 'number':
    case 'number?':
      if (text === '' && kind === 'number?') return null;
      if (!NUMBER.test(text)) throw new InvalidInputError(`${where}: expected a number, got ${JSON.stringify(text)}`);
      return Number(text);
  }
}
