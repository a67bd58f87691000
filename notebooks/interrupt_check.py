#!/usr/bin/env python3
"""Kernel interrupt check: a running cell is interrupted through jupyter_client, as JupyterLab's stop button
does (SIGINT to the kernel, kernelspec interrupt_mode "signal"), and the kernel must answer afterwards.

1. `await circuit.tranAsync(...)` of a transient that would take ~20 s: the notebook must show live progress
   (the progress display updated in place with a growing percentage), the interrupt must end the cell within
   a few seconds with the "interrupted ... the kernel is ready" message, the worker thread must be gone
   (the kernel process uses almost no CPU afterwards), and the next cell must run.
2. `await sim.sweep(...)` of four such transients on worker threads: interrupted, the kernel answers.
3. The synchronous `circuit.tran(...)` of the same transient: tslab breaks the running script on SIGINT.

`server_run_check()` does the same for `runOnServer` against a throw-away SpiceSim service
(extension/test/service-harness.ts: embedded PostgreSQL), signed in through SPICESIM_SERVER_URL and
SPICESIM_ACCESS_TOKEN: a server run equals the local run value for value, then a long server run shows
live progress, is interrupted, and the service reports the job cancelled.

    .venv/bin/python notebooks/interrupt_check.py      # prints PASS/FAIL lines; exit 1 on failure
"""
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from jupyter_client.manager import start_new_kernel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(method, url, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers, method=method), timeout=30) as response:
        return json.loads(response.read())


def start_service():
    """The service harness on a free port: (process, url). Its log goes to test-results/notebooks/."""
    log_dir = ROOT / "test-results" / "notebooks"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / "interrupt-check-service.log", "w")
    process = subprocess.Popen(
        [str(ROOT / "node_modules" / ".bin" / "tsx"), str(ROOT / "extension" / "test" / "service-harness.ts"), str(free_port())],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        start_new_session=True,
    )
    ready, _, _ = select.select([process.stdout], [], [], 120)
    line = process.stdout.readline() if ready else b""
    if not line:
        stop_service(process)
        raise RuntimeError(f"the SpiceSim service did not start (see {log.name})")
    return process, json.loads(line)["url"]


def stop_service(process):
    try:
        process.stdin.close()  # the harness stops and drops its database on stdin EOF
        process.wait(timeout=30)
    except Exception:
        os.killpg(process.pid, signal.SIGKILL)


LADDER = """(() => {
  const lines = ['RC ladder, 200 stages', 'V1 n0 0 PULSE(0 1 0 1n 1n 5u 10u)'];
  for (let k = 1; k <= 200; k++) lines.push(`R${k} n${k - 1} n${k} 100`, `C${k} n${k} 0 1n`);
  return [...lines, '.tran 10n 20m', '.end'].join('\\n');
})()"""


def server_run_check() -> bool:
    check = Check()
    service, url = start_service()
    km = kc = None
    try:
        email = f"kernel.{int(time.time() * 1000)}@example.com"
        session = http_json("POST", f"{url}/api/v1/auth/register", {"email": email, "password": "correct horse battery", "name": "Kernel"})
        token = session["accessToken"]
        env = {**os.environ, "SPICESIM_SERVER_URL": url, "SPICESIM_ACCESS_TOKEN": token}
        km, kc = start_new_kernel(kernel_name="spicesim", cwd=str(HERE), env=env)
        reply, outputs = run_cell(kc, "import * as sim from '@spicesim/kernel';")
        check.expect(reply["status"] == "ok", f"import failed: {text_of(outputs)}")

        # A server run returns what a local run does.
        reply, outputs = run_cell(
            kc,
            "const rc = sim.netlist('RC\\nV1 in 0 PULSE(0 1 0 1u 1u 1m 2m)\\nR1 in out 1k\\nC1 out 0 100n\\n.tran 10u 2m\\n.end');\n"
            "const remote = await rc.runOnServer(); const local = rc.run();\n"
            "console.log(`same ${remote.tran.length} ${remote.tran.v('out').every((v, k) => v === local.tran.v('out')[k]) && remote.tran.length === local.tran.length}`);",
            timeout=120,
        )
        text = text_of(outputs)
        same = re.search(r"same (\d+) true", text)
        check.expect(reply["status"] == "ok" and same is not None, f"server run differs from the local run: {text[-300:]!r}")
        check.expect("done on the server" in text, f"no server progress display: {text[-300:]!r}")

        # A long server run: live progress, interrupt, the job is cancelled on the service.
        msg_id = kc.execute(f"const long = await sim.runOnServer({LADDER});")
        running = lambda out: any(
            kind in ("display_data", "update_display_data") and re.search(r"[1-9]\d*% running", str(c.get("data", {}).get("text/plain", "")))
            for kind, c in out
        )
        seen = collect(kc, msg_id, 120, until=running)
        check.expect(running(seen), f"no server progress before the interrupt: {text_of(seen)[-300:]!r}")
        km.interrupt_kernel()
        interrupted_at = time.monotonic()
        rest = collect(kc, msg_id, 30)
        stopped_after = time.monotonic() - interrupted_at
        reply = kc.get_shell_msg(timeout=10)
        text = text_of(seen + rest)
        check.expect(reply["content"]["status"] == "error", f"the interrupted server run did not fail: {reply['content']}")
        check.expect(stopped_after < 5, f"the server run ended {stopped_after:.1f} s after the interrupt")
        found = re.search(r"server simulation ([0-9a-f-]{36}) interrupted at \d+% after .*: cancelling the server job", text)
        check.expect(found is not None, f"no 'cancelling the server job' message: {text[-400:]!r}")
        if found:
            deadline = time.monotonic() + 10
            while True:
                view = http_json("GET", f"{url}/api/v1/simulations/{found.group(1)}", token=token)
                if view["status"] == "cancelled" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            check.expect(view["status"] == "cancelled", f"the service has the job as {view['status']}")
        time.sleep(0.5)
        reply, outputs = run_cell(kc, "2 + 2", timeout=30)
        check.expect(reply["status"] == "ok" and "4" in text_of(outputs), f"kernel did not answer after interrupting a server run: {text_of(outputs)!r}")
        print(f"interrupt-check: server run equal to the local one ({same.group(1) if same else '?'} points); long server run ended {stopped_after:.2f} s after the interrupt, job cancelled", flush=True)
    finally:
        if kc:
            kc.stop_channels()
        if km:
            km.shutdown_kernel(now=True)
        stop_service(service)
    for failure in check.failures:
        print(f"interrupt-check: {failure}", flush=True)
    print(f"notebooks: {'PASS' if not check.failures else 'FAIL'} kernel runOnServer check", flush=True)
    return not check.failures


if __name__ == "__main__":
    ok = interrupt_check()
    ok = server_run_check() and ok
    sys.exit(0 if ok else 1)
