// File helpers for commands: reads that fail with a typed error naming the
// file, and writes that never leave a partial file behind.
import { closeSync, mkdirSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { IoError } from './core/errors.js';
import { decodeUtf8, parseStrictJson, type JsonValue } from './core/strict-json.js';

/** Read at most max + 1 bytes: the caller sees that the file is too large without reading it whole. */
export function readBytesCapped(path: string, what: string, max: number): Buffer {
  const fail = (error: unknown) => new IoError(`${what}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fail(error);
  }
  try {
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      length += n;
      if (n === 0 || length === buffer.length) return buffer.subarray(0, length);
    }
  } catch (error) {
    throw fail(error);
  } finally {
    closeSync(fd);
  }
}

/** Read a JSON file strictly; a broken file is the user's input error, named by path. */
export function readJsonFile(path: string, what: string, maxBytes = 1024 * 1024): JsonValue {
  const bytes = readBytesCapped(path, what, maxBytes);
  if (bytes.length > maxBytes) throw new IoError(`${what}: ${path} is larger than ${maxBytes} bytes`);
  return parseStrictJson(decodeUtf8(bytes, `${what} ${path}`), `${what} ${path}`);
}

/** Write through a temporary file and rename, so readers never see half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
  renameSync(tmp, path);
}
