import { describe, expect, it } from 'vitest';
import { cachedReadsOf, describeCachedReads } from './cached-reads.js';

const METRICS = `# HELP seb_cached_reads_total Drift-check reads
# TYPE seb_cached_reads_total counter
seb_cached_reads_total{platform="kubernetes",answered="cache"} 96
seb_cached_reads_total{platform="kubernetes",answered="fallback"} 6
seb_cached_reads_total{platform="kubernetes",answered="confirmed"} 2
seb_decisions_total{endpoint="execute",decision="allow",reason="none"} 102
`;

describe('cached reads from /metrics', () => {
  it('reads the counts per platform and says them', () => {
    const reads = cachedReadsOf(METRICS);
    expect(reads).toEqual([{ platform: 'kubernetes', cache: 96, fallback: 6, confirmed: 2 }]);
    expect(describeCachedReads(reads)).toBe("drift reads: kubernetes 96 from the broker's watch cache, 6 by request; 2 then confirmed by a request (a cached read that failed, did not match or showed another version than the certified one)");
  });

  it('says so when the broker has no platform with a cache', () => {
    expect(describeCachedReads(cachedReadsOf('seb_decisions_total{endpoint="execute"} 1\n'))).toBe('drift reads: no platform with a cache');
  });
});
