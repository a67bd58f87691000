#!/usr/bin/env python3
"""Kernel interrupt check: a running cell is interrupted through jupyter_client, as JupyterLab's stop button
does (SIGINT to the kernel, kernelspec interrupt_mode "signal"), and the kernel must answer afterwards.

1. `await circuit.tranAsync(...)` of a transient that would take ~20 s: the notebook must show live progress
   (the progress display updated in place with a growing percentage), the interrupt must end the cell within
   a few seconds with the "interrupted ... the kernel is ready" message, the worker thread must be gone
   (the kernel process uses almost no CPU afterwards), and the next cell must run.
2. `await sim.sweep(...)` of four such transients on worker threads: interrupted, the kernel answers.
3. The synchronous `circuit.tran(...)` of the same transient: tslab breaks the running script on SIGINT.

    .venv/bin/python notebooks/interrupt_check.py      # prints PASS/FAIL lines; exit 1 on failure
"""
import re
import sys
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

HERE = Path(__file__).resolve().parent

LONG_RC = """sim.netlist(`RC, 20 million time points
V1 in 0 SIN(0 1 1k)
R1 in out 1k
C1 out 0 1u
.save v(out)
.end`)"""


class Check:
    def __init__(self):
        self.failures = []

    def expect(self, ok, what):
        if not ok:
            self.failures.append(what)
        return ok


def run_cell(kc, code, timeout=60):
    """Executes code, returns (reply content, outputs as (msg_type, content))."""
    msg_id = kc.execute(code)
    outputs = collect(kc, msg_id, timeout)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    return reply["content"], outputs


def collect(kc, msg_id, timeout, until=None):
    """iopub messages of msg_id until it goes idle (or until(outputs) is true): [(msg_type, content)]."""
    outputs = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        except Exception:
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            return outputs
        outputs.append((kind, msg["content"]))
        if until and until(outputs):
            return outputs
    return outputs


