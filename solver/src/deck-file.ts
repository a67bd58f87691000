/**
 * Reading a deck or an included file from disk (Node only) with errors a user can act on: a missing file,
 * a folder, a file we may not read, a binary file, or a rawfile given where a netlist belongs.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';

/** A file that cannot be used as netlist text; `code` is node's error code when there is one. */
export class DeckFileError extends Error {
  override name = 'DeckFileError';
  constructor(
    /** Why, without the path (callers say which file). */
    message: string,
    readonly path: string,
    readonly code?: string,
    /** What to do about it, when the message alone does not say. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Why a file that was read is not netlist text, or undefined when it is text. */
export function notNetlistText(text: string): { why: string; hint: string } | undefined {
  if (/^Title: /.test(text) && /^Plotname: /m.test(text) && /^Variables:/m.test(text)) {
    return {
      why: 'it is a rawfile (simulation output), not a netlist',
      hint: 'give the deck that produced it',
    };
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    return {
      why: `it holds binary data (a NUL byte on line ${line}), not netlist text`,
      hint: 'check the file name; a netlist is a text file (.cir, .sp, .net, .lib)',
    };
  }
  return undefined;
}

/** Larger than this is not a netlist someone wrote (and /dev/zero would never end). */
export const MAX_DECK_BYTES = 256 * 1024 * 1024;

/** The text of `path`, or a DeckFileError saying in words what is wrong with it. */
export function readDeckFile(path: string): string {
  let text: string;
  try {
    text = readBounded(path);
  } catch (error) {
    if (error instanceof DeckFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `no such file${resolve(path) === path ? '' : ` (looked for ${resolve(path)})`}`
        : code === 'EISDIR'
          ? 'it is a folder, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new DeckFileError(why, path, code);
  }
  const wrong = notNetlistText(text);
  if (wrong) throw new DeckFileError(wrong.why, path, 'EBINARY', wrong.hint);
  return text;
}

/** The file read in chunks: stops at the first chunk with a NUL byte (binary) or past MAX_DECK_BYTES. */
function readBounded(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1 << 20);
      const count = readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) break;
      chunks.push(chunk.subarray(0, count));
      total += count;
      // A NUL byte: binary. Stop here; notNetlistText reports where.
      if (chunk.subarray(0, count).includes(0)) break;
      if (total > MAX_DECK_BYTES) {
        throw new DeckFileError(
          `it is larger than ${MAX_DECK_BYTES / 1024 / 1024} MB, too large to be a netlist`,
          path,
          'EFBIG',
          'check the file name',
        );
      }
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
