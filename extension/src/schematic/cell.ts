/**
 * Schematic cells: a Markdown cell whose metadata `spicesim.schematic` holds the schematic JSON (serialize.ts)
 * and whose source is a static SVG copy of the drawing (so nbconvert, GitHub and a JupyterLab without this
 * extension show the circuit). With the extension the cell's input area is replaced by the SchematicEditor;
 * every edit writes the JSON and the fallback back into the cell (debounced), so the notebook saves, reloads
 * and diffs like any other.
 */
import type { Cell, MarkdownCell } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { PanelLayout } from '@lumino/widgets';
import { SchematicEditor } from './editor';
import { Schematic } from './model';
import { SCHEMATIC_FORMAT, type SchematicJSON, toJSON } from './serialize';

export const METADATA_KEY = 'spicesim';
const SAVE_DELAY_MS = 400;

export interface SchematicMetadata {
  schematic: SchematicJSON;
}

export function schematicOf(cell: Cell): unknown {
  const meta = cell.model.getMetadata(METADATA_KEY) as Partial<SchematicMetadata> | undefined;
  return meta &&
    typeof meta === 'object' &&
    meta.schematic &&
    (meta.schematic as { format?: string }).format === SCHEMATIC_FORMAT
    ? meta.schematic
    : undefined;
}

export function emptySchematic(title = 'schematic'): SchematicJSON {
  const s = new Schematic();
  s.sheet = { title, directives: '.op' };
  return toJSON(s);
}

/** The Markdown source of a schematic cell: a comment and the drawing as an SVG data URI. */
export function fallbackMarkdown(svg: string, title: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (let k = 0; k < bytes.length; k += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return (
    "<!-- SpiceSim schematic: a static copy of the drawing. The circuit is in this cell's metadata " +
    '(spicesim.schematic); edit it in JupyterLab with @spicesim/extension. -->\n' +
    `![${title.replace(/[[\]]/g, '')}](data:image/svg+xml;base64,${btoa(binary)})`
  );
}

/** Attaches and tracks the editors of one notebook's schematic cells. */
export class SchematicCells {
  constructor(
    readonly panel: NotebookPanel,
    private readonly options: SchematicEditor.IOptions = {},
  ) {
    panel.content.model?.cells.changed.connect(() => this.scheduleScan(), this);
    panel.disposed.connect(() => {
      for (const editor of this.editors.values()) editor.dispose();
      this.editors.clear();
    });
    this.scheduleScan();
  }

  /** The editor shown in `cell`, if it is a schematic cell. */
  editorOf(cell: Cell): SchematicEditor | undefined {
    return this.editors.get(cell.model.id);
  }

  scheduleScan(): void {
    window.setTimeout(() => this.scan(), 0);
  }

  /** Finds schematic cells without an editor and attaches one. */
  scan(): void {
    if (this.panel.isDisposed) return;
    for (const cell of this.panel.content.widgets) {
      if (cell.model.type !== 'markdown' || this.editors.has(cell.model.id) || !schematicOf(cell)) continue;
      this.attach(cell as MarkdownCell);
    }
  }

  attach(cell: MarkdownCell): SchematicEditor | undefined {
    let editor: SchematicEditor;
    try {
      editor = new SchematicEditor({ ...this.options, json: schematicOf(cell) });
    } catch (error) {
      const message = document.createElement('div');
      message.className = 'jp-SpiceSimSchematicCell-error';
      message.textContent = `This schematic cell could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
      cell.node.appendChild(message);
      return undefined;
    }
    const cellId = cell.model.id;
    this.editors.set(cellId, editor);
    cell.addClass('jp-SpiceSimSchematicCell');
    cell.node.dataset.spicesimSchematic = 'true';
    (editor.node as HTMLElement & { spicesimEditor?: SchematicEditor }).spicesimEditor = editor;
    cell.rendered = true;
    cell.inputArea?.hide();
    // Keep the Markdown cell "rendered": editing its source by hand would bypass the editor.
    cell.renderedChanged.connect(() => {
      if (!cell.rendered) cell.rendered = true;
    });
    const layout = cell.layout as PanelLayout;
    const wrapper = cell.inputArea?.parent;
    const index = wrapper ? layout.widgets.indexOf(wrapper) : -1;
    layout.insertWidget(index >= 0 ? index + 1 : layout.widgets.length, editor);
    let timer = 0;
    const save = () => {
      if (cell.isDisposed || editor.isDisposed) return;
      const json = editor.toJSON();
      cell.model.setMetadata(METADATA_KEY, { schematic: json });
      cell.model.sharedModel.setSource(fallbackMarkdown(editor.toSVG(), json.title));
    };
    editor.contentChanged.connect(() => {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, SAVE_DELAY_MS);
    });
    cell.disposed.connect(() => {
      window.clearTimeout(timer);
      if (this.editors.get(cellId) === editor) this.editors.delete(cellId);
      editor.dispose();
    });
    return editor;
  }

  private readonly editors = new Map<string, SchematicEditor>();
}
