/**
 * The SpiceSim drive against a real service (embedded PostgreSQL): listing, open/save with If-Match,
 * a lost save race (the user chooses; "cancel" leaves the other writer's version untouched), rename,
 * copy, delete, uploads, checkpoints and a viewer's read-only models.
 */
import { databaseTargets } from '../../server/src/test-support/databases';
import { startTestApp, type TestApp } from '../../server/src/test-support/app';
import { ServiceError, SpiceSimSession } from '../src/account/session';
import { SaveConflictError, SpiceSimDrive, type ConflictChoice } from '../src/drive/drive';

class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return Array.from(this.items.keys())[index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const settings = { baseUrl: 'http://127.0.0.1:1/' } as never;
const NOTEBOOK = {
  cells: [{ cell_type: 'markdown', source: '# RC', metadata: {} }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
};

describe('SpiceSim drive against the service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(databaseTargets()[0]);
  }, 60_000);
  afterAll(() => t?.close());

  async function signedInDrive(name: string, onConflict?: () => Promise<ConflictChoice>) {
    const account = await t.signUp(name);
    const session = new SpiceSimSession({ serverUrl: t.url, storage: new MemoryStorage() });
    await session.signIn(account.email, 'correct horse battery');
    const conflicts: { path: string; theirVersion: number }[] = [];
    const drive = new SpiceSimDrive({
      session,
      serverSettings: settings,
      onConflict: async (c) => {
        conflicts.push(c);
        return onConflict ? onConflict() : 'cancel';
      },
    });
    return { drive, session, account, conflicts };
  }

  test('projects as folders; open, save, rename, copy, delete; uploads must be text', async () => {
    const { drive } = await signedInDrive('Ada');
    const folder = await drive.newUntitled({ path: '', type: 'directory' });
    expect(folder).toMatchObject({ name: 'Untitled Project', type: 'directory', writable: true });
    await drive.rename('Untitled Project', 'Filters');
    const nb = await drive.newUntitled({ path: 'Filters', type: 'notebook' });
    expect(nb).toMatchObject({ path: 'Filters/Untitled.ipynb', type: 'notebook' });
    await drive.save('Filters/Untitled.ipynb', { type: 'notebook', format: 'json', content: NOTEBOOK });
    await drive.save('Filters/models/diodes.lib', {
      type: 'file',
      format: 'text',
      content: '.model D1 D(Is=1e-14)',
    });
    const upload = btoa('* RC\nR1 in out 1k\n.end\n');
    await drive.save('Filters/rc.cir', { type: 'file', format: 'base64', content: upload });
    await expect(
      drive.save('Filters/logo.png', {
        type: 'file',
        format: 'base64',
        content: btoa('\u0089PNG\u00ff\u00fe'),
      }),
    ).rejects.toThrow(/not a text file/);

    const root = await drive.get('');
    expect(root.content.map((m: { name: string }) => m.name)).toEqual(['Filters']);
    const listing = await drive.get('Filters');
    expect(listing.content.map((m: { name: string; type: string }) => `${m.type}:${m.name}`).sort()).toEqual([
      'directory:models',
      'file:rc.cir',
      'notebook:Untitled.ipynb',
    ]);
    const opened = await drive.get('Filters/Untitled.ipynb');
    expect(opened.content).toEqual(NOTEBOOK);
    expect(opened.hash).toMatch(/^"[0-9a-f-]{36}\.2"$/);
    expect((await drive.get('Filters/models/diodes.lib')).content).toBe('.model D1 D(Is=1e-14)');
    expect((await drive.get('Filters/rc.cir')).mimetype).toBe('text/x-spice');

    await drive.rename('Filters/Untitled.ipynb', 'Filters/lab1.ipynb');
    const copy = await drive.copy('Filters/lab1.ipynb', 'Filters');
    expect(copy.path).toBe('Filters/lab1-Copy1.ipynb');
    await drive.delete('Filters/models');
    const after = await drive.get('Filters');
    expect(after.content.map((m: { name: string }) => m.name).sort()).toEqual([
      'lab1-Copy1.ipynb',
      'lab1.ipynb',
      'rc.cir',
    ]);
    await expect(drive.get('Filters/missing.ipynb')).rejects.toThrow(/does not exist/);
  });

  test('a lost save race asks the user: cancel keeps theirs, overwrite replaces exactly what was shown', async () => {
    let choice: ConflictChoice = 'cancel';
    const ada = await signedInDrive('Ada', async () => choice);
    const ben = await signedInDrive('Ben');
    await ada.drive.save('Shared', { type: 'directory' });
    const project = await ada.drive.projectAt('Shared');
    await ada.session.request(`/api/v1/projects/${project.id}/shares`, {
      method: 'POST',
      body: JSON.stringify({ email: ben.account.email, role: 'editor' }),
    });
    await ada.drive.save('Shared/rc.cir', { type: 'file', format: 'text', content: 'R1 in out 1k' });

    await ada.drive.get('Shared/rc.cir'); // Ada's editor loads version 1
    await ben.drive.get('Shared/rc.cir');
    await ben.drive.save('Shared/rc.cir', { type: 'file', format: 'text', content: 'R1 in out 2k' }); // Ben saves first
    await expect(
      ada.drive.save('Shared/rc.cir', { type: 'file', format: 'text', content: 'R1 in out 1.5k' }),
    ).rejects.toBeInstanceOf(SaveConflictError);
    expect(ada.conflicts).toEqual([{ path: 'Shared/rc.cir', theirVersion: 2 }]);
    expect((await ben.drive.get('Shared/rc.cir')).content).toBe('R1 in out 2k');

    choice = 'overwrite';
    await ada.drive.save('Shared/rc.cir', { type: 'file', format: 'text', content: 'R1 in out 1.5k' });
    expect((await ben.drive.get('Shared/rc.cir')).content).toBe('R1 in out 1.5k');
    expect(ada.conflicts).toHaveLength(2);
  });

  test('checkpoints: create, list, restore; a viewer gets read-only models and cannot save', async () => {
    const ada = await signedInDrive('Ada');
    const viewer = await signedInDrive('Vic');
    await ada.drive.save('Lab', { type: 'directory' });
    await ada.drive.save('Lab/a.cir', { type: 'file', format: 'text', content: 'first' });
    await ada.drive.get('Lab/a.cir');
    const checkpoint = await ada.drive.createCheckpoint('Lab/a.cir');
    await ada.drive.save('Lab/a.cir', { type: 'file', format: 'text', content: 'second' });
    expect((await ada.drive.listCheckpoints('Lab/a.cir')).map((c) => c.id)).toEqual([checkpoint.id]);
    await ada.drive.restoreCheckpoint('Lab/a.cir', checkpoint.id);
    expect((await ada.drive.get('Lab/a.cir')).content).toBe('first');

    const project = await ada.drive.projectAt('Lab');
    await ada.session.request(`/api/v1/projects/${project.id}/shares`, {
      method: 'POST',
      body: JSON.stringify({ email: viewer.account.email, role: 'viewer' }),
    });
    const model = await viewer.drive.get('Lab/a.cir');
    expect(model).toMatchObject({ writable: false, content: 'first' });
    expect((await viewer.drive.get('')).content[0]).toMatchObject({ name: 'Lab', writable: false });
    const refused = await viewer.drive
      .save('Lab/a.cir', { type: 'file', format: 'text', content: 'vandal' })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused.status).toBe(403);
    await expect(viewer.drive.delete('Lab/a.cir')).rejects.toMatchObject({ status: 403 });
    expect((await ada.drive.get('Lab/a.cir')).content).toBe('first');
  });
});
