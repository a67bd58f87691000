/**
 * `multipart/form-data` uploads of model files (a browser's file input, `curl -F file=@models.lib`): the
 * one file part is read into memory (up to `maxBytes`) and the other fields become the request body, so
 * the route validates them with its zod schema as it does JSON.
 */
import busboy from 'busboy';
import type { Middleware } from 'koa';
import { AppError, UnauthorizedError, ValidationError } from '../errors';

export interface UploadedFile {
  field: string;
  fileName: string;
  bytes: Buffer;
}

export function multipartFile(options: { field: string; maxBytes: number }): Middleware {
  return async (ctx, next) => {
    if (!ctx.is('multipart/form-data')) return next();
    // Uploads need a session: do not read a stranger's megabytes first.
    if (!ctx.state.user) throw new UnauthorizedError();
    const fields: Record<string, string> = {};
    let file: UploadedFile | undefined;
    await new Promise<void>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: ctx.req.headers,
          limits: { files: 1, fileSize: options.maxBytes, fields: 20, fieldSize: 10_000 },
        });
      } catch (error) {
        reject(new ValidationError(`Malformed multipart request: ${(error as Error).message}`, []));
        return;
      }
      parser.on('file', (name, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('limit', () =>
          reject(
            new AppError(
              413,
              'file_too_large',
              `The file is larger than ${options.maxBytes} bytes: split it into several uploads.`,
            ),
          ),
        );
        stream.on('end', () => {
          if (name === options.field)
            file = { field: name, fileName: info.filename || 'upload.lib', bytes: Buffer.concat(chunks) };
        });
      });
      parser.on('field', (name, value) => {
        fields[name] = value;
      });
      parser.on('close', () => resolve());
      parser.on('error', (error: Error) =>
        reject(new ValidationError(`Malformed multipart request: ${error.message}`, [])),
      );
      ctx.req.pipe(parser);
    });
    if (!file)
      throw new ValidationError(`Send the file in a form field named "${options.field}".`, [
        { field: `body.${options.field}`, message: 'required (multipart file part)' },
      ]);
    (ctx.request as { body?: unknown }).body = { fileName: file.fileName, ...fields };
    ctx.state.upload = file;
    return next();
  };
}
