// The CSV layer: what a schema's writer writes its reader reads back exactly
// (a property over generated schemas and rows, quotes, commas and newlines
// included), and reading is strict: a missing column, a cell that is not what
// its column says, or a ragged row fails with the file, line and column named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../broker/core/errors.js';
import { parseCsv, readCsv, toCsv, writeCsv, type Schema } from './csv.js';
import { asRead, KINDS, rowArbitrary } from './fixtures/csv-arbitrary.js';
import { SUMMARY_CSV } from './results/summary.js';

const fails = (text: string, message: RegExp, schema: Schema = { a: 'number' }) => {
  expect(() => readCsv(schema, text, 'x.csv')).toThrow(InvalidInputError);
  expect(() => readCsv(schema, text, 'x.csv')).toThrow(message);
};

const schemaAndRows = fc
  .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z_]{1,8}$/), fc.constantFrom(...KINDS)), { minLength: 1, maxLength: 6, selector: ([name]) => name })
  .chain((columns) => {
    const schema = Object.fromEntries(columns) as Schema;
    return fc.tuple(fc.constant(schema), fc.array(rowArbitrary(schema), { maxLength: 8 }));
  });

describe('writeCsv and readCsv', () => {
  it('read back exactly what they wrote, for any schema and rows', () => {
    fc.assert(
      fc.property(schemaAndRows, ([schema, rows]) => {
        const written = writeCsv(schema, rows as never);
        expect(written.split('\n')[0]).toBe(Object.keys(schema).join(','));
        expect(readCsv(schema, written, 'x.csv')).toEqual(rows.map(asRead));
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  it('write the schema’s columns in its order whatever the rows hold, and read a file with extra columns', () => {
    expect(writeCsv({ b: 'number', a: 'string' }, [])).toBe('b,a\n');
    expect(readCsv({ a: 'number', b: 'string?', c: 'boolean' }, 'a,b,c,extra\n1.5,"x, y",true,z\n-2e3,,false,z\n', 'x.csv')).toEqual([
      { a: 1.5, b: 'x, y', c: true },
      { a: -2000, b: null, c: false },
    ]);
  });
});

describe('readCsv is strict', () => {
  it('names every missing column', () => {
    fails('a\n1\n', /x\.csv:1: missing columns b, c/, { a: 'number', b: 'number', c: 'string' });
  });

  it.each(['', ' 1', '1 ', '0x10', '1.2.3', 'NaN', 'Infinity', '1,5', '01', '+1', '.5', 'abc'])('refuses %j as a number', (cell) => {
    fails(`a,b\n${/[,\s]/.test(cell) || cell === '' ? `"${cell}"` : cell},x\n`, /x\.csv:2: a: expected a number/, { a: 'number', b: 'string' });
  });

  it('refuses a boolean that is not true or false', () => {
    fails('a\nyes\n', /x\.csv:2: a: expected true or false, got "yes"/, { a: 'boolean' });
  });

  it('refuses a row wider or narrower than the header', () => {
    fails('a,b\n1,2\n3\n', /x\.csv:3: 1 fields, the header has 2/);
  });

  it('refuses a column named twice, an unterminated quote and an empty file', () => {
    fails('a,a\n1,2\n', /column a appears twice/);
    fails('a\n"1\n', /unterminated quoted field/);
    fails('', /empty, not even a header/);
  });

  it('reads the summary.csv the runner writes, and refuses one without a column of its schema', () => {
    const runner = 'run_id,scenario,target,platform,path,operation,count,errors,p50_ms,p90_ms,p99_ms,max_ms,rate_rps\nr,s,local,aws,seb,op,10,0,1,2,3,4,5\n';
    expect(readCsv(SUMMARY_CSV, runner, 's.csv')[0]).toMatchObject({ run_id: 'r', target: 'local', platform: 'aws', p99_ms: 3 });
    expect(() => readCsv(SUMMARY_CSV, runner.replace('run_id,', '').replace('r,', ''), 's.csv')).toThrow(/s\.csv:1: missing column run_id/);
  });
});

describe('parseCsv and toCsv', () => {
  it('keep quoted newlines inside a field and number each row by the line it starts on', () => {
    const csv = toCsv(['a', 'b'], [{ a: 'one\ntwo', b: 1 }, { a: 'x', b: null }]);
    const table = parseCsv(csv, 'x.csv');
    expect(table.rows.map((r) => [r.line, r.cells.a, r.cells.b])).toEqual([
      [2, 'one\ntwo', '1'],
      [4, 'x', ''],
    ]);
  });
});
