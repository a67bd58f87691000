/**
 * `npm run models:import -- DIR`: imports a tree of vendor SPICE model files into the model library
 * (database from DATABASE_URL, or the embedded PostgreSQL), then prints the report as JSON.
 */
import * as path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { loadConfig } from '../config';
import { createDb, migrateToLatest } from '../db';
import { startDatabase } from '../database';
import { ModelLibrary } from '../models/library';
import { LocalDiskStore } from '../storage';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(
      `usage: npm run models:import -- DIR\n  DIR must be a directory of .lib/.mod/.sub/... files${dir ? ` (got ${dir})` : ''}`,
    );
    process.exit(2);
  }
  const config = loadConfig(process.env);
  const database = await startDatabase(config, (line) => console.error(line));
  const db = createDb(database.url);
  try {
    await migrateToLatest(db);
    const library = new ModelLibrary(db, new LocalDiskStore(config.storage.dir));
    const report = await library.importDirectory(path.resolve(dir), {
      onProgress: (files) => {
        if (files % 200 === 0) console.error(`... ${files} files`);
      },
    });
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await db.destroy();
    await database.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
