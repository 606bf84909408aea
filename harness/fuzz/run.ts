// The fuzz loop. Rounds of generated inputs (fast-check, seeded per round
// from the run's seed), each built into a case, checked, and counted; a
// failing case is replayed by its fast-check path and shrunk, then handed
// to onCounterexample once per kind of failure. Bounded by runs and time.
import fc from 'fast-check';
import { OFFLINE_REASONS } from '../../broker/core/reasons.js';
import type { FuzzCase } from './case.js';
import { Coverage } from './coverage.js';
import type { CheckResult } from './execute.js';
import { fuzzInput, type FuzzInput } from './arbitraries.js';
import { buildCase } from './oracle.js';

export interface RunOptions {
  readonly seed: number;
  readonly seconds?: number;
  readonly runs?: number;
  /** Only cases `seb verify` flags can express (differential mode). */
  readonly cli: boolean;
  /** Focus on these mutations (see InputOptions.only). */
  readonly only?: readonly string[];
  readonly check: (c: FuzzCase) => Promise<CheckResult>;
  /** Cases checked at once (differential mode runs processes side by side). */
  readonly concurrency?: number;
  readonly batch?: number;
  readonly maxCounterexamples?: number;
  readonly shrinkBudgetMs?: number;
  readonly progressEveryMs?: number;
  readonly log?: (line: string) => void;
  readonly onCounterexample?: (cx: Counterexample) => void;
}

export interface Counterexample {
  readonly fuzzCase: FuzzCase;
  readonly result: CheckResult;
  readonly input: FuzzInput;
  readonly roundSeed: number;
  readonly round: number;
  /** fast-check path of the shrunk input within its round. */
  readonly path: string;
  readonly shrunk: boolean;
}

export interface RunSummary {
  readonly coverage: Coverage;
  readonly counterexamples: readonly Counterexample[];
  readonly duplicates: number;
  readonly elapsedMs: number;
  readonly rounds: number;
}

/** Each round's seed: the run's seed for round 0, then a fixed mix. */
export function roundSeed(seed: number, round: number): number {
  return round === 0 ? seed : (seed + Math.imul(round, 0x9e3779b9)) | 0;
}

export async function runFuzz(o: RunOptions): Promise<RunSummary> {
  const arb = fuzzInput({ cli: o.cli, ...(o.only === undefined ? {} : { only: o.only }) });
  const coverage = new Coverage();
  const counterexamples: Counterexample[] = [];
  const seen = new Set<string>();
  const shrinks = new Map<string, number>();
  const batch = o.batch ?? (o.cli ? 4 * (o.concurrency ?? 1) : 200);
  const start = performance.now();
  const elapsed = () => performance.now() - start;
  let lastProgress = 0;
  let duplicates = 0;
  const done = () =>
    (o.runs !== undefined && coverage.cases >= o.runs) ||
    (o.seconds !== undefined && elapsed() >= o.seconds * 1000) ||
    counterexamples.length >= (o.maxCounterexamples ?? 20);

  let round = 0;
  for (; !done(); round++) {
    const seed = roundSeed(o.seed, round);
    const inputs = fc.sample(arb, { seed, numRuns: batch });
    const failing: { index: number; kind: string; original: Counterexample }[] = [];
    await forEachLimited(inputs, o.concurrency ?? 1, async (input, i) => {
      if (done()) return;
      const c = buildCase(input);
      const result = await o.check(c);
      coverage.record(c, result.decision);
      if (result.findings.length > 0) {
        failing.push({ index: i, kind: kindOf(c, result), original: { fuzzCase: c, result, input, roundSeed: seed, round, path: String(i), shrunk: false } });
      }
    });
    for (const { index, kind, original } of failing.sort((a, b) => a.index - b.index)) {
      // Shrinking costs many runs: a kind of failure already shrunk twice is only counted.
      const shrunkBefore = shrinks.get(kind) ?? 0;
      if (shrunkBefore >= 2 || counterexamples.length >= (o.maxCounterexamples ?? 20)) {
        duplicates++;
        continue;
      }
      shrinks.set(kind, shrunkBefore + 1);
      // A failure that does not come back when replayed is still reported, unshrunk.
      const cx = (await shrink(arb, o, seed, round, index, batch)) ?? original;
      const key = `${kindOf(cx.fuzzCase, cx.result)}|${cx.fuzzCase.tags.map((t) => t.tag).sort().join(',')}`;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      counterexamples.push(cx);
      o.onCounterexample?.(cx);
    }
    if (o.log && elapsed() - lastProgress >= (o.progressEveryMs ?? 5000)) {
      lastProgress = elapsed();
      const covered = OFFLINE_REASONS.length - coverage.uncovered().length;
      const rate = Math.round(coverage.cases / (elapsed() / 1000));
      o.log(
        `  ${(elapsed() / 1000).toFixed(0).padStart(4)}s  ${String(coverage.cases).padStart(7)} cases (${rate}/s)  ${counterexamples.length} counterexamples  reasons covered ${covered}/${OFFLINE_REASONS.length}`,
      );
    }
  }
  return { coverage, counterexamples, duplicates, elapsedMs: elapsed(), rounds: round };
}

/** Replay the failing input by its path in the round and let fast-check shrink it. */
async function shrink(arb: fc.Arbitrary<FuzzInput>, o: RunOptions, seed: number, round: number, index: number, batch: number): Promise<Counterexample | undefined> {
  let last: { input: FuzzInput; fuzzCase: FuzzCase; result: CheckResult } | undefined;
  const details = await fc.check(
    fc.asyncProperty(arb, async (input) => {
      const fuzzCase = buildCase(input);
      const result = await o.check(fuzzCase);
      if (result.findings.length === 0) return true;
      last = { input, fuzzCase, result };
      return false;
    }),
    { seed, path: String(index), numRuns: batch, interruptAfterTimeLimit: o.shrinkBudgetMs ?? 60_000 },
  );
  if (last === undefined) return undefined;
  return { ...last, roundSeed: seed, round, path: details.counterexamplePath ?? String(index), shrunk: details.numShrinks > 0 };
}

/** A kind of failure: what was expected, and what went wrong how. */
function kindOf(c: FuzzCase, result: CheckResult): string {
  const findings = result.findings.map((f) => `${f.kind}:${f.actual?.reason ?? f.actual?.decision ?? '-'}`).join(',');
  return `${c.expected.reason ?? 'allow'}|${findings}`;
}

export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}
