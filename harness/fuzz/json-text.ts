// A JSON writer with spellings: member order, whitespace, number and string
// forms that all decode to the same value, plus raw members injected at a
// path (duplicates, `__proto__`, anything) and raw value text. The fuzzer
// spells the same document many ways; a verifier must decide them alike.
import type { JsonValue } from '../../broker/core/strict-json.js';

export interface JsonStyle {
  readonly order?: 'as-is' | 'reversed';
  readonly space?: 'none' | 'pretty' | 'odd';
  /** Integers as 3, 3.0, 3E+0 (trailing zeros moved to the exponent), or 0 as -0. */
  readonly numbers?: 'plain' | 'decimal' | 'exponent' | 'negative-zero';
  /** Strings minimal, every code unit as \uXXXX, or with / as \/. */
  readonly strings?: 'minimal' | 'escape-all' | 'escape-solidus';
}

export interface Injection {
  /** Member names from the root to the object that receives the member. */
  readonly at: readonly string[];
  /** Raw member text, e.g. `"iss":"x"`. */
  readonly member: string;
}

/** A value written verbatim: numbers no parser accepts, and the like. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type StyledValue = JsonValue | RawJson | StyledValue[] | { [key: string]: StyledValue };

export function writeJson(value: StyledValue, style: JsonStyle = {}, injections: readonly Injection[] = []): string {
  return new Writer(style, injections).value(value, [], 0);
}

class Writer {
  constructor(
    private readonly style: JsonStyle,
    private readonly injections: readonly Injection[],
  ) {}

  value(v: StyledValue, path: readonly string[], depth: number): string {
    if (v instanceof RawJson) return v.text;
    if (v === null || typeof v === 'boolean') return String(v);
    if (typeof v === 'number') return this.number(v);
    if (typeof v === 'string') return this.string(v);
    if (Array.isArray(v)) return this.container('[', ']', v.map((item) => this.value(item, [...path, '[]'], depth + 1)), depth);
    const names = Object.keys(v);
    if (this.style.order === 'reversed') names.reverse();
    const colon = this.style.space === 'odd' ? ' :\t' : this.style.space === 'pretty' ? ': ' : ':';
    const members = names.map((name) => `${this.string(name)}${colon}${this.value(v[name] as StyledValue, [...path, name], depth + 1)}`);
    for (const injection of this.injections) {
      if (samePath(injection.at, path)) members.push(injection.member);
    }
    return this.container('{', '}', members, depth);
  }

  private container(open: string, close: string, items: string[], depth: number): string {
    if (this.style.space === 'pretty') {
      if (items.length === 0) return `${open}${close}`;
      const inner = '  '.repeat(depth + 1);
      return `${open}\n${inner}${items.join(`,\n${inner}`)}\n${'  '.repeat(depth)}${close}`;
    }
    if (this.style.space === 'odd') return `${open} \t${items.join('\r\n,')}\n${close}`;
    return `${open}${items.join(',')}${close}`;
  }

  private number(n: number): string {
    const plain = JSON.stringify(n);
    if (!Number.isSafeInteger(n)) return plain;
    switch (this.style.numbers) {
      case 'decimal':
        return `${plain}.0`;
      case 'exponent': {
        let mantissa = n;
        let exponent = 0;
        while (mantissa !== 0 && mantissa % 10 === 0) {
          mantissa /= 10;
          exponent++;
        }
        return `${JSON.stringify(mantissa)}E+${exponent}`;
      }
      case 'negative-zero':
        return n === 0 ? '-0' : plain;
      default:
        return plain;
    }
  }

  private string(s: string): string {
    if (this.style.strings === 'escape-all') {
      let out = '"';
      for (let i = 0; i < s.length; i++) out += `\\u${s.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
      return `${out}"`;
    }
    const plain = JSON.stringify(s);
    return this.style.strings === 'escape-solidus' ? plain.replaceAll('/', '\\/') : plain;
  }
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
