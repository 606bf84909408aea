// A small, strict schema language for the scenario files: each check takes a
// plain value and its path, returns the typed value or undefined, and pushes
// one issue per problem. Objects refuse unknown fields. Pure; where the value
// came from (a file, a line) is the loader's business.

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Issue {
  readonly path: Path;
  readonly message: string;
  /** The problem is the key itself (an unknown field), not its value. */
  readonly atKey?: boolean;
}

export type Check<T> = (value: unknown, path: Path, issues: Issue[]) => T | undefined;
export type Checked<C> = C extends Check<infer T> ? T : never;

export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? '(top level)' : out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(o: { pattern?: RegExp; describe?: string; maxLength?: number } = {}): Check<string> {
  return (v, path, issues) => {
    if (typeof v !== 'string' || v.length === 0) return void issues.push({ path, message: 'must be a non-empty string' });
    if (o.maxLength !== undefined && v.length > o.maxLength) return void issues.push({ path, message: `must be at most ${o.maxLength} characters` });
    if (o.pattern !== undefined && !o.pattern.test(v)) return void issues.push({ path, message: `must be ${o.describe ?? `a string matching ${o.pattern.source}`}` });
    return v;
  };
}

export function bool(): Check<boolean> {
  return (v, path, issues) => (typeof v === 'boolean' ? v : void issues.push({ path, message: 'must be true or false' }));
}

export function oneOf<const T extends string>(values: readonly T[]): Check<T> {
  return (v, path, issues) =>
    typeof v === 'string' && (values as readonly string[]).includes(v)
      ? (v as T)
      : void issues.push({ path, message: `must be one of ${values.join(', ')}` });
}

/** A finite number; `positive` excludes 0, `integer` excludes fractions. */
export function num(o: { integer?: boolean; positive?: boolean; min?: number; max?: number } = {}): Check<number> {
  const what = [o.positive ? 'a positive' : o.min === 0 ? 'a non-negative' : 'a', o.integer ? 'integer' : 'number'].join(' ');
  return (v, path, issues) => {
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!o.integer || Number.isSafeInteger(v)) &&
      (!o.positive || v > 0) &&
      (o.min === undefined || v >= o.min) &&
      (o.max === undefined || v <= o.max);
    if (ok) return v;
    const range = [o.min !== undefined && o.min !== 0 ? `>= ${o.min}` : '', o.max !== undefined ? `<= ${o.max}` : ''].filter(Boolean).join(' and ');
    issues.push({ path, message: `must be ${what}${range ? ` ${range}` : ''}` });
    return undefined;
  };
}

export function list<T>(item: Check<T>, o: { min?: number; max?: number; unique?: boolean } = {}): Check<T[]> {
  return (v, path, issues) => {
    if (!Array.isArray(v)) return void issues.push({ path, message: 'must be a list' });
    if (o.min !== undefined && v.length < o.min) return void issues.push({ path, message: `must have at least ${o.min} item${o.min === 1 ? '' : 's'}` });
    if (o.max !== undefined && v.length > o.max) return void issues.push({ path, message: `must have at most ${o.max} items` });
    const before = issues.length;
    const out = v.map((x, i) => item(x, [...path, i], issues));
    if (o.unique) {
      v.forEach((x, i) => v.indexOf(x) !== i && issues.push({ path: [...path, i], message: `repeats ${JSON.stringify(x)}` }));
    }
    return issues.length === before ? (out as T[]) : undefined;
  };
}

type Fields = Readonly<Record<string, Check<unknown>>>;
export type ObjectOf<R extends Fields, O extends Fields> = { -readonly [K in keyof R]: Checked<R[K]> } & { -readonly [K in keyof O]?: Checked<O[K]> };

/** An object with required and optional fields; anything else is an error at its key. */
export function obj<R extends Fields, O extends Fields = Record<never, never>>(required: R, optional?: O): Check<ObjectOf<R, O>> {
  const opt: Fields = optional ?? {};
  return (v, path, issues) => {
    if (!isPlainObject(v)) return void issues.push({ path, message: 'must be a mapping' });
    const before = issues.length;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      if (!(key in required) && !(key in opt)) {
        const known = [...Object.keys(required), ...Object.keys(opt)];
        issues.push({ path: [...path, key], message: `unknown field (expected one of ${known.join(', ')})`, atKey: true });
      }
    }
    for (const [key, check] of Object.entries(required)) {
      if (v[key] === undefined || v[key] === null) issues.push({ path: [...path, key], message: 'is required' });
      else out[key] = check(v[key], [...path, key], issues);
    }
    for (const [key, check] of Object.entries(opt)) {
      if (v[key] !== undefined && v[key] !== null) out[key] = check(v[key], [...path, key], issues);
    }
    return issues.length === before ? (out as ObjectOf<R, O>) : undefined;
  };
}

/** Objects told apart by one field (e.g. load.mode): the field picks the shape. */
export function tagged<K extends string, V extends Readonly<Record<string, Check<unknown>>>>(key: K, variants: V): Check<Checked<V[keyof V]>> {
  const names = Object.keys(variants);
  return (v, path, issues) => {
    if (!isPlainObject(v)) return void issues.push({ path, message: 'must be a mapping' });
    const tag = v[key];
    if (tag === undefined || tag === null) return void issues.push({ path: [...path, key], message: `is required (one of ${names.join(', ')})` });
    const variant = typeof tag === 'string' && Object.hasOwn(variants, tag) ? variants[tag] : undefined;
    if (variant === undefined) return void issues.push({ path: [...path, key], message: `must be one of ${names.join(', ')}` });
    return variant(v, path, issues) as Checked<V[keyof V]> | undefined;
  };
}
