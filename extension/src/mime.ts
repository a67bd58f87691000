/** MIME renderer extension (package.json `jupyterlab.mimeExtension`): wiring only, see waveform-viewer.ts. */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { WAVEFORM_MIME } from '@spicesim/kernel/dist/waveform/schema';
import { WaveformViewer } from './waveform-viewer';

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [WAVEFORM_MIME],
  // Lower rank wins: prefer the interactive viewer over the bundle's image/svg+xml and text/plain.
  defaultRank: 10,
  createRenderer: (options) => new WaveformViewer({ mimeType: options.mimeType }),
};

const extension: IRenderMime.IExtension = {
  id: '@spicesim/extension:waveform-renderer',
  rendererFactory,
  rank: 10,
  dataType: 'json',
};

export default extension;
