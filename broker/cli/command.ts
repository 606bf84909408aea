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
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(command.flags)) {
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: (command.allowPositionals ?? 0) > 0 });
  } catch (error) {
    throw new UsageError(`${command.words.join(' ')}: ${firstLine(error)}`);
  }
  const values: Record<string, unknown> = { ...parsed.values };
  for (const [name, spec] of Object.entries(command.flags)) {
    if (values[name] === undefined) {
      if (spec.required) throw new UsageError(`${command.words.join(' ')}: --${name} is required`);
      if (spec.default !== undefined) values[name] = spec.default;
      else if (spec.type === 'boolean') values[name] = false;
      else if (spec.multiple) values[name] = [];
    }
  }
  const max = command.allowPositionals ?? 0;
  if (parsed.positionals.length > max) {
    throw new UsageError(`${command.words.join(' ')}: unexpected argument ${JSON.stringify(parsed.positionals[max])}`);
  }
  return { flags: values as ParsedFlags<F>, positionals: parsed.positionals };
}

export function helpText(command: Command): string {
  const lines = [`Usage: seb ${command.words.join(' ')} [flags]${command.usage ? ` ${command.usage}` : ''}`, '', command.summary];
  if (command.details) lines.push('', command.details);
  lines.push('', 'Flags:');
  const entries = Object.entries(command.flags).map(([name, spec]) => {
    const left = `  --${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    const notes = [spec.required ? 'required' : '', spec.default !== undefined ? `default ${spec.default}` : '', spec.multiple ? 'repeatable' : '']
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
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name}: out of range: ${value}`);
  return n;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'invalid arguments';
}
