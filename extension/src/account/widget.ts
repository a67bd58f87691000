/**
 * The account button in JupyterLab's top bar: "Sign in to SpiceSim" when signed out; the user's name
 * and plan when signed in (click for sign out). The sign-in dialog offers e-mail/password and Google/GitHub.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import type { SpiceSimSession } from './session';

export class AccountButton extends Widget {
  constructor(private readonly session: SpiceSimSession) {
    super({ node: document.createElement('button') });
    this.addClass('jp-SpiceSimAccount');
    this.node.addEventListener('click', () => void this.onClick());
    session.changed.connect(() => this.update());
    this.update();
  }

  protected override onUpdateRequest(): void {
    const user = this.session.user;
    this.node.textContent = user ? `${user.name} · ${user.plan}` : 'Sign in to SpiceSim';
    this.node.title = user
      ? `Signed in to SpiceSim as ${user.email} (${user.plan} plan). Click to sign out.`
      : 'Sign in to SpiceSim';
    this.node.dataset.signedIn = String(Boolean(user));
  }

  private async onClick(): Promise<void> {
    if (this.session.isSignedIn) {
      const user = this.session.user!;
      const result = await showDialog({
        title: 'SpiceSim account',
        body: `Signed in as ${user.name} <${user.email}>, ${user.plan} plan.`,
        buttons: [Dialog.cancelButton({ label: 'Close' }), Dialog.warnButton({ label: 'Sign out' })],
      });
      if (result.button.label === 'Sign out') await this.session.signOut();
      return;
    }
    await signInDialog(this.session);
  }
}

/** Shows the sign-in dialog until the user signs in or cancels. */
export async function signInDialog(session: SpiceSimSession): Promise<boolean> {
  const body = new SignInForm();
  const result = await showDialog({
    title: 'Sign in to SpiceSim',
    body,
    buttons: [
      Dialog.cancelButton(),
      Dialog.createButton({ label: 'GitHub', className: 'jp-SpiceSim-github' }),
      Dialog.createButton({ label: 'Google', className: 'jp-SpiceSim-google' }),
      Dialog.okButton({ label: 'Sign in' }),
    ],
    focusNodeSelector: 'input[name=email]',
  });
  try {
    if (result.button.label === 'GitHub') await session.signInWithProvider('github');
    else if (result.button.label === 'Google') await session.signInWithProvider('google');
    else if (result.button.accept && result.value) {
      const { email, password, name, register } = result.value;
      if (register) await session.register(email, password, name || email);
      else await session.signIn(email, password);
    } else return false;
    return true;
  } catch (error) {
    await showErrorMessage('SpiceSim sign-in failed', (error as Error).message);
    return signInDialog(session);
  }
}

class SignInForm extends Widget {
  constructor() {
    super();
    this.addClass('jp-SpiceSimSignIn');
    this.node.innerHTML = `
      <label>E-mail <input name="email" type="email" autocomplete="username" required></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <label><input name="register" type="checkbox"> Create a new account</label>
      <label class="jp-SpiceSimSignIn-name">Name <input name="name" type="text" autocomplete="name"></label>`;
  }

  getValue(): { email: string; password: string; name: string; register: boolean } {
    const field = (name: string) => this.node.querySelector<HTMLInputElement>(`input[name=${name}]`)!;
    return {
      email: field('email').value.trim(),
      password: field('password').value,
      name: field('name').value.trim(),
      register: field('register').checked,
    };
  }
}
