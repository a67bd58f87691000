/**
 * Object storage behind one small interface: local disk by default; an S3 implementation (part 2)
 * plugs in behind the same methods.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface ObjectStore {
  put(key: string, data: Buffer | string): Promise<void>;
  get(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`Object ${key} is not in the store.`);
  }
}

/** Keys are relative paths of safe segments (letters, digits, `._-`), stored under one root directory. */
export class LocalDiskStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    if (
      !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key) ||
      key.split('/').some((s) => s === '..' || s === '.')
    ) {
      throw new Error(
        `Invalid object key ${JSON.stringify(key)}: use segments of letters, digits, '.', '_' or '-'.`,
      );
    }
    return path.join(this.root, key);
  }

  async put(key: string, data: Buffer | string): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write then rename, so a reader never sees half an object.
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(temp, data);
    await fs.rename(temp, file);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.file(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await fs.access(this.file(key));
      return true;
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }
}

/** Content-addressed key: identical files are stored once. */
export function contentKey(prefix: string, data: Buffer | string): string {
  return `${prefix}/${createHash('sha256').update(data).digest('hex')}`;
}
