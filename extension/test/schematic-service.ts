/**
 * A throw-away SpiceSim service for the schematic browser test (run with tsx): embedded PostgreSQL, local
 * disk storage, the local worker-thread simulation queue, and a small model library imported from the
 * server's fixtures (server/test/fixtures/models/Diode and Transistor: 1N4148X, BAT54X, 2N3904X... a few
 * definitions, so the import takes well under a second). Listens on the port given as argv[2]; prints one
 * JSON line {url, models} when ready; stops and drops the database on SIGTERM/SIGINT or stdin EOF.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from '../../server/src/app';
import { createDb } from '../../server/src/db';
import { ModelLibrary } from '../../server/src/models/library';
import { LocalDiskStore } from '../../server/src/storage';
import { databaseTargets } from '../../server/src/test-support/databases';
import { testConfig } from '../../server/src/test-support/app';

const FIXTURES = path.resolve(__dirname, '..', '..', 'server', 'test', 'fixtures', 'models');

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0) throw new Error('usage: tsx schematic-service.ts PORT');
  const storageDir = mkdtempSync(path.join(os.tmpdir(), 'spicesim-schematic-store-'));
  const database = await databaseTargets()[0].open();
  const app = await createApp(
    testConfig({
      databaseUrl: database.url,
      publicUrl: `http://127.0.0.1:${port}`,
      storage: { kind: 'local', dir: storageDir },
    }),
  );
  // createApp has migrated the database; import the model fixtures next to it.
  const db = createDb(database.url);
  const library = new ModelLibrary(db, new LocalDiskStore(storageDir));
  let models = 0;
  for (const folder of ['Diode', 'Transistor']) {
    models += (await library.importDirectory(path.join(FIXTURES, folder))).inserted;
  }
  await db.destroy();
  await app.listen(port, '127.0.0.1');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await app.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    rmSync(storageDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, models }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
