/**
 * Account plugin: the SpiceSim session (ISpiceSimSession), the top-bar account button, sign-in/out
 * commands and the bridge that hands the access token to SpiceSim kernels.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { ICommandPalette } from '@jupyterlab/apputils';
import { KernelSessionBridge } from './kernel-bridge';
import { ISpiceSimSession, SpiceSimSession } from './session';
import { AccountButton, signInDialog } from './widget';

/**
 * Where the service is: the `spicesimServerUrl` page-config option, else the localStorage key
 * `spicesim.serverUrl`, else the development default (scripts/start.sh runs the service on port 3000).
 */
export function serverUrl(): string {
  return (
    PageConfig.getOption('spicesimServerUrl') ||
    window.localStorage.getItem('spicesim.serverUrl') ||
    'http://127.0.0.1:3000'
  );
}

export const accountPlugin: JupyterFrontEndPlugin<SpiceSimSession> = {
  id: '@spicesim/extension:account',
  description: 'Sign in to the SpiceSim service; the session is shared with SpiceSim kernels.',
  autoStart: true,
  provides: ISpiceSimSession,
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, palette: ICommandPalette | null): SpiceSimSession => {
    const session = new SpiceSimSession({ serverUrl: serverUrl() });
    const button = new AccountButton(session);
    button.id = 'spicesim-account';
    app.shell.add(button, 'top', { rank: 900 });
    new KernelSessionBridge(session, app.serviceManager.sessions);

    app.commands.addCommand('spicesim:sign-in', {
      label: 'Sign in to SpiceSim…',
      isEnabled: () => !session.isSignedIn,
      execute: () => signInDialog(session),
    });
    app.commands.addCommand('spicesim:sign-out', {
      label: 'Sign out of SpiceSim',
      isEnabled: () => session.isSignedIn,
      execute: () => session.signOut(),
    });
    for (const command of ['spicesim:sign-in', 'spicesim:sign-out'])
      palette?.addItem({ command, category: 'SpiceSim' });
    // The plan can change (billing): re-read it on start.
    if (session.isSignedIn) void session.refreshUser().catch(() => undefined);
    return session;
  },
};
