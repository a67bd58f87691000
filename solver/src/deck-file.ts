/**
 * Reading a deck or an included file from disk (Node only) with errors a user can act on: a missing file,
 * a folder, a file we may not read, a binary file, or a rawfile given where a netlist belongs.
 */
import { readFileSync } from 'node:fs';
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

/** The text of `path`, or a DeckFileError saying in words what is wrong with it. */
export function readDeckFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
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
