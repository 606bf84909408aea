// Reading the CSV files harness/csv.ts writes (RFC 4180: quoted fields may
// hold commas, quotes and newlines). Strict: every row has the header's width.
import { InvalidInputError } from '../broker/core/errors.js';

export interface CsvTable {
  readonly columns: readonly string[];
  /** Each row with its 1-based line number in the file. */
  readonly rows: readonly { readonly line: number; readonly cells: Readonly<Record<string, string>> }[];
}

export function parseCsv(text: string, name: string): CsvTable {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
    i++;
  }
  if (quoted) throw new InvalidInputError(`${name}:${recordLine}: unterminated quoted field`);
  if (field !== '' || fields.length > 0) endRecord();
  const [header, ...body] = records;
  if (header === undefined) throw new InvalidInputError(`${name}: empty, not even a header`);
  const columns = header.fields;
  const rows = body.map((r) => {
    if (r.fields.length !== columns.length) throw new InvalidInputError(`${name}:${r.line}: ${r.fields.length} fields, the header has ${columns.length}`);
    return { line: r.line, cells: Object.fromEntries(columns.map((c, k) => [c, r.fields[k] as string])) };
  });
  return { columns, rows };
}
