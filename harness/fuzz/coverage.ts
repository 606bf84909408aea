// Which predicates a run exercised: per reason code, how many cases the
// oracle expected to end there, how many reached its check (every earlier
// check passed; replay needs a ledger and drift a live state), and how many
// it decided. The offline reasons are the ones a fuzz run must cover.
import { OFFLINE_REASONS, REASONS, type Decision, type Reason } from '../../broker/core/reasons.js';
import { toCsv } from '../csv.js';
import type { FuzzCase } from './case.js';

export const PREDICATES: readonly { readonly predicate: string; readonly reasons: readonly Reason[] }[] = [
  { predicate: '1 structure', reasons: ['malformed'] },
  { predicate: '2 signature', reasons: ['alg_not_allowed', 'unknown_key', 'bad_signature'] },
  { predicate: '3 issuer', reasons: ['wrong_issuer', 'wrong_audience'] },
  { predicate: '4 window', reasons: ['not_yet_valid', 'expired', 'lifetime_too_long'] },
  { predicate: '5 policy epoch', reasons: ['policy_epoch_mismatch'] },
  { predicate: '6 revocation', reasons: ['revoked', 'revocation_stale'] },
  { predicate: '7 contract', reasons: ['contract_mismatch'] },
  { predicate: '8 proof', reasons: ['pop_invalid'] },
  { predicate: '9 replay', reasons: ['replayed', 'ledger_unavailable'] },
  { predicate: '10 drift', reasons: ['drift'] },
];

const LEDGER_REASONS: readonly Reason[] = ['replayed', 'ledger_unavailable'];

export interface Counts {
  expected: number;
  reached: number;
  decided: number;
}

export type Row = 'allow' | Reason;

export class Coverage {
  cases = 0;
  readonly rows = new Map<Row, Counts>([...OFFLINE_REASONS, 'allow' as const].map((r) => [r, { expected: 0, reached: 0, decided: 0 }]));

  record(c: FuzzCase, decision: Decision): void {
    this.cases++;
    this.at(c.expected.reason ?? 'allow').expected++;
    this.at(decision.reason ?? 'allow').decided++;
    const last = decision.reason === null ? REASONS.length : REASONS.indexOf(decision.reason);
    for (const reason of OFFLINE_REASONS) {
      if (LEDGER_REASONS.includes(reason) && c.ledger === null) continue;
      if (reason === 'drift' && c.live === null) continue;
      if (REASONS.indexOf(reason) <= last) this.at(reason).reached++;
    }
    if (decision.reason === null) this.at('allow').reached++;
  }

  /** Offline reasons no case was decided by. */
  uncovered(): Reason[] {
    return OFFLINE_REASONS.filter((r) => this.at(r).decided === 0);
  }

  toRows(): { predicate: string; reason: Row; expected: number; reached: number; decided: number }[] {
    const rows = PREDICATES.flatMap(({ predicate, reasons }) => reasons.map((reason) => ({ predicate, reason: reason as Row, ...this.at(reason) })));
    rows.push({ predicate: '(all passed)', reason: 'allow', ...this.at('allow') });
    return rows;
  }

  toCsv(): string {
    return toCsv(['predicate', 'reason', 'expected', 'reached', 'decided'], this.toRows());
  }

  table(): string {
    const rows = this.toRows();
    const head = ['predicate', 'reason', 'expected', 'reached', 'decided'];
    const cells = rows.map((r) => [r.predicate, r.reason, String(r.expected), String(r.reached), String(r.decided)]);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
    const line = (c: string[]) => c.map((v, i) => (i < 2 ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join('  ');
    return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
  }

  private at(row: Row): Counts {
    let counts = this.rows.get(row);
    if (counts === undefined) {
      counts = { expected: 0, reached: 0, decided: 0 };
      this.rows.set(row, counts);
    }
    return counts;
  }
}
