// The broker's `seb` subcommands, in the order `seb --help` lists them; the
// harness adds its own (harness/cli/commands.ts). Each is loaded only when it
// runs: `seb verify` must start fast (fuzzers spawn it per case) and should
// not pay for the AWS SDK, Vega or fast-check.
import type { Command } from './command.js';

export interface CommandEntry {
  readonly words: readonly string[];
  load(): Promise<Command>;
}

export const entry = (words: string, load: () => Promise<Command>): CommandEntry => ({ words: words.split(' '), load });

export const BROKER_COMMANDS: readonly CommandEntry[] = [
  entry('sab keygen', async () => (await import('./sab-keygen.js')).sabKeygen),
  entry('sab issue', async () => (await import('./sab-issue.js')).sabIssue),
  entry('verify', async () => (await import('./verify.js')).verify),
  entry('state', async () => (await import('./state.js')).state),
  entry('execute', async () => (await import('./execute.js')).execute),
  entry('serve', async () => (await import('./serve.js')).serve),
  entry('audit verify', async () => (await import('./audit-verify.js')).auditVerify),
  entry('audit head', async () => (await import('./audit-head.js')).auditHead),
  entry('audit export', async () => (await import('./audit-export.js')).auditExport),
];
