// Typed rows on top of the strict CSV reader (harness/csv-read.ts): a file
// must hold every column a figure needs (extra columns are fine), and each
// cell must be what its column says. Errors name the file, line and column.
import { InvalidInputError } from '../../broker/core/errors.js';
import { parseCsv } from '../csv-read.js';

/** `number?` and `string?` cells may be empty (null); an optional column that is absent reads as null. */
export type Kind = 'string' | 'string?' | 'number' | 'number?' | 'boolean';
export type Columns = Readonly<Record<string, Kind>>;

type Cell<K extends Kind> = K extends 'string'
  ? string
  : K extends 'string?'
    ? string | null
    : K extends 'number'
      ? number
      : K extends 'number?'
        ? number | null
        : boolean;

export type Row<R extends Columns, O extends Columns = Record<never, Kind>> = { readonly [C in keyof R]: Cell<R[C]> } & {
  readonly [C in keyof O]: Cell<O[C]> | null;
};

const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

export function readTable<R extends Columns, O extends Columns = Record<never, Kind>>(text: string, name: string, required: R, optional?: O): Row<R, O>[] {
  const table = parseCsv(text, name);
  const absent = Object.keys(required).filter((c) => !table.columns.includes(c));
  if (absent.length > 0) throw new InvalidInputError(`${name}:1: missing column${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`);
  const repeated = table.columns.find((c, i) => table.columns.indexOf(c) !== i);
  if (repeated !== undefined) throw new InvalidInputError(`${name}:1: column ${repeated} appears twice`);
  const kinds: [string, Kind, boolean][] = [
    ...Object.entries(required).map(([c, k]) => [c, k, true] as [string, Kind, boolean]),
    ...Object.entries(optional ?? {}).map(([c, k]) => [c, k, table.columns.includes(c)] as [string, Kind, boolean]),
  ];
  return table.rows.map(({ line, cells }) => {
    const row: Record<string, string | number | boolean | null> = {};
    for (const [column, kind, present] of kinds) row[column] = present ? cell(cells[column] ?? '', kind, `${name}:${line}: ${column}`) : null;
    return row as Row<R, O>;
  });
}

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
