// File helpers for commands: reads that fail with a typed error naming the
// file, and writes that never leave a partial file behind. Only regular files
// are read or replaced: opening a FIFO blocks until a writer comes (a hang),
// and renaming over a device or FIFO replaces it (as root, `--out /dev/null`
// replaced /dev/null).
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { IoError } from './core/errors.js';
import { decodeUtf8, parseStrictJson, type JsonValue } from './core/strict-json.js';

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'error';

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * A path that a store (SQLite) will open: it must be a regular file (symlinks
 * followed), or absent when the store may create it. Checked before the open,
 * because SQLite blocks on a FIFO and reports a directory as an internal error.
 */
export function requireRegularFile(path: string, what: string, options: { mayBeAbsent?: boolean } = {}): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if (errno(error) === 'ENOENT' && options.mayBeAbsent === true) return;
    throw new IoError(`${what}: cannot read ${path}: ${errno(error)}`);
  }
  if (!stats.isFile()) throw new IoError(`${what}: ${path} is ${kindOf(stats)}, not a regular file`);
}

/** Read at most max + 1 bytes: the caller sees that the file is too large without reading it whole. */
export function readBytesCapped(path: string, what: string, max: number): Buffer {
  const fail = (error: unknown) => new IoError(`${what}: cannot read ${path}: ${errno(error)}`);
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO returns at once; fstat then refuses it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw fail(error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new IoError(`${what}: ${path} is ${kindOf(stats)}, not a regular file`);
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      length += n;
      if (n === 0 || length === buffer.length) return buffer.subarray(0, length);
    }
  } catch (error) {
    throw error instanceof IoError ? error : fail(error);
  } finally {
    closeSync(fd);
  }
}

/** Read a UTF-8 text file of at most `maxBytes`; a broken file is the user's input error, named by path. */
export function readTextFile(path: string, what: string, maxBytes = 1024 * 1024): string {
  const bytes = readBytesCapped(path, what, maxBytes);
  if (bytes.length > maxBytes) throw new IoError(`${what}: ${path} is larger than ${maxBytes} bytes`);
  return decodeUtf8(bytes, `${what} ${path}`);
}

/** Read a JSON file strictly. */
export function readJsonFile(path: string, what: string, maxBytes = 1024 * 1024): JsonValue {
  return parseStrictJson(readTextFile(path, what, maxBytes), `${what} ${path}`);
}

/**
 * Write through a temporary file and rename, so readers never see half a
 * file. The destination must be a regular file or a new path; the temporary
 * file is created exclusively and never through a symbolic link (one planted
 * at its name makes the write fail rather than receive the data), and is
 * removed on every failure.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o666): void {
  const fail = (error: unknown) => (error instanceof IoError ? error : new IoError(`cannot write ${path}: ${errno(error)}`));
  let existing: Stats | undefined;
  try {
    existing = lstatSync(path);
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw fail(error);
  }
  if (existing !== undefined && !existing.isFile()) throw new IoError(`cannot write ${path}: it is ${kindOf(existing)}; only a regular file or a new path is replaced`);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw fail(error);
  }
  const tmp = `${path}.tmp-${process.pid}`;
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (error) {
    throw errno(error) === 'EEXIST' ? new IoError(`cannot write ${path}: ${tmp} already exists; remove it if no other writer is running`) : fail(error);
  }
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or removed: nothing of ours is left behind.
    }
    throw fail(error);
  }
}
