// A deliberately broken broker, for the validator's tests and nothing else:
// it shows that the harness's validation catches, from the platform's own
// records, a broker that executes twice on one use or executes after a
// denial, while its record log stays clean. It is switched on only here,
// from two environment variables together (the mode, and an acknowledgement
// that this is a test), never from broker.yaml; set one without the other
// and the broker refuses to start.
import { Broker, type BrokerConfig, type ExecutionResult } from './broker.js';
import type { PlatformName } from './core/certificate/contract.js';
import { ConfigError } from './core/errors.js';
import type { PlatformAdapter } from './core/ports/platform.js';
import { verifyRequest } from './core/predicates/verify.js';

export const TEST_BREAKS = ['execute-twice', 'execute-after-deny'] as const;
export type TestBreak = (typeof TEST_BREAKS)[number];

export const TEST_BREAK_ENV = 'SEB_TEST_BREAK';
export const TEST_ONLY_ENV = 'SEB_TEST_ONLY';
export const TEST_ONLY_ACK = 'this-broker-is-broken-on-purpose';

/** The break the environment asks for, or undefined; a ConfigError for anything but a complete, known request. */
export function testBreakFromEnv(env: Readonly<Record<string, string | undefined>>): TestBreak | undefined {
  const mode = env[TEST_BREAK_ENV];
  const ack = env[TEST_ONLY_ENV];
  if ((mode === undefined || mode === '') && (ack === undefined || ack === '')) return undefined;
  if (ack !== TEST_ONLY_ACK) throw new ConfigError(TEST_BREAK_ENV, `breaks the broker on purpose, for the validator's tests only; it needs ${TEST_ONLY_ENV}=${TEST_ONLY_ACK} too`);
  const known = TEST_BREAKS.find((b) => b === mode);
  if (known === undefined) throw new ConfigError(TEST_BREAK_ENV, `must be one of ${TEST_BREAKS.join(', ')} (with ${TEST_ONLY_ENV} set)`);
  return known;
}

/**
 * The real broker, plus one extra execution that no record mentions:
 * execute-twice runs an allowed mutation again on fresh live state (so the
 * write's precondition holds); execute-after-deny runs a denied one anyway.
 */
export class BrokenBroker extends Broker {
  private readonly byPlatform: ReadonlyMap<PlatformName, PlatformAdapter>;

  constructor(
    private readonly brokenConfig: BrokerConfig,
    readonly testBreak: TestBreak,
  ) {
    super(brokenConfig);
    this.byPlatform = new Map(brokenConfig.platforms.map((p) => [p.name, p]));
  }

  override async execute(requestBytes: Uint8Array): Promise<ExecutionResult> {
    const result = await super.execute(requestBytes);
    const wanted = this.testBreak === 'execute-twice' ? result.outcome === 'succeeded' : result.decision.decision === 'deny';
    if (wanted) await this.executeUnrecorded(requestBytes).catch(() => undefined);
    return result;
  }

  private async executeUnrecorded(requestBytes: Uint8Array): Promise<void> {
    const c = this.brokenConfig;
    const verified = verifyRequest(requestBytes, c.policy, c.state(), (c.clock ?? Date.now)());
    if (!verified.ok) return;
    const adapter = this.byPlatform.get(verified.request.contract.platform);
    if (adapter === undefined) return;
    const plan = adapter.plan(verified.request.contract);
    const identity = await adapter.mint(plan, verified.certificate.claims);
    try {
      await adapter.invoke(plan, identity, await adapter.readLiveState(plan));
    } finally {
      await adapter.retire(identity);
    }
  }
}
