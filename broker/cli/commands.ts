// Every `seb` subcommand, in the order `seb --help` lists them. Each is
// loaded only when it runs: `seb verify` must start fast (fuzzers spawn it
// per case) and should not pay for the AWS SDK, Vega or fast-check.
import type { Command } from './command.js';

export interface CommandEntry {
  readonly words: readonly string[];
  load(): Promise<Command>;
}

const entry = (words: string, load: () => Promise<Command>): CommandEntry => ({ words: words.split(' '), load });

export const COMMANDS: readonly CommandEntry[] = [
  entry('sab keygen', async () => (await import('./sab-keygen.js')).sabKeygen),
  entry('sab issue', async () => (await import('./sab-issue.js')).sabIssue),
  entry('verify', async () => (await import('./verify.js')).verify),
  entry('state', async () => (await import('./state.js')).state),
  entry('execute', async () => (await import('./execute.js')).execute),
  entry('serve', async () => (await import('./serve.js')).serve),
  entry('target up', async () => (await import('./target-up.js')).targetUp),
  entry('target bootstrap', async () => (await import('./target-bootstrap.js')).targetBootstrap),
  entry('target teardown', async () => (await import('./target-teardown.js')).targetTeardown),
  entry('bench paper', async () => (await import('./bench-paper.js')).benchPaper),
  entry('bench micro', async () => (await import('./bench-micro.js')).benchMicro),
  entry('bench revocation', async () => (await import('./bench-revocation.js')).benchRevocation),
  entry('bench faults', async () => (await import('./bench-faults.js')).benchFaults),
  entry('bench compare', async () => (await import('./bench-compare.js')).benchCompare),
  entry('report', async () => (await import('./report.js')).report),
  entry('audit verify', async () => (await import('./audit-verify.js')).auditVerify),
  entry('audit head', async () => (await import('./audit-head.js')).auditHead),
  entry('audit export', async () => (await import('./audit-export.js')).auditExport),
  entry('fuzz', async () => (await import('./fuzz.js')).fuzz),
];
