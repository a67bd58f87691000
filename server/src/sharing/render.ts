/**
 * Static HTML for a shared notebook: what nbconvert's HTML export shows, rendered on the server so a
 * public link opens in any browser with no kernel and no JavaScript. Markdown through `marked`, then every
 * piece of notebook-supplied HTML through `sanitize-html`; rich outputs by the usual display priority,
 * preferring the static fallbacks our bundles carry (image/svg+xml, image/png) over MIME types only the
 * extension can draw. SVG is embedded as an <img> data URI, where it cannot run script. The response
 * also carries a CSP with no script source at all (see CONTENT_SECURITY_POLICY).
 */
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Display priority for rich outputs (static images first: they are what the notebook looked like). */
const OUTPUT_PRIORITY = [
  'image/svg+xml',
  'image/png',
  'image/jpeg',
  'image/gif',
  'text/html',
  'text/markdown',
  'text/latex',
  'text/plain',
] as const;

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'h1', 'h2', 'del', 'sub', 'sup'],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    '*': ['align'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['data'] },
  // Links leave the page in a new context and send no referrer (the URL holds the share token).
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
  },
};

type MultilineString = string | string[];
interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: MultilineString;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
interface NotebookCell {
  cell_type: string;
  source?: MultilineString;
  outputs?: NotebookOutput[];
  execution_count?: number | null;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const joined = (value: unknown): string =>
  Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '';
// Tracebacks carry terminal colours (ECMA-48 SGR sequences).
const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

function markdown(source: string): string {
  return sanitizeHtml(marked.parse(source, { async: false, gfm: true }), SANITIZE);
}

function renderOutput(output: NotebookOutput): string {
  switch (output.output_type) {
    case 'stream':
      return `<pre class="output stream ${output.name === 'stderr' ? 'stderr' : ''}">${escapeHtml(joined(output.text))}</pre>`;
    case 'error':
      return `<pre class="output error">${escapeHtml(
        stripAnsi((output.traceback ?? []).join('\n') || `${output.ename}: ${output.evalue}`),
      )}</pre>`;
    case 'execute_result':
    case 'display_data': {
      const data = output.data ?? {};
      const mime = OUTPUT_PRIORITY.find((m) => data[m] !== undefined);
      if (!mime) {
        const kinds = Object.keys(data).join(', ') || 'no data';
        return `<pre class="output missing">[output of type ${escapeHtml(kinds)} has no static fallback]</pre>`;
      }
      const value = joined(data[mime]);
      if (mime === 'image/svg+xml')
        return `<div class="output image"><img alt="figure" src="data:image/svg+xml;base64,${Buffer.from(value, 'utf8').toString('base64')}"></div>`;
      if (mime.startsWith('image/'))
        return `<div class="output image"><img alt="figure" src="data:${mime};base64,${value.replace(/\s+/g, '')}"></div>`;
      if (mime === 'text/html') return `<div class="output html">${sanitizeHtml(value, SANITIZE)}</div>`;
      if (mime === 'text/markdown') return `<div class="output markdown">${markdown(value)}</div>`;
      return `<pre class="output text">${escapeHtml(value)}</pre>`;
    }
    default:
      return '';
  }
}

function renderCell(cell: NotebookCell): string {
  const source = joined(cell.source);
  if (cell.cell_type === 'markdown') return `<section class="cell markdown">${markdown(source)}</section>`;
  if (cell.cell_type === 'code') {
    const prompt = cell.execution_count ? `[${cell.execution_count}]` : '[ ]';
    const outputs = (cell.outputs ?? []).map(renderOutput).join('\n');
    return `<section class="cell code"><div class="input"><span class="prompt">${prompt}</span><pre><code>${escapeHtml(source)}</code></pre></div>${outputs}</section>`;
  }
  return `<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
header{border-bottom:1px solid #ddd;margin-bottom:1em}header small{color:#666}
.cell{margin:1em 0}.input{display:flex;gap:.5em}.prompt{color:#307fc1;font:12px monospace;min-width:3.5em;padding-top:.6em}
pre{background:#f7f7f7;padding:.5em;overflow:auto;margin:0;flex:1}.output{margin:.3em 0 0 4em}
.output.error{background:#fdd}.output.stderr{background:#fee}.output img{max-width:100%}
nav a{display:block}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}`;

export function page(title: string, subtitle: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><header><h1>${escapeHtml(title)}</h1><small>${escapeHtml(subtitle)}</small></header><main>${body}</main></body></html>`;
}

/**
 * A notebook's cells and outputs as an HTML fragment. A file that is not valid nbformat JSON is shown as
 * text with a note, so a broken notebook still opens.
 */
export function renderNotebook(content: string): string {
  let notebook: { cells?: NotebookCell[] };
  try {
    notebook = JSON.parse(content);
    if (!Array.isArray(notebook.cells)) throw new Error('no cells array');
  } catch (error) {
    return `<p class="warning">This notebook is not valid nbformat JSON (${escapeHtml((error as Error).message)}); its text follows.</p><pre>${escapeHtml(content)}</pre>`;
  }
  return notebook.cells!.map(renderCell).join('\n');
}

/** Any project file as an HTML fragment: notebooks rendered, netlists, schematics and models as text. */
export function renderFile(file: { path: string; kind: string; content: string }): string {
  if (file.kind === 'notebook' || file.path.endsWith('.ipynb')) return renderNotebook(file.content);
  return `<pre>${escapeHtml(file.content)}</pre>`;
}
