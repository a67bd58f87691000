/**
 * SpiceSim's JupyterLab plugins (wiring only): the SPICE netlist language for `.cir`, `.sp` and `.net`
 * files. The waveform renderer is the MIME extension in mime.ts (package.json `jupyterlab.mimeExtension`).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { LanguageSupport } from '@codemirror/language';
import { spiceLanguage } from './spice-language';
import { schematicPlugin } from './schematic/plugin';
import { accountPlugin } from './account/plugin';
import { drivePlugin } from './drive/plugin';
import { templatesPlugin } from './templates/plugin';

export const SPICE_MIME = 'text/x-spice';

const spiceLanguagePlugin: JupyterFrontEndPlugin<void> = {
  id: '@spicesim/extension:spice-language',
  description: 'SPICE netlist highlighting for .cir, .sp and .net files.',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (app: JupyterFrontEnd, languages: IEditorLanguageRegistry) => {
    languages.addLanguage({
      name: 'spice',
      displayName: 'SPICE netlist',
      mime: SPICE_MIME,
      extensions: ['cir', 'sp', 'net', 'spice'],
      support: new LanguageSupport(spiceLanguage),
    });
    app.docRegistry.addFileType({
      name: 'spice-netlist',
      displayName: 'SPICE netlist',
      extensions: ['.cir', '.sp', '.net', '.spice'],
      mimeTypes: [SPICE_MIME],
      fileFormat: 'text',
      contentType: 'file',
    });
  },
};

export { WaveformViewer } from './waveform-viewer';
export { spiceLanguage, spiceParser } from './spice-language';
export { SchematicEditor } from './schematic/editor';
export { ICrossProbe } from './schematic/crossprobe';
export { ISpiceSimSession, SpiceSimSession } from './account/session';
export { SpiceSimDrive } from './drive/drive';
export default [spiceLanguagePlugin, schematicPlugin, accountPlugin, drivePlugin, templatesPlugin];
