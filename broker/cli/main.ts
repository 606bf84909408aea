// Entry point of the `seb` command: finds the subcommand by its words, parses
// its flags strictly, and turns every error into one line and an exit code.
import { SebError } from '../core/errors.js';
import type { CommandEntry } from './commands.js';
import { helpText, parseFlags } from './command.js';

/** Exit codes: 0 success or allow, 1 deny or a failed check, 2 usage or input error, 70 an internal fault. */
export const EXIT_USAGE = 2;
const EXIT_INTERNAL = 70;

/** Runs the command `argv` names among `commands` (bin/seb.js passes the broker's and the harness's). */
export async function main(argv: string[], commands: readonly CommandEntry[]): Promise<number> {
  const found = findCommand(argv, commands);
  if (found === undefined) {
    const wantsHelp = argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help';
    (wantsHelp ? process.stdout : process.stderr).write(`${await overview(argv, commands)}\n`);
    return wantsHelp ? 0 : EXIT_USAGE;
  }
  const { entry, rest } = found;
  try {
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${helpText(command)}\n`);
      return 0;
    }
    const { flags, positionals } = parseFlags(command, rest);
    return await command.run(flags, positionals);
  } catch (error) {
    return reportError(error);
  }
}

function findCommand(argv: string[], commands: readonly CommandEntry[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const entry of commands) {
    const matches = entry.words.every((word, i) => argv[i] === word);
    if (matches && (best === undefined || entry.words.length > best.words.length)) best = entry;
  }
  return best === undefined ? undefined : { entry: best, rest: argv.slice(best.words.length) };
}

/** The list of commands with their summaries: the one place that loads them all. */
async function overview(argv: string[], commands: readonly CommandEntry[]): Promise<string> {
  const prefix = argv.filter((a) => !a.startsWith('-'));
  const unknown = prefix.length > 0 && !commands.some((c) => c.words[0] === prefix[0]);
  const lines = unknown ? [`seb: unknown command ${JSON.stringify(prefix.join(' '))}`, ''] : [];
  lines.push('Usage: seb <command> [flags]   (seb <command> --help for its flags)', '', 'Commands:');
  const width = Math.max(...commands.map((c) => c.words.join(' ').length)) + 4;
  for (const entry of commands) lines.push(`  ${entry.words.join(' ').padEnd(width)}${(await entry.load()).summary}`);
  return lines.join('\n');
}

export function reportError(error: unknown): number {
  if (error instanceof SebError) {
    process.stderr.write(`seb: ${error.message}\n`);
    return error.code === 'integrity' ? 1 : EXIT_USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`seb: internal error: ${message.split('\n')[0]}\n`);
  if (process.env.SEB_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT_INTERNAL;
}