def text_of(outputs):
    parts = []
    for kind, content in outputs:
        if kind == "stream":
            parts.append(content["text"])
        elif kind == "error":
            parts.append(f"{content['ename']}: {content['evalue']}")
        elif kind in ("display_data", "update_display_data", "execute_result"):
            parts.append(str(content.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def percentages(outputs):
    values = []
    for kind, content in outputs:
        if kind in ("display_data", "update_display_data"):
            m = re.search(r"(\d+)%", str(content.get("data", {}).get("text/plain", "")))
            if m:
                values.append(int(m.group(1)))
    return values


def interrupt_check() -> bool:
    check = Check()
    km, kc = start_new_kernel(kernel_name="spicesim", cwd=str(HERE))
    try:
        reply, outputs = run_cell(kc, "import * as sim from '@spicesim/kernel';")
        check.expect(reply["status"] == "ok", f"import failed: {text_of(outputs)}")

        # 1. Background run: live progress, then interrupt.
        started = time.monotonic()
        msg_id = kc.execute(f"const long = await {LONG_RC}.tranAsync('1n', '20m', {{ tmax: '1n' }});")
        seen = collect(kc, msg_id, 60, until=lambda out: len([p for p in percentages(out) if p > 0]) >= 3)
        shown = percentages(seen)
        check.expect(
            len([p for p in shown if p > 0]) >= 3 and shown == sorted(shown),
            f"no live progress before the interrupt (percentages seen: {shown})",
        )
        km.interrupt_kernel()
        interrupted_at = time.monotonic()
        rest = collect(kc, msg_id, 30)
        stopped_after = time.monotonic() - interrupted_at
        reply = kc.get_shell_msg(timeout=10)
        text = text_of(seen + rest)
        check.expect(reply["content"]["status"] == "error", f"the interrupted cell did not fail: {reply['content']}")
        check.expect(stopped_after < 5, f"the cell ended {stopped_after:.1f} s after the interrupt")
        check.expect(
            re.search(r"interrupted at \d+% after .*the kernel is ready", text) is not None,
            f"no 'interrupted' message: {text[-400:]!r}",
        )
        # tslab aborts requests arriving within 200 ms of a failed cell (stop on error): wait like a person would.
        time.sleep(0.5)
        print(
            f"interrupt-check: background run showed {len(shown)} progress updates (up to {max(shown or [0])}%) "
            f"in {interrupted_at - started:.1f} s; the cell ended {stopped_after:.2f} s after the interrupt",
            flush=True,
        )
        # The worker is gone: the kernel process is idle; and the kernel answers.
        reply, outputs = run_cell(
            kc,
            "const before = process.cpuUsage(); await new Promise((r) => setTimeout(r, 1000)); "
            "const used = process.cpuUsage(before); console.log(`cpu ${(used.user + used.system) / 1000} ms`);",
            timeout=30,
        )
        cpu = re.search(r"cpu ([\d.]+) ms", text_of(outputs))
        check.expect(cpu is not None and float(cpu.group(1)) < 300, f"kernel still busy after the interrupt: {text_of(outputs)!r}")
        reply, outputs = run_cell(kc, "(await sim.netlist('d\\nV1 a 0 2\\nR1 a b 1k\\nR2 b 0 1k\\n.end').opAsync()).value('b')", timeout=30)
        check.expect(reply["status"] == "ok" and "1" in text_of(outputs), f"kernel did not answer after the interrupt: {text_of(outputs)!r}")

        # 2. A sweep in worker threads: interrupted, the kernel answers.
        msg_id = kc.execute(
            f"const runs = await sim.sweep([1, 2, 3, 4], (k) => {LONG_RC}.withAnalysis(`.tran 1n ${{k * 5}}m 0 1n`), {{ workers: 2 }});"
        )
        time.sleep(2.5)
        km.interrupt_kernel()
        interrupted_at = time.monotonic()
        rest = collect(kc, msg_id, 30)
        stopped_after = time.monotonic() - interrupted_at
        reply = kc.get_shell_msg(timeout=10)
        check.expect(reply["content"]["status"] == "error", f"the interrupted sweep did not fail: {reply['content']}")
        check.expect(stopped_after < 5, f"the sweep ended {stopped_after:.1f} s after the interrupt")
        time.sleep(0.5)
        reply, outputs = run_cell(kc, "2 + 3", timeout=30)
        check.expect(reply["status"] == "ok" and "5" in text_of(outputs), f"kernel did not answer after interrupting a sweep: {text_of(outputs)!r}")
        print(f"interrupt-check: sweep ended {stopped_after:.2f} s after the interrupt", flush=True)

        # 3. Synchronous run: tslab interrupts the running script.
        msg_id = kc.execute(f"const blocking = {LONG_RC}.tran('1n', '20m', {{ tmax: '1n' }});")
        time.sleep(2)
        km.interrupt_kernel()
        interrupted_at = time.monotonic()
        rest = collect(kc, msg_id, 30)
        stopped_after = time.monotonic() - interrupted_at
        reply = kc.get_shell_msg(timeout=10)
        check.expect(reply["content"]["status"] == "error", f"the interrupted synchronous cell did not fail: {reply['content']}")
        check.expect(stopped_after < 5, f"the synchronous cell ended {stopped_after:.1f} s after the interrupt")
        time.sleep(0.5)
        reply, outputs = run_cell(kc, "6 * 7", timeout=30)
        check.expect(reply["status"] == "ok" and "42" in text_of(outputs), f"kernel did not answer after interrupting a synchronous run: {text_of(outputs)!r}")
        print(f"interrupt-check: synchronous run ended {stopped_after:.2f} s after the interrupt ({text_of(rest).strip()[:80]!r})", flush=True)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    for failure in check.failures:
        print(f"interrupt-check: {failure}", flush=True)
    print(f"notebooks: {'PASS' if not check.failures else 'FAIL'} kernel interrupt check", flush=True)
    return not check.failures


if __name__ == "__main__":
    sys.exit(0 if interrupt_check() else 1)
