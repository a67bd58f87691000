/**
 * Starts a throw-away SpiceSim service for the browser tests (run with tsx): an embedded PostgreSQL
 * database, a fake OAuth provider (GitHub and Google endpoints) and the app on the port given as argv[2],
 * with PUBLIC_URL pointing at that port so OAuth redirects come back to it. Prints one JSON line
 * {url, provider} when ready; stops everything and drops the database on SIGTERM/SIGINT or stdin EOF.
 */
import { createApp } from '../../server/src/app';
import { databaseTargets } from '../../server/src/test-support/databases';
import { testConfig } from '../../server/src/test-support/app';
import { startFakeOAuthProvider } from '../../server/src/test-support/fake-oauth';

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0) throw new Error('usage: tsx service-harness.ts PORT');
  const provider = await startFakeOAuthProvider();
  const database = await databaseTargets()[0].open();
  const endpoints = (userInfo: string, emails?: string) => ({
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    authorizeUrl: `${provider.url}/authorize`,
    tokenUrl: `${provider.url}/token`,
    userInfoUrl: `${provider.url}${userInfo}`,
    ...(emails ? { emailsUrl: `${provider.url}${emails}` } : {}),
  });
  const app = await createApp(
    testConfig({
      databaseUrl: database.url,
      publicUrl: `http://127.0.0.1:${port}`,
      oauth: { github: endpoints('/user', '/user/emails'), google: endpoints('/userinfo') },
    }),
  );
  await app.listen(port, '127.0.0.1');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await app.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    await provider.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, provider: provider.url }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
