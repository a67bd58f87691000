/** The parts of plotly.js (plotly.js-dist-min bundle) the viewer uses. */
declare module 'plotly.js-dist-min' {
  export interface PlotlyHTMLElement extends HTMLElement {
    on(event: string, handler: (event: any) => unknown): void;
    removeAllListeners?(event: string): void;
    _fullLayout?: Record<string, any>;
  }
  export function newPlot(
    root: HTMLElement,
    data: unknown[],
    layout: Record<string, unknown>,
    config?: Record<string, unknown>,
  ): Promise<PlotlyHTMLElement>;
  export function react(
    root: HTMLElement,
    data: unknown[],
    layout: Record<string, unknown>,
    config?: Record<string, unknown>,
  ): Promise<PlotlyHTMLElement>;
  export function purge(root: HTMLElement): void;
  export function downloadImage(root: HTMLElement, options: Record<string, unknown>): Promise<string>;
  export const Plots: { resize(root: HTMLElement): Promise<void> };
}
