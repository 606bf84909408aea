// What /metrics shows of the drift reads: how many the platform's cache
// answered and how many fell back to a request, read from the broker at each scrape.
import { describe, expect, it } from 'vitest';
import { BrokerMetrics } from './metrics.js';

describe('BrokerMetrics', () => {
  it('exposes the cached reads per platform as they stand at each scrape', async () => {
    let reads = { cache: 0, fallback: 2, confirmed: 0 };
    const metrics = new BrokerMetrics({ cachedReads: () => [{ platform: 'kubernetes', reads }] });
    expect(await metrics.registry.metrics()).toContain('seb_cached_reads_total{platform="kubernetes",answered="fallback"} 2');
    reads = { cache: 5, fallback: 3, confirmed: 1 };
    const text = await metrics.registry.metrics();
    expect(text).toContain('seb_cached_reads_total{platform="kubernetes",answered="cache"} 5');
    expect(text).toContain('seb_cached_reads_total{platform="kubernetes",answered="fallback"} 3');
    expect(text).toContain('seb_cached_reads_total{platform="kubernetes",answered="confirmed"} 1');
  });

  it('has no cached-read counts without a broker to ask', async () => {
    expect(await new BrokerMetrics().registry.metrics()).not.toContain('seb_cached_reads_total{');
  });
});
