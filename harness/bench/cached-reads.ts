// How the broker answered its drift reads during a run, from its /metrics
// (seb_cached_reads_total): a bench shows by it whether the read left the
// request's path (answered from the broker's watch cache) or not.

export interface PlatformCachedReads {
  readonly platform: string;
  readonly cache: number;
  readonly fallback: number;
  /** Reads the broker then confirmed by a request: the cached read failed, did not match the certified state, or showed another version (a lagging cache, or drift). */
  readonly confirmed: number;
}

const LINE = /^seb_cached_reads_total\{platform="([^"]+)",answered="(cache|fallback|confirmed)"\} (\d+)$/;

/** The counts per platform in a Prometheus text exposition; none when the broker exposes none. */
export function cachedReadsOf(metrics: string): PlatformCachedReads[] {
  const byPlatform = new Map<string, { cache: number; fallback: number; confirmed: number }>();
  for (const line of metrics.split('\n')) {
    const m = LINE.exec(line.trim());
    if (m === null) continue;
    const counts = byPlatform.get(m[1] as string) ?? { cache: 0, fallback: 0, confirmed: 0 };
    counts[m[2] as 'cache' | 'fallback' | 'confirmed'] = Number(m[3]);
    byPlatform.set(m[1] as string, counts);
  }
  return [...byPlatform].map(([platform, counts]) => ({ platform, ...counts }));
}

export function describeCachedReads(reads: readonly PlatformCachedReads[]): string {
  if (reads.length === 0) return 'drift reads: no platform with a cache';
  return `drift reads: ${reads.map((r) => `${r.platform} ${r.cache} from the broker's watch cache, ${r.fallback} by request; ${r.confirmed} then confirmed by a request (a cached read that failed, did not match or showed another version than the certified one)`).join('; ')}`;
}

/** Asks the running broker; a broker that does not answer is said, not thrown: the run's results stand without it. */
export async function scrapeCachedReads(brokerUrl: string): Promise<string> {
  try {
    const response = await fetch(`${brokerUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    return describeCachedReads(cachedReadsOf(await response.text()));
  } catch (error) {
    return `drift reads: /metrics did not answer (${(error as Error).message})`;
  }
}
