// A strict JSON reader for untrusted input (RFC 8259 grammar, I-JSON rules of
// RFC 7493): it rejects duplicate member names instead of keeping the last,
// lone surrogates, non-finite numbers, and nesting deeper than a cap. The size
// cap is the caller's, checked on the bytes before this runs.
import { InvalidInputError } from './errors.js';
import { MAX_JSON_DEPTH } from './limits.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decode UTF-8 bytes, rejecting invalid sequences and a byte-order mark. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new InvalidInputError(`${what}: not valid UTF-8`);
  }
  if (text.charCodeAt(0) === 0xfeff) throw new InvalidInputError(`${what}: byte-order mark is not allowed`);
  return text;
}

export function parseStrictJson(text: string, what: string, maxDepth = MAX_JSON_DEPTH): JsonValue {
  const reader = new Reader(text, what, maxDepth);
  reader.skipWhitespace();
  const value = reader.readValue(0);
  reader.skipWhitespace();
  if (reader.pos !== text.length) reader.fail('unexpected data after the JSON value');
  return value;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Characters that need the slow path inside a string: quote, backslash, controls, surrogates.
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Reader {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly what: string,
    private readonly maxDepth: number,
  ) {}

  fail(message: string): never {
    throw new InvalidInputError(`${this.what}: ${message} at offset ${this.pos}`);
  }

  skipWhitespace(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  readValue(depth: number): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.readObject(depth + 1);
      case '[':
        return this.readArray(depth + 1);
      case '"':
        return this.readString();
      case 't':
        return this.readLiteral('true', true);
      case 'f':
        return this.readLiteral('false', false);
      case 'n':
        return this.readLiteral('null', null);
      default:
        return this.readNumber();
    }
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
  }

  private readObject(depth: number): JsonObject {
    this.enter(depth);
    this.pos++;
    const out: JsonObject = {};
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('expected a member name');
      const name = this.readString();
      if (Object.hasOwn(out, name)) this.fail(`duplicate member name ${JSON.stringify(name)}`);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.skipWhitespace();
      const value = this.readValue(depth);
      // Assigning "__proto__" would set the prototype; define it as plain data instead.
      // (A null-prototype object would do too, but V8 keeps those in slow dictionary mode.)
      if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
      else out[name] = value;
      this.skipWhitespace();
      const sep = this.text[this.pos];
      this.pos++;
      if (sep === '}') return out;
      if (sep !== ',') this.fail("expected ',' or '}'");
      this.skipWhitespace();
    }
  }

  private readArray(depth: number): JsonValue[] {
    this.enter(depth);
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.readValue(depth));
      this.skipWhitespace();
      const sep = this.text[this.pos];
      this.pos++;
      if (sep === ']') return out;
      if (sep !== ',') this.fail("expected ',' or ']'");
      this.skipWhitespace();
    }
  }

  readString(): string {
    const t = this.text;
    const start = this.pos + 1;
    const end = t.indexOf('"', start);
    if (end < 0) this.fail('unterminated string');
    const fast = t.slice(start, end);
    if (PLAIN_STRING.test(fast)) {
      this.pos = end + 1;
      return fast;
    }
    return this.readEscapedString(start);
  }

  private readEscapedString(start: number): string {
    const t = this.text;
    let p = start;
    let out = '';
    for (;;) {
      if (p >= t.length) {
        this.pos = p;
        this.fail('unterminated string');
      }
      let code = t.charCodeAt(p);
      if (code === 0x22) break;
      if (code < 0x20) {
        this.pos = p;
        this.fail('control character in string');
      }
      if (code === 0x5c) {
        const e = t[p + 1];
        if (e === 'u') {
          const hex = t.slice(p + 2, p + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = p;
            this.fail('bad \\u escape');
          }
          code = parseInt(hex, 16);
          p += 6;
        } else {
          const plain = e === undefined ? undefined : ESCAPES[e];
          if (plain === undefined) {
            this.pos = p;
            this.fail('bad escape');
          }
          out += plain;
          p += 2;
          continue;
        }
      } else {
        p++;
      }
      // Reassemble surrogate pairs; a lone surrogate is not I-JSON.
      if (code >= 0xd800 && code <= 0xdbff) {
        const low = this.peekLowSurrogate(p);
        if (low === null) {
          this.pos = p;
          this.fail('lone surrogate in string');
        }
        out += String.fromCharCode(code, low.code);
        p = low.next;
      } else if (code >= 0xdc00 && code <= 0xdfff) {
        this.pos = p;
        this.fail('lone surrogate in string');
      } else {
        out += String.fromCharCode(code);
      }
    }
    this.pos = p + 1;
    return out;
  }

  private peekLowSurrogate(p: number): { code: number; next: number } | null {
    const t = this.text;
    const direct = t.charCodeAt(p);
    if (direct >= 0xdc00 && direct <= 0xdfff) return { code: direct, next: p + 1 };
    if (t[p] === '\\' && t[p + 1] === 'u') {
      const hex = t.slice(p + 2, p + 6);
      if (/^[0-9a-fA-F]{4}$/.test(hex)) {
        const code = parseInt(hex, 16);
        if (code >= 0xdc00 && code <= 0xdfff) return { code, next: p + 6 };
      }
    }
    return null;
  }

  private readLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('unexpected token');
    this.pos += word.length;
    return value;
  }

  private readNumber(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null || m[0].length === 0) this.fail(this.pos >= this.text.length ? 'unexpected end' : 'unexpected token');
    const value = Number(m[0]);
    if (!Number.isFinite(value)) this.fail('number out of range');
    this.pos += m[0].length;
    return value;
  }
}
