/**
 * The schematic-cell plugin (wiring only): the `spicesim:insert-schematic`, `spicesim:copy-schematic-netlist`
 * and `spicesim:import-netlist-schematic` commands, a notebook toolbar button, palette entries, and the
 * cross-probe bus as the ICrossProbe token.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, ToolbarButton } from '@jupyterlab/apputils';
import type { MarkdownCell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookActions, type NotebookPanel } from '@jupyterlab/notebook';
import { SchematicCells, emptySchematic, fallbackMarkdown, METADATA_KEY, schematicOf } from './cell';
import { ICrossProbe, crossProbe } from './crossprobe';
import { ISpiceSimSession, type SpiceSimSession } from '../account/session';
import { SchematicService } from './library';
import { importNetlist } from './netlist';
import { Schematic } from './model';
import { toJSON } from './serialize';
import { renderStaticSVG } from './symbols';
import { injectEditorStyle } from './style';

export const CommandIDs = {
  insert: 'spicesim:insert-schematic',
  copyNetlist: 'spicesim:copy-schematic-netlist',
  importNetlist: 'spicesim:import-netlist-schematic',
};

export const schematicPlugin: JupyterFrontEndPlugin<ICrossProbe> = {
  id: '@spicesim/extension:schematic',
  description: 'Schematic cells: draw a circuit in a notebook, simulated live in a Web Worker.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ISpiceSimSession],
  provides: ICrossProbe,
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    session: SpiceSimSession | null,
  ) => {
    injectEditorStyle();
    // Model-library picker, plan node limit and server runs go through the signed-in session.
    const service = new SchematicService(session, { storage: window.localStorage });
    const managers = new WeakMap<NotebookPanel, SchematicCells>();
    const managerOf = (panel: NotebookPanel) => {
      let manager = managers.get(panel);
      if (!manager) {
        manager = new SchematicCells(panel, { service });
        managers.set(panel, manager);
      }
      return manager;
    };
    tracker.widgetAdded.connect((_, panel) => {
      void panel.context.ready.then(() => managerOf(panel).scan());
      panel.toolbar.insertItem(
        10,
        'spicesim-insert-schematic',
        new ToolbarButton({
          label: 'Schematic',
          tooltip: 'Insert a schematic cell below',
          className: 'jp-SpiceSimInsertSchematic',
          onClick: () => void app.commands.execute(CommandIDs.insert),
        }),
      );
    });

    /** A new Markdown schematic cell below the active cell, holding `json`. */
    const insertCell = (panel: NotebookPanel, json: ReturnType<typeof emptySchematic>) => {
      const notebook = panel.content;
      NotebookActions.insertBelow(notebook);
      NotebookActions.changeCellType(notebook, 'markdown');
      const cell = notebook.activeCell as MarkdownCell;
      const schematic = new Schematic();
      schematic.load([], { title: json.title, directives: json.directives });
      cell.model.setMetadata(METADATA_KEY, { schematic: json });
      cell.model.sharedModel.setSource(fallbackMarkdown(renderStaticSVG(schematic), json.title));
      const editor = managerOf(panel).attach(cell);
      editor?.node.focus();
      return editor;
    };

    app.commands.addCommand(CommandIDs.insert, {
      label: 'Insert Schematic Cell',
      caption: 'Insert a cell with a schematic editor below the active cell',
      isEnabled: () => tracker.currentWidget !== null,
      execute: async () => {
        const panel = tracker.currentWidget;
        if (!panel) return;
        // Cells inserted before the document has loaded would be replaced by the loaded ones.
        await panel.context.ready;
        insertCell(panel, emptySchematic());
      },
    });

    app.commands.addCommand(CommandIDs.copyNetlist, {
      label: 'Copy Schematic Netlist to a Code Cell',
      isEnabled: () => !!tracker.activeCell && !!schematicOf(tracker.activeCell),
      execute: () => {
        const panel = tracker.currentWidget;
        const cell = tracker.activeCell;
        if (!panel || !cell) return;
        const editor = managerOf(panel).editorOf(cell);
        if (!editor) return;
        const text = editor
          .netlist()
          .text.replace(/\\/g, '\\\\')
          .replace(/`/g, '\\`')
          .replace(/\$\{/g, '\\${');
        NotebookActions.insertBelow(panel.content);
        NotebookActions.changeCellType(panel.content, 'code');
        panel.content.activeCell!.model.sharedModel.setSource(
          `// Netlist of the schematic above (needs: import * as sim from '@spicesim/kernel')\nconst circuit = sim.netlist(\`${text}\`);\ncircuit.run();`,
        );
      },
    });

    app.commands.addCommand(CommandIDs.importNetlist, {
      label: 'New Schematic from Netlist in Cell',
      caption: 'Draw the netlist in the active cell (or the text between its backticks) as a schematic cell',
      isEnabled: () => !!tracker.activeCell && !schematicOf(tracker.activeCell),
      execute: async () => {
        const panel = tracker.currentWidget;
        const cell = tracker.activeCell;
        if (!panel || !cell) return;
        await panel.context.ready;
        const source = cell.model.sharedModel.getSource();
        const quoted = /`([^`]*)`/.exec(source);
        const { items, sheet } = importNetlist(quoted ? quoted[1] : source);
        const schematic = new Schematic();
        schematic.load(items, sheet);
        insertCell(panel, toJSON(schematic));
      },
    });

    if (palette) {
      for (const command of Object.values(CommandIDs)) palette.addItem({ command, category: 'SpiceSim' });
    }
    return crossProbe;
  },
};
