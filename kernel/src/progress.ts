/**
 * Progress bars in the notebook: one display updated in place (Jupyter `update_display_data`) with an HTML
 * `<progress>` element and a text fallback. Outside a kernel (plain Node, tests) nothing is shown.
 */
import { randomBytes } from 'crypto';
import { tslabWriter } from './display';

/** Shows a bar; call it again to update: `bar(0.42, 't = 4.2 ms of 10 ms')`; `force` skips the rate limit. */
export type ProgressBar = (fraction: number, detail?: string, force?: boolean) => void;

/** A bar labelled `label`, or null outside a kernel. Updates closer than `minIntervalMs` apart are dropped (the last one is always shown). */
export function progressBar(label: string, minIntervalMs = 100): ProgressBar | null {
  const write = tslabWriter();
  if (!write) return null;
  const displayId = randomBytes(8).toString('hex');
  let shown = false;
  let last = 0;
  return (fraction, detail = '', force = false) => {
    const now = Date.now();
    const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    if (shown && !force && clamped < 1 && now - last < minIntervalMs) return;
    last = now;
    write(
      {
        data: progressMimeBundle(label, clamped, detail),
        metadata: {},
        transient: { display_id: displayId },
      },
      shown,
    );
    shown = true;
  };
}

/** The bundle one bar update sends: `text/plain` `tran ████░░ 42% t = 4.2 ms` and the same as HTML. */
export function progressMimeBundle(label: string, fraction: number, detail = ''): Record<string, string> {
  const width = 30;
  const filled = Math.round(width * fraction);
  const percent = `${Math.floor(100 * fraction)}%`;
  const text = `${label} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${percent}${detail ? ` ${detail}` : ''}`;
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const html =
    `<span>${escape(label)}</span> <progress value="${fraction.toFixed(4)}" max="1" style="width:20em;vertical-align:middle"></progress> ` +
    `${percent}${detail ? ` <span>${escape(detail)}</span>` : ''}`;
  return { 'text/plain': text, 'text/html': html };
}
