/**
 * The template gallery (wiring only): a "SpiceSim templates" section in the JupyterLab launcher with one card
 * per circuit of circuits.ts, and the `spicesim:open-template` command behind it. Each opens a new notebook
 * in the file browser's directory: a short Markdown introduction and the schematic cell, which simulates live
 * as soon as it is shown.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import type { Contents } from '@jupyterlab/services';
import { LabIcon } from '@jupyterlab/ui-components';
import { fallbackMarkdown, METADATA_KEY } from '../schematic/cell';
import { renderStaticSVG } from '../schematic/symbols';
import { toJSON } from '../schematic/serialize';
import { type CircuitTemplate, TEMPLATES, templateById } from './circuits';

export const OPEN_TEMPLATE = 'spicesim:open-template';
const CATEGORY = 'SpiceSim templates';

const templateIcon = new LabIcon({
  name: 'spicesim:template',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g class="jp-icon3" fill="none" stroke="#616161" stroke-width="1.5">' +
    '<path d="M2 12h4l2-5 3 10 3-10 3 10 2-5h3"/></g></svg>',
});

/** The notebook a template opens as (nbformat 4.5, SpiceSim kernel). */
export function templateNotebook(template: CircuitTemplate): Record<string, unknown> {
  const schematic = template.build();
  const json = toJSON(schematic);
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'spicesim', display_name: 'SpiceSim (TypeScript)', language: 'typescript' },
      spicesim: { template: template.id },
    },
    cells: [
      { id: 'intro', cell_type: 'markdown', metadata: {}, source: template.intro },
      {
        id: 'schematic',
        cell_type: 'markdown',
        metadata: { [METADATA_KEY]: { schematic: json } },
        source: fallbackMarkdown(renderStaticSVG(schematic), json.title),
      },
    ],
  };
}

export const templatesPlugin: JupyterFrontEndPlugin<void> = {
  id: '@spicesim/extension:templates',
  description:
    'A gallery of circuit templates (op-amps, buck converter, rectifier, CMOS...) in the launcher.',
  autoStart: true,
  optional: [ILauncher, ICommandPalette],
  activate: (app: JupyterFrontEnd, launcher: ILauncher | null, palette: ICommandPalette | null) => {
    const contents = app.serviceManager.contents;
    /** `dir/Title.ipynb`, or `Title-1.ipynb`... when taken. */
    const freePath = async (dir: string, title: string): Promise<string> => {
      const base = title.replace(/[\\/:*?"<>|]/g, '-');
      for (let k = 0; k < 1000; k++) {
        const name = `${base}${k === 0 ? '' : `-${k}`}.ipynb`;
        const path = dir ? `${dir.replace(/\/+$/, '')}/${name}` : name;
        try {
          await contents.get(path, { content: false });
        } catch {
          return path; // not found: free
        }
      }
      throw new Error(`no free file name for ${title} in ${dir || 'the root directory'}`);
    };
    app.commands.addCommand(OPEN_TEMPLATE, {
      label: (args) => templateById(String(args.template))?.title ?? 'Circuit template',
      caption: (args) => templateById(String(args.template))?.caption ?? '',
      icon: (args) => (args.isPalette ? undefined : templateIcon),
      execute: async (args) => {
        const template = templateById(String(args.template));
        if (!template) {
          throw new Error(
            `unknown template '${String(args.template)}'; choose one of ${TEMPLATES.map((t) => t.id).join(', ')}`,
          );
        }
        const path = await freePath(typeof args.cwd === 'string' ? args.cwd : '', template.title);
        const model: Partial<Contents.IModel> = {
          type: 'notebook',
          format: 'json',
          content: templateNotebook(template),
        };
        await contents.save(path, model);
        return app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
      },
    });
    TEMPLATES.forEach((template, rank) => {
      launcher?.add({ command: OPEN_TEMPLATE, args: { template: template.id }, category: CATEGORY, rank });
      palette?.addItem({
        command: OPEN_TEMPLATE,
        args: { template: template.id, isPalette: true },
        category: CATEGORY,
      });
    });
  },
};
