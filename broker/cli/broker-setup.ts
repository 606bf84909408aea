// What `seb serve` and `seb execute` share: settings from the file, the
// target they mutate, and the broker assembled over that target's adapters.
import { resolve } from 'node:path';
import { adaptersFor, readTargetFile } from '../platforms/from-target.js';
import { assembleBroker, type AssembledBroker } from '../config/assemble.js';
import { loadBrokerSettings, type BrokerSettings } from '../config/broker-config.js';
import { ConfigError } from '../core/errors.js';
import { readJsonFile } from '../files.js';
import { testBreakFromEnv } from '../test-break.js';

/** Where `seb target up local` writes target.json, keys and broker.yaml, and where `local` finds them. */
export const DEFAULT_LOCAL_DIR = '.seb/local';

export interface RunningBroker extends AssembledBroker {
  readonly settings: BrokerSettings;
}

/** `local` means the target that `seb target up local` is running; anything else is a path to a target.json. */
export function targetFile(target: string): string {
  return target === 'local' ? resolve(DEFAULT_LOCAL_DIR, 'target.json') : resolve(target);
}

export function defaultConfigFor(target: string | undefined): string {
  return target === undefined || target === 'local' ? resolve(DEFAULT_LOCAL_DIR, 'broker.yaml') : resolve('broker.yaml');
}

export async function openBroker(configPath: string, targetOverride: string | undefined): Promise<RunningBroker> {
  const settings = loadBrokerSettings(configPath);
  const file = targetOverride === undefined ? settings.target : targetFile(targetOverride);
  if (file === undefined) throw new ConfigError(`${configPath}: target`, 'no target: set it in the file or pass --target');
  const target = readTargetFile(file);
  const platforms = adaptersFor(target, { kubernetesMode: settings.kubernetes.mode });
  const testBreak = testBreakFromEnv(process.env);
  const assembled = await assembleBroker(settings, platforms.adapters, { ...clockOffset(process.env[CLOCK_OFFSET_ENV]), ...(testBreak === undefined ? {} : { testBreak }) });
  return {
    ...assembled,
    settings,
    async close() {
      await assembled.close();
      platforms.close();
    },
  };
}

/**
 * Fault injection only (the fault matrix's clock skew on one broker): shifts
 * this process's clock by a whole number of ms. Unset in any real deployment.
 */
export const CLOCK_OFFSET_ENV = 'SEB_FAULT_CLOCK_OFFSET_MS';

export function clockOffset(raw: string | undefined): { clock?: () => number } {
  if (raw === undefined || raw === '') return {};
  const offset = Number(raw);
  if (!Number.isSafeInteger(offset)) throw new ConfigError(CLOCK_OFFSET_ENV, `must be an integer number of ms, not ${JSON.stringify(raw)}`);
  return { clock: () => Date.now() + offset };
}
