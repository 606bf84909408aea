// The typed CSV layer is strict: a missing column, a cell that is not what its
// column says, or a ragged row fails with the file, line and column named.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../broker/core/errors.js';
import { DRIFT, DRIFT_OPTIONAL, SUMMARY, SUMMARY_OPTIONAL } from './run-data.js';
import { readTable } from './table.js';

const fails = (text: string, message: RegExp, columns: Record<string, 'string' | 'number' | 'number?' | 'boolean' | 'string?'> = { a: 'number' }) => {
  expect(() => readTable(text, 'x.csv', columns)).toThrow(InvalidInputError);
  expect(() => readTable(text, 'x.csv', columns)).toThrow(message);
};

describe('readTable', () => {
  it('types each cell by its column, ignores extra columns, and keeps quoted commas', () => {
    const rows = readTable('a,b,c,extra\n1.5,"x, y",true,z\n-2e3,,false,z\n', 'x.csv', { a: 'number', b: 'string?', c: 'boolean' });
    expect(rows).toEqual([
      { a: 1.5, b: 'x, y', c: true },
      { a: -2000, b: null, c: false },
    ]);
  });

  it('reads an absent optional column, and an empty optional number, as null', () => {
    const rows = readTable('a,b\n1,\n', 'x.csv', { a: 'number' }, { b: 'number?', c: 'number?' });
    expect(rows).toEqual([{ a: 1, b: null, c: null }]);
  });

  it('names every missing column', () => {
    fails('a\n1\n', /x\.csv:1: missing columns b, c/, { a: 'number', b: 'number', c: 'string' });
  });

  it.each(['', ' 1', '1 ', '0x10', '1.2.3', 'NaN', 'Infinity', '1,5', '01', '+1', '.5', 'abc'])('refuses %j as a number', (cell) => {
    fails(`a,b\n${/[,\s]/.test(cell) ? `"${cell}"` : cell},x\n`, /x\.csv:2: a: expected a number/, { a: 'number', b: 'string' });
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

  it('accepts the summary.csv the runner writes (run_id, target) and the brief columns with offered_rps', () => {
    const runner = 'run_id,scenario,target,platform,path,operation,count,errors,p50_ms,p90_ms,p99_ms,max_ms,rate_rps\nr,s,local,aws,seb,op,10,0,1,2,3,4,5\n';
    expect(readTable(runner, 's.csv', SUMMARY, SUMMARY_OPTIONAL)[0]).toMatchObject({ platform: 'aws', p99_ms: 3, offered_rps: null });
    const sweep = 'scenario,platform,path,operation,count,errors,p50_ms,p90_ms,p99_ms,max_ms,rate_rps,offered_rps\ns@10rps,aws,seb,op,10,0,1,2,3,4,5,10\n';
    expect(readTable(sweep, 's.csv', SUMMARY, SUMMARY_OPTIONAL)[0]).toMatchObject({ offered_rps: 10 });
  });

  it('accepts drift.csv with only the counts, or with the runner key columns', () => {
    expect(readTable('trials,drifted,detected,false_positives,missed,precondition_caught\n4,2,1,0,0,1\n', 'd.csv', DRIFT, DRIFT_OPTIONAL)[0]).toMatchObject({ trials: 4, platform: null });
    const runner = 'run_id,scenario,target,platform,path,operation,trials,drifted,detected,false_positives,missed,precondition_caught\nr,drift,local,kubernetes,seb,configmap-data,4,2,1,0,0,1\n';
    expect(readTable(runner, 'd.csv', DRIFT, DRIFT_OPTIONAL)[0]).toMatchObject({ platform: 'kubernetes', operation: 'configmap-data' });
  });
});
