// The harness's `seb` subcommands, loaded only when they run, and the one
// `seb` command: the broker's commands, then these. The broker never loads
// this file; bin/seb.js composes the two.
import { BROKER_COMMANDS, entry, type CommandEntry } from '../../broker/cli/commands.js';

export const HARNESS_COMMANDS: readonly CommandEntry[] = [
  entry('target up', async () => (await import('./target-up.js')).targetUp),
  entry('target bootstrap', async () => (await import('./target-bootstrap.js')).targetBootstrap),
  entry('target teardown', async () => (await import('./target-teardown.js')).targetTeardown),
  entry('bench all', async () => (await import('./bench-all.js')).benchAll),
  entry('bench paper', async () => (await import('./bench-paper.js')).benchPaper),
  entry('bench micro', async () => (await import('./bench-micro.js')).benchMicro),
  entry('bench revocation', async () => (await import('./bench-revocation.js')).benchRevocation),
  entry('bench floor', async () => (await import('./bench-floor.js')).benchFloor),
  entry('bench faults', async () => (await import('./bench-faults.js')).benchFaults),
  entry('bench compare', async () => (await import('./bench-compare.js')).benchCompare),
  entry('report', async () => (await import('./report.js')).report),
  entry('fuzz', async () => (await import('./fuzz.js')).fuzz),
];

export const SEB_COMMANDS: readonly CommandEntry[] = [...BROKER_COMMANDS, ...HARNESS_COMMANDS];
