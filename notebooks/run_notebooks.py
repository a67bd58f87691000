#!/usr/bin/env python3
"""Executes every notebook in notebooks/ headless in its own kernel (SpiceSim (TypeScript) for ours) with
nbclient. A notebook fails on any cell error, including a failed `sim.check(...)`. The notebooks themselves
are not modified; executed copies (and HTML exports with --html) go to the output directory.

    .venv/bin/python notebooks/run_notebooks.py [--out DIR] [--html] [--timeout SECONDS] [--summary FILE]
                                                [--interrupt-check] [notebook ...]

--interrupt-check also interrupts running cells through jupyter_client (interrupt_check.py: local runs, and
runOnServer against a throw-away service) and counts them as two more results.

Prints one line per notebook and `notebooks: N passed, M failed`; exit code 1 when any failed.
Needs: the kernel built (npm run build -w kernel, and the solver) and installed (scripts/start.sh does both,
or `node kernel/scripts/install-kernelspec.js`).
"""
import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

WAVEFORM_MIME = "application/vnd.spicesim.waveform.v1+json"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def first_error(nb) -> str:
    """The first error or stderr output of an executed notebook, for the failure line."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"cell {index}: {output.get('ename')}: {output.get('evalue')}"
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                return f"cell {index}: {output.get('text', '').strip().splitlines()[0] if output.get('text') else ''}"
    return ""


def run(path: Path, out_dir: Path, timeout: int, html: bool) -> bool:
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "spicesim")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel,
        # Run in notebooks/ so relative paths and `import ... from '@spicesim/kernel'` resolve as in JupyterLab.
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.monotonic()
    ok = True
    detail = ""
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as error:
        ok = False
        detail = first_error(nb) or str(error).strip().splitlines()[-1]
    # tslab reports some errors as stderr output with status ok: treat any stderr as a failure too.
    if ok:
        detail = first_error(nb)
        ok = detail == ""
    elapsed = time.monotonic() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / path.name
    nbformat.write(nb, executed)
    if html:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        (out_dir / (path.stem + ".html")).write_text(body, encoding="utf-8")
        # Every waveform must reach the HTML export as its static SVG fallback.
        waveforms = sum(1 for cell in nb.cells for output in cell.get("outputs", []) if WAVEFORM_MIME in output.get("data", {}))
        svgs = body.count('class="jp-RenderedSVG')
        if ok and svgs < waveforms:
            ok = False
            detail = f"the HTML export shows {svgs} SVG plots for {waveforms} waveform outputs"
    status = "PASS" if ok else "FAIL"
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"notebooks: {status} {shown} ({elapsed:.1f} s){': ' + detail if detail else ''}", flush=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "test-results" / "notebooks")
    parser.add_argument("--html", action="store_true", help="also export each executed notebook to HTML")
    parser.add_argument("--timeout", type=int, default=300, help="per-cell timeout in seconds")
    parser.add_argument("--summary", type=Path, help="write {passed, failed} as JSON here (for scripts/test.sh)")
    parser.add_argument("--interrupt-check", action="store_true", help="also run the kernel interrupt check (interrupt_check.py)")
    args = parser.parse_args()
    paths = [p.resolve() for p in args.notebooks] or sorted(HERE.glob("*.ipynb"))
    if not paths:
        print("notebooks: no notebooks found", file=sys.stderr)
        return 1
    results = [run(p, args.out, args.timeout, args.html) for p in paths]
    if args.interrupt_check:
        sys.path.insert(0, str(HERE))
        from interrupt_check import interrupt_check, server_run_check

        results.append(interrupt_check())
        results.append(server_run_check())
    failed = results.count(False)
    print(f"notebooks: {len(results) - failed} passed, {failed} failed (executed copies in {args.out})")
    if args.summary:
        args.summary.write_text(json.dumps({"passed": len(results) - failed, "failed": failed}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
