/** The editor's CSS (JupyterLab theme variables), injected once when the plugin activates. */
export const EDITOR_CSS = `
.jp-SpiceSimSchematic { display: flex; flex-direction: column; border: 1px solid var(--jp-border-color2); background: var(--jp-layout-color0); outline: none; }
.jp-SpiceSimSchematic:focus-within { border-color: var(--jp-brand-color1); }
.jp-SpiceSimSchematic-palette { display: flex; flex-wrap: wrap; gap: 2px; padding: 3px; background: var(--jp-layout-color2); border-bottom: 1px solid var(--jp-border-color2); }
.jp-SpiceSimSchematic-palette button { font: var(--jp-ui-font-size0) var(--jp-ui-font-family); padding: 2px 6px; border: 1px solid var(--jp-border-color2); background: var(--jp-layout-color1); color: var(--jp-ui-font-color1); border-radius: 2px; cursor: pointer; }
.jp-SpiceSimSchematic-palette button.jp-mod-active { background: var(--jp-brand-color1); color: var(--jp-ui-inverse-font-color1); }
.jp-SpiceSimSchematic-main { display: flex; min-height: 380px; }
.jp-SpiceSimSchematic .sch-sheet { flex: 1 1 auto; height: 420px; min-width: 0; background: var(--sch-paper); cursor: default; user-select: none; touch-action: none;
  --sch-ink: var(--jp-ui-font-color0); --sch-paper: var(--jp-layout-color0); --sch-wire: var(--jp-brand-color1); }
.jp-SpiceSimSchematic[data-mode="wire"] .sch-sheet, .jp-SpiceSimSchematic[data-mode="place"] .sch-sheet, .jp-SpiceSimSchematic[data-mode="probe"] .sch-sheet { cursor: crosshair; }
.jp-SpiceSimSchematic .sch-grid-dot { fill: var(--jp-border-color1); }
.jp-SpiceSimSchematic .sch-selected { fill: none; stroke: var(--jp-brand-color2); stroke-dasharray: 3 2; }
.jp-SpiceSimSchematic .sch-rubber-band { fill: var(--jp-brand-color3); fill-opacity: 0.25; stroke: var(--jp-brand-color1); }
.jp-SpiceSimSchematic .sch-wire-preview { fill: none; stroke: var(--jp-brand-color2); stroke-dasharray: 4 3; }
.jp-SpiceSimSchematic .sch-wire-start { fill: var(--jp-brand-color2); }
.jp-SpiceSimSchematic .sch-error-net { fill: none; stroke: var(--jp-error-color1); stroke-width: 5; stroke-opacity: 0.6; }
.jp-SpiceSimSchematic .sch-error-net-point { fill: var(--jp-error-color1); fill-opacity: 0.6; }
.jp-SpiceSimSchematic .sch-error-part { fill: var(--jp-error-color3); fill-opacity: 0.3; stroke: var(--jp-error-color1); stroke-width: 2; }
.jp-SpiceSimSchematic .sch-probe-net { fill: none; stroke: var(--jp-warn-color1); stroke-width: 5; stroke-opacity: 0.7; }
.jp-SpiceSimSchematic .sch-probe-net-point { fill: var(--jp-warn-color1); fill-opacity: 0.7; }
.jp-SpiceSimSchematic .sch-probe-part { fill: var(--jp-warn-color3); fill-opacity: 0.3; stroke: var(--jp-warn-color1); stroke-width: 2; }
.jp-SpiceSimSchematic .sch-unconnected { stroke: var(--jp-error-color1); stroke-width: 1.5; }
.jp-SpiceSimSchematic .sch-annotation { fill: var(--jp-success-color1); }
.jp-SpiceSimSchematic .sch-item:hover .sch-wire { stroke-width: 3; }
.jp-SpiceSimSchematic-props { flex: 0 0 190px; padding: 4px 6px; border-left: 1px solid var(--jp-border-color2); font: var(--jp-ui-font-size1) var(--jp-ui-font-family); color: var(--jp-ui-font-color1); overflow: auto; max-height: 420px; }
.jp-SpiceSimSchematic-props label { display: block; margin: 3px 0; font-size: var(--jp-ui-font-size0); }
.jp-SpiceSimSchematic-props input, .jp-SpiceSimSchematic-props textarea { display: block; width: 100%; box-sizing: border-box; font: var(--jp-code-font-size) var(--jp-code-font-family); background: var(--jp-input-background); color: var(--jp-ui-font-color0); border: 1px solid var(--jp-border-color1); }
.jp-SpiceSimSchematic-props-heading { font-weight: bold; margin-top: 6px; }
.jp-SpiceSimSchematic-status { padding: 3px 6px; font: var(--jp-ui-font-size1) var(--jp-ui-font-family); border-top: 1px solid var(--jp-border-color2); color: var(--jp-ui-font-color1); white-space: pre-wrap; }
.jp-SpiceSimSchematic-status[data-level="error"] { color: var(--jp-error-color1); background: var(--jp-error-color3); }
.jp-SpiceSimSchematic-status[data-level="warning"] { color: var(--jp-warn-color0); background: var(--jp-warn-color3); }
.jp-SpiceSimSchematic-status[data-level="ok"] { color: var(--jp-success-color0); }
.jp-SpiceSimSchematic-status button { margin-left: 6px; font: var(--jp-ui-font-size1) var(--jp-ui-font-family); }
.jp-SpiceSimSchematic-library { display: flex; flex-wrap: wrap; gap: 4px; padding: 4px; border-bottom: 1px solid var(--jp-border-color2); background: var(--jp-layout-color1); font: var(--jp-ui-font-size1) var(--jp-ui-font-family); }
.jp-SpiceSimSchematic-library input { flex: 1 1 200px; }
.jp-SpiceSimSchematic-library-message { flex: 1 1 100%; color: var(--jp-ui-font-color2); }
.jp-SpiceSimSchematic-library[data-state="error"] .jp-SpiceSimSchematic-library-message { color: var(--jp-error-color1); }
.jp-SpiceSimSchematic-library-results { flex: 1 1 100%; margin: 0; padding: 0; list-style: none; max-height: 160px; overflow: auto; }
.jp-SpiceSimSchematic-library-item { display: block; width: 100%; text-align: left; border: none; background: none; color: var(--jp-ui-font-color1); padding: 2px 4px; cursor: pointer; font: var(--jp-ui-font-size1) var(--jp-ui-font-family); }
.jp-SpiceSimSchematic-library-item:hover { background: var(--jp-layout-color2); }
.jp-SpiceSimSchematic-props-library { font-size: var(--jp-ui-font-size0); color: var(--jp-ui-font-color2); margin: 3px 0; }
.jp-SpiceSimSchematicCell-error { color: var(--jp-error-color1); padding: 6px; white-space: pre-wrap; }
`;

let injected = false;

export function injectEditorStyle(): void {
  if (injected || typeof document === 'undefined') return;
  injected = true;
  const style = document.createElement('style');
  style.dataset.spicesim = 'schematic';
  style.textContent = EDITOR_CSS;
  document.head.appendChild(style);
}
