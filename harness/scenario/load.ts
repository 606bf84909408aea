// Read scenario files strictly: YAML with source positions, so that every
// error reads `scenarios/x.yaml:12: load.rate_rps: must be a positive number`,
// one line per error, all of a file's errors at once. A `quick:` block
// (fields in QUICK_FIELDS, deep-merged over the file; lists replace) shrinks
// a scenario for the quick profile; it is checked in both profiles.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InvalidInputError, IoError } from '../../broker/core/errors.js';
import { formatPath, type Issue, type Path } from './check.js';
import { checkFleetScenario, FLEET_QUICK_FIELDS, type FleetScenario } from './fleet-schema.js';
import { checkScenario, QUICK_FIELDS, type Scenario } from './schema.js';

export type Profile = 'full' | 'quick';

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** As given, relative to the working directory when inside it. */
  readonly file: string;
  /** SHA-256 (hex) of the file's bytes: what was run, whichever profile. */
  readonly sha256: string;
  readonly profile: Profile;
}

const MAX_BYTES = 256 * 1024;
const MAX_ERRORS = 25;

export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** A schema the loader checks a file against: the paper's scenarios, or the fleet's (revocation, faults). */
interface ScenarioSchema<T> {
  check(value: unknown): { scenario?: T; issues: Issue[] };
  /** Top-level fields a `quick:` block may override. */
  readonly quickFields: readonly string[];
}

const PAPER_SCHEMA: ScenarioSchema<Scenario> = { check: checkScenario, quickFields: QUICK_FIELDS };
const FLEET_SCHEMA: ScenarioSchema<FleetScenario> = { check: checkFleetScenario, quickFields: FLEET_QUICK_FIELDS };

export function loadScenarioFile(file: string, profile: Profile = 'full'): LoadedScenario {
  return loadFile(file, profile, PAPER_SCHEMA);
}

export interface LoadedFleetScenario extends Omit<LoadedScenario, 'scenario'> {
  readonly scenario: FleetScenario;
}

/** A revocation or faults scenario (scenarios/revocation/, scenarios/faults/). */
export function loadFleetScenarioFile(file: string, profile: Profile = 'full'): LoadedFleetScenario {
  return loadFile(file, profile, FLEET_SCHEMA);
}

function loadFile<T>(file: string, profile: Profile, schema: ScenarioSchema<T>): { scenario: T; file: string; sha256: string; profile: Profile } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new IoError(`${displayPath(file)}: cannot read scenario: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (bytes.length > MAX_BYTES) throw new InvalidInputError(`${displayPath(file)}:1: (top level): larger than ${MAX_BYTES} bytes`);
  const scenario = parseWith(schema, bytes.toString('utf8'), displayPath(file), profile);
  return { scenario, file: displayPath(file), sha256: createHash('sha256').update(bytes).digest('hex'), profile };
}

/** Parse and check one scenario's text; `name` is what errors call the file. */
export function parseScenario(text: string, name: string, profile: Profile = 'full'): Scenario {
  return parseWith(PAPER_SCHEMA, text, name, profile);
}

/** Parse and check one fleet scenario's text (revocation, faults). */
export function parseFleetScenario(text: string, name: string, profile: Profile = 'full'): FleetScenario {
  return parseWith(FLEET_SCHEMA, text, name, profile);
}

function parseWith<T>(schema: ScenarioSchema<T>, text: string, name: string, profile: Profile): T {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true, version: '1.2' });
  const fail = (messages: string[]): never => {
    // In the order of the file: `name:line: ...` sorted by line, stable within a line.
    const lineNo = (m: string) => Number(/^.*?:(\d+): /.exec(m.slice(name.length))?.[1] ?? 0);
    const shown = messages
      .map((m, k) => ({ m, k }))
      .sort((a, b) => lineNo(a.m) - lineNo(b.m) || a.k - b.k)
      .map(({ m }) => m)
      .slice(0, MAX_ERRORS);
    if (messages.length > MAX_ERRORS) shown.push(`${name}: … and ${messages.length - MAX_ERRORS} more errors`);
    throw new InvalidInputError(shown.join('\n'));
  };
  if (doc.errors.length > 0) fail(doc.errors.map((e) => `${name}:${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`));

  const root = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const at = (issue: Issue, prefix: Path = []): string => {
    const full = [...prefix, ...issue.path];
    return `${name}:${lineOf(doc, full, lines, issue.atKey ?? false)}: ${formatPath(full)}: ${issue.message}`;
  };
  if (typeof root !== 'object' || root === null || Array.isArray(root)) fail([`${name}:1: (top level): must be a mapping`]);
  const { quick, ...base } = root as Record<string, unknown>;

  const messages: string[] = [];
  const checkedBase = schema.check(base);
  messages.push(...checkedBase.issues.map((i) => at(i)));

  let checkedQuick: ReturnType<typeof schema.check> | undefined;
  if (quick !== undefined) {
    const quickIssues = checkQuickBlock(quick, schema.quickFields);
    messages.push(...quickIssues.map((i) => at(i, ['quick'])));
    if (quickIssues.length === 0) {
      checkedQuick = schema.check(deepMerge(base, quick as Record<string, unknown>));
      const seen = new Set(checkedBase.issues.map((i) => `${formatPath(i.path)}\0${i.message}`));
      for (const issue of checkedQuick.issues) {
        // An issue at a path the quick block sets is the quick block's; any other was reported against the base.
        if (hasNode(doc, ['quick', ...issue.path])) messages.push(at(issue, ['quick']));
        else if (!seen.has(`${formatPath(issue.path)}\0${issue.message}`)) messages.push(at(issue));
      }
    }
  }
  if (messages.length > 0) fail(messages);
  const chosen = profile === 'quick' && checkedQuick !== undefined ? checkedQuick.scenario : checkedBase.scenario;
  return chosen as T;
}

function checkQuickBlock(quick: unknown, fields: readonly string[]): Issue[] {
  if (typeof quick !== 'object' || quick === null || Array.isArray(quick)) return [{ path: [], message: 'must be a mapping' }];
  return Object.keys(quick)
    .filter((k) => !fields.includes(k))
    .map((k) => ({ path: [k], message: `cannot be overridden in quick (only ${fields.join(', ')})`, atKey: true }));
}

/** Mappings merge key by key; anything else (lists, scalars) replaces. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isRecord(prev) && isRecord(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The deepest node along path; with atKey, the key of the last step. */
function locate(doc: Document, path: Path, atKey: boolean): { node: Node | undefined; complete: boolean } {
  let node: Node | undefined = (doc.contents ?? undefined) as Node | undefined;
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
      if (pair === undefined) return { node, complete: false };
      node = (last && atKey ? pair.key : (pair.value ?? pair.key)) as Node;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (item === undefined) return { node, complete: false };
      node = item;
    } else {
      return { node, complete: false };
    }
  }
  return { node, complete: true };
}

function hasNode(doc: Document, path: Path): boolean {
  return locate(doc, path, false).complete;
}

function lineOf(doc: Document, path: Path, lines: LineCounter, atKey: boolean): number {
  const { node } = locate(doc, path, atKey);
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : lines.linePos(offset).line;
}
