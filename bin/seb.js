#!/usr/bin/env node
// The CLI is compiled TypeScript; `make build` (run by both README commands) produces dist/.
// The AWS SDK warns on every start that releases after January 2027 need Node 22; the lock
// file pins releases that support Node 20, which these machines run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// One `seb` command: the broker's subcommands and the harness's, each loaded only when it runs.
const { main } = await import('../dist/broker/cli/main.js');
const { SEB_COMMANDS } = await import('../dist/harness/cli/commands.js');

process.exitCode = await main(process.argv.slice(2), SEB_COMMANDS);
