// One shape for every subcommand: its words, a summary, its flags, and what it
// runs. Help text and strict flag parsing are derived from this, so every flag
// a command accepts is described in its --help.
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly value?: string; // placeholder shown in help, e.g. FILE
  readonly default?: string;
  readonly required?: boolean;
  readonly multiple?: boolean;
  readonly short?: string;
  /** Another flag this one means nothing without: giving it alone is a usage error, never silently dropped. */
  readonly requires?: string;
}

export type Flags = Readonly<Record<string, FlagSpec>>;

export type ParsedFlags<F extends Flags> = {
  readonly [K in keyof F]: F[K]['type'] extends 'boolean'
    ? boolean
    : F[K]['multiple'] extends true
      ? string[]
      : F[K]['required'] extends true
        ? string
        : F[K]['default'] extends string
          ? string
          : string | undefined;
};

export interface Command<F extends Flags = Flags> {
  readonly words: readonly string[];
  readonly summary: string;
  readonly usage?: string; // positional part of the synopsis
  readonly details?: string;
  readonly flags: F;
  readonly allowPositionals?: number;
  run(flags: ParsedFlags<F>, positionals: string[]): Promise<number>;
}

/** Type-checks a command's run() against its own flags, then erases them for the registry. */
export function defineCommand<F extends Flags>(command: Command<F>): Command {
  return command as unknown as Command;
}

export function parseFlags<F extends Flags>(command: Command<F>, argv: string[]): { flags: ParsedFlags<F>; positionals: string[] } {
  const name = command.words.join(' ');
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [flag, spec] of Object.entries(command.flags)) {
    options[flag] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  refuseDashValues(command, argv);
  let parsed;
  try {
    // Multiple is set everywhere so that a flag given twice is seen, then refused where it is not repeatable.
    const all = Object.fromEntries(Object.entries(options).map(([flag, o]) => [flag, { ...o, multiple: true }]));
    parsed = parseArgs({ args: argv, options: all, strict: true, allowPositionals: (command.allowPositionals ?? 0) > 0 });
  } catch (error) {
    throw new UsageError(`${name}: ${firstLine(error)}`);
  }
  const values: Record<string, unknown> = {};
  for (const [flag, given] of Object.entries(parsed.values) as [string, unknown[]][]) {
    if (command.flags[flag]?.multiple) values[flag] = given;
    else if (given.length > 1) throw new UsageError(`${name}: --${flag} given ${given.length} times; give it once`);
    else values[flag] = given[0];
  }
  for (const [flag, spec] of Object.entries(command.flags)) {
    if (spec.requires !== undefined && values[flag] !== undefined && values[spec.requires] === undefined) {
      throw new UsageError(`${name}: --${flag} needs --${spec.requires}`);
    }
  }
  for (const [flag, spec] of Object.entries(command.flags)) {
    if (values[flag] === undefined) {
      if (spec.required) throw new UsageError(`${name}: --${flag} is required`);
      if (spec.default !== undefined) values[flag] = spec.default;
      else if (spec.type === 'boolean') values[flag] = false;
      else if (spec.multiple) values[flag] = [];
    }
  }
  const max = command.allowPositionals ?? 0;
  if (parsed.positionals.length > max) {
    throw new UsageError(`${name}: unexpected argument ${JSON.stringify(parsed.positionals[max])}`);
  }
  return { flags: values as ParsedFlags<F>, positionals: parsed.positionals };
}

// `--now -5` leaves parseArgs unsure whether -5 is a value or a flag, and its
// message ("argument is ambiguous") does not say what to do. A string flag
// followed by a word starting with "-" is refused with the way to write it.
function refuseDashValues(command: Command, argv: string[]): void {
  const strings = new Set(Object.entries(command.flags).flatMap(([flag, spec]) => (spec.type === 'string' ? [`--${flag}`, ...(spec.short ? [`-${spec.short}`] : [])] : [])));
  for (let i = 0; i < argv.length - 1 && argv[i] !== '--'; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1] as string;
    if (strings.has(arg)) {
      if (next.startsWith('-') && next !== '-') {
        throw new UsageError(`${command.words.join(' ')}: ${arg} needs a value; to give one that starts with "-", write ${arg}=${next}`);
      }
      i++; // the value is not itself a flag
    }
  }
}

export function helpText(command: Command): string {
  const lines = [`Usage: seb ${command.words.join(' ')} [flags]${command.usage ? ` ${command.usage}` : ''}`, '', command.summary];
  if (command.details) lines.push('', command.details);
  lines.push('', 'Flags:');
  const entries = Object.entries(command.flags).map(([name, spec]) => {
    const left = `  --${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    const notes = [spec.required ? 'required' : '', spec.default !== undefined ? `default ${spec.default}` : '', spec.multiple ? 'repeatable' : '', spec.requires ? `needs --${spec.requires}` : '']
      .filter(Boolean)
      .join(', ');
    return [left, `${spec.description}${notes ? ` (${notes})` : ''}`] as const;
  });
  entries.push(['  --help', 'show this help']);
  const width = Math.max(...entries.map(([left]) => left.length)) + 2;
  for (const [left, right] of entries) lines.push(left.padEnd(width) + right);
  return lines.join('\n');
}

/** Parse a flag value as a safe integer, naming the flag when it is not one. */
export function intFlag(name: string, value: string | undefined, { min = Number.MIN_SAFE_INTEGER } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?[0-9]+$/.test(value)) throw new UsageError(`--${name}: expected an integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name}: out of range: ${value}`);
  if (n < min) throw new UsageError(`--${name}: must be at least ${min}, got ${value}`);
  return n;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'invalid arguments';
}
