#!/usr/bin/env python3
"""Reproduces the four "Done when" measurements of issue 8 (serving core) against a real `maas serve`.

    bench/serving/measure.py concurrency   # 1. c=1 and c=4: server (wrk) vs the best in-process setting
    bench/serving/measure.py batching      # 2. c=8: batching on vs off (maas bench), and vs in-process batches of 8
    bench/serving/measure.py overload      # 3. 30 s at 4x the sustainable rate: up, bounded RSS, fast 429s, recovery
    bench/serving/measure.py failover      # 4. a version that fails to load moved to production under traffic
    bench/serving/measure.py all           # the four, one after the other (each with its own server)

Every subcommand builds Release once (src/Maas.Cli and bench/Maas.Bench; --no-build skips it), starts `maas serve`
from the Release build with a temporary data folder on a free loopback port, waits until the sample model is ready,
measures, prints per-round lines, then a Markdown table of medians and whether each target is met (docs/benchmarks.md
shows the format). The server, the in-process process and the temporary folders are removed on exit, Ctrl+C and
SIGTERM included. Every load is bounded in time and aimed at 127.0.0.1 only. Standard library only.
"""

import argparse
import json
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI_DLL = os.path.join(ROOT, "src", "Maas.Cli", "bin", "Release", "net10.0", "maas.dll")
BENCH_DLL = os.path.join(ROOT, "bench", "Maas.Bench", "bin", "Release", "net10.0", "Maas.Bench.dll")
WRK_SCRIPT = os.path.join(ROOT, "bench", "wrk", "infer.lua")
MODEL = "all-minilm-l6-v2"

ENV = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1")
SERVER_ENV = {}  # --server-env: added to every server's environment
CLIENT_PREFIX = []  # --client-nice: `nice -n N` in front of every load generator (wrk, maas bench)
# Child processes and folders this script owns; removed by cleanup() whatever way the script ends.
PROCESSES = []
FOLDERS = []


def log(message):
    print(message, file=sys.stderr, flush=True)


def out(line=""):
    print(line, flush=True)


# --------------------------------------------------------------------------------------------------------------
# Processes and clean-up


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def start_process(args, **kwargs):
    """Starts a child in its own session (so a terminal's Ctrl+C reaches only this script, which then stops it)."""
    process = subprocess.Popen(args, env=kwargs.pop("env", ENV), start_new_session=True, **kwargs)
    PROCESSES.append(process)
    return process


def stop_process(process, grace=15):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    if process in PROCESSES:
        PROCESSES.remove(process)


def cleanup():
    for process in list(reversed(PROCESSES)):
        try:
            stop_process(process)
        except Exception as e:  # noqa: BLE001 - clean-up goes on with the others
            log(f"could not stop process {process.pid}: {e}")
    for folder in list(FOLDERS):
        shutil.rmtree(folder, ignore_errors=True)
        FOLDERS.remove(folder)


def run(args, timeout, check=True, capture=True):
    """Runs a command to its end (bounded by timeout) and returns the CompletedProcess."""
    result = subprocess.run(args, env=ENV, timeout=timeout, capture_output=capture, text=True, cwd=ROOT)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def build():
    for project in ("src/Maas.Cli/Maas.Cli.csproj", "bench/Maas.Bench/Maas.Bench.csproj"):
        log(f"building {project} (Release)")
        run(["dotnet", "build", "-c", "Release", "-nologo", "-v", "q", project], timeout=1800)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------------------------
# HTTP


def http(method, url, body=None, timeout=10):
    """One request; returns (status, parsed JSON or text). Never raises for an HTTP error status."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def infer_once(base, text="Which version answers?"):
    body = {"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": [text]}]}
    return http("POST", f"{base}/v2/models/{MODEL}/infer", body, timeout=30)


# --------------------------------------------------------------------------------------------------------------
# The server


class Server:
    """`maas serve` from the Release build, with its own temporary data folder, on a free loopback port."""

    def __init__(self, name="server", env=None):
        self.name = name
        self.data = tempfile.mkdtemp(prefix="maas-measure-")
        FOLDERS.append(self.data)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._ready_once = False
        self.log_path = os.path.join(self.data, "server.log")
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = start_process(
            ["dotnet", CLI_DLL, "serve", "--data", os.path.join(self.data, "data"), "--http-port", str(self.port), "--grpc-port", "0"],
            env=dict(ENV, **SERVER_ENV, **(env or {})), stdout=self._log, stderr=subprocess.STDOUT, cwd=self.data)
        self.wait_ready()

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        if self.process.poll() is not None:
            return False
        try:
            return http("GET", f"{self.url}/v2/health/ready", timeout=5)[0] == 200
        except OSError:
            return False

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if (http("GET", f"{self.url}/v2/health/ready", timeout=5)[0] == 200
                        and http("GET", f"{self.url}/v2/models/{MODEL}/ready", timeout=5)[0] == 200):
                    if not self._ready_once:
                        log(f"{self.name} ready at {self.url} (pid {self.pid}, data {self.data})")
                        self._ready_once = True
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready within {timeout} s:\n{self.log_tail()}")

    def rss_bytes(self):
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        stop_process(self.process)
        self._log.close()


def maas(server, *args, timeout=120, check=True):
    return run(["dotnet", CLI_DLL, *args, "--server", server.url], timeout=timeout, check=check)


# The texts every load of this script sends, one sentence per request: the same eight as bench/wrk/infer.lua and the
# in-process baseline (Maas.Bench), so server and in-process figures are about the same inputs.
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Maas turns trained models into a network service.",
    "How many embeddings can one core compute per second?",
    "Serving latency matters as much as throughput.",
    "A sentence of moderate length, written for this benchmark alone.",
    "Short one.",
    "Vectors of 384 floats come back for every sentence.",
    "Interleaved runs keep the comparison honest on a noisy machine.",
]
_BODIES = []


def sentence_bodies():
    """A JSON Lines file of /v2 bodies, one sentence each, for `maas bench --input` (sent in turn)."""
    if not _BODIES:
        folder = tempfile.mkdtemp(prefix="maas-measure-input-")
        FOLDERS.append(folder)
        path = os.path.join(folder, "sentences.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for sentence in SENTENCES:
                f.write(json.dumps({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": [sentence]}]}) + "\n")
        _BODIES.append(path)
    return _BODIES[0]


def maas_bench(server, *args, seconds, model=MODEL):
    """`maas bench MODEL --json ...` with the benchmark sentences as input; returns the parsed report (progress goes to
    stderr and is dropped)."""
    result = run([*CLIENT_PREFIX, "dotnet", CLI_DLL, "bench", model, "--json", "--server", server.url, "--input", sentence_bodies(), *args],
                 timeout=seconds + 180, check=False)
    try:
        return json.loads(result.stdout)
    except ValueError:
        raise RuntimeError(f"maas bench {' '.join(args)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr[-2000:]}") from None


# --------------------------------------------------------------------------------------------------------------
# Load generators: wrk and the in-process pipeline


def wrk(server, connections, seconds, threads=None):
    """wrk with bench/wrk/infer.lua (one sentence per request); returns the RESULT line as a dict."""
    threads = threads or min(connections, 2)
    result = run([*CLIENT_PREFIX, "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", WRK_SCRIPT,
                  f"{server.url}/v2/models/{MODEL}/infer"], timeout=seconds + 60)
    match = re.search(r"^RESULT (.*)$", result.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no RESULT line:\n{result.stdout}\n{result.stderr}")
    values = dict(pair.split("=") for pair in match.group(1).split())
    return {k: (int(v) if k in ("requests", "non200") else float(v)) for k, v in values.items()}


class InProcess:
    """bench/Maas.Bench's `inprocess` mode: the same pipeline in its own process, one measurement per command."""

    def __init__(self):
        self.process = start_process(["dotnet", BENCH_DLL, "inprocess"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1, cwd=ROOT)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._next(timeout=300)
        log(f"in-process pipelines ready (pid {self.process.pid}, {ready.get('cores')} cores)")

    def _read(self):
        for line in self.process.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))
        self.lines.put(None)

    def _next(self, timeout):
        try:
            item = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError("in-process benchmark did not answer in time") from None
        if item is None:
            raise RuntimeError(f"in-process benchmark exited with {self.process.wait()}")
        return item

    def measure(self, command, seconds):
        """Runs `single C S` or `batch ROWS S`; returns one dict per thread setting."""
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        results = []
        while True:
            item = self._next(timeout=seconds * 3 + 60)
            if item.get("done"):
                return results
            if "error" in item:
                raise RuntimeError(item["error"])
            results.append(item)

    def stop(self):
        try:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            self.process.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        stop_process(self.process)


# --------------------------------------------------------------------------------------------------------------
# Reporting


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def verdict(ok):
    return "**met**" if ok else "**not met**"


def table(headings, rows):
    out("| " + " | ".join(headings) + " |")
    out("|" + "---|" * len(headings))
    for row in rows:
        out("| " + " | ".join(str(c) for c in row) + " |")
    out()


STARTED = {"load": os.getloadavg()[0], "time": time.strftime("%Y-%m-%d %H:%M:%S")}


def machine_line():
    out(f"Machine: {os.cpu_count()} cores; load average {STARTED['load']:.2f} when the script started ({STARTED['time']}), "
        f"{os.getloadavg()[0]:.2f} now.")
    out()


# --------------------------------------------------------------------------------------------------------------
# 1. Concurrency 1 and 4: server (wrk) vs the best in-process setting


def concurrency(args):
    levels = [int(c) for c in args.concurrency.split(",")]
    server = Server()
    inprocess = InProcess()
    wrk(server, connections=max(levels), seconds=2)  # warm-up of the server's sessions and connections, not counted
    rounds = {c: [] for c in levels}
    for r in range(args.rounds):
        for c in levels:
            def measure_server():
                return wrk(server, connections=c, seconds=args.seconds, threads=1 if c == 1 else 2)

            def measure_inprocess():
                return inprocess.measure(f"single {c} {args.seconds}", args.seconds)

            # Alternate which side goes first; never both at once.
            if r % 2 == 0:
                settings, served = measure_inprocess(), measure_server()
            else:
                served, settings = measure_server(), measure_inprocess()
            best = max(settings, key=lambda s: s["calls_per_s"])
            ratio = served["rps"] / best["calls_per_s"]
            rounds[c].append({"inprocess": settings, "best": best, "server": served, "ratio": ratio})
            log(f"round {r + 1} c={c}: in-process " + ", ".join(f"{s['path'][11:]} {s['calls_per_s']:.1f}" for s in settings)
                + f" | server {served['rps']:.1f} req/s (p50 {served['p50_ms']:.2f} ms, non-200 {served['non200']}) | ratio {ratio:.3f}")

    out(f"## 1. Concurrency {' and '.join(map(str, levels))}: server (wrk) vs the best in-process setting")
    out()
    machine_line()
    out(f"{args.rounds} rounds × {args.seconds} s per side; in-process and server alternate, never at once.")
    out()
    rows = []
    for c in levels:
        for i, entry in enumerate(rounds[c]):
            rows.append([c, i + 1, entry["best"]["path"], f"{entry['best']['calls_per_s']:.1f}",
                         f"{entry['server']['rps']:.1f}", f"{entry['server']['p50_ms']:.2f}", entry["server"]["non200"],
                         f"{entry['ratio']:.3f}"])
    table(["concurrency", "round", "best in-process setting", "in-process calls/s", "server req/s (wrk)",
           "server p50 ms", "non-200", "ratio"], rows)
    summary = {}
    rows = []
    for c in levels:
        m = median(e["ratio"] for e in rounds[c])
        settings = sorted({e["best"]["path"] for e in rounds[c]})
        summary[f"c{c}"] = {"median_ratio": m, "rounds": rounds[c]}
        rows.append([c, ", ".join(settings), f"{median(e['best']['calls_per_s'] for e in rounds[c]):.1f}",
                     f"{median(e['server']['rps'] for e in rounds[c]):.1f}", f"**{m:.3f}**", "≥ 0.85", verdict(m >= 0.85)])
    table(["concurrency", "best in-process setting(s)", "in-process calls/s (median)", "server req/s (median)",
           "ratio (median of rounds)", "target", "result"], rows)
    inprocess.stop()
    server.stop()
    return summary


# --------------------------------------------------------------------------------------------------------------
# 2. Concurrency 8: batching on vs off, and vs in-process batches of 8


class BatchSwitch:
    """Turns batching off (max batch size 1) and on (8) on one server: `maas models deploy`, else the REST call,
    else two servers started with different defaults."""

    def __init__(self, method, on_size):
        self.on_size = on_size
        self.server = Server()
        self.off_server = None
        self.method = method
        if method == "auto":
            self.method = self._detect()
        if self.method == "two-servers":
            self.off_server = Server("server batching off", env={"Maas__Serving__Defaults__MaxBatchSize": "1"})
        log(f"batching switched by: {self.method}")

    def _detect(self):
        if maas(self.server, "models", "deploy", MODEL, "--max-batch-size", str(self.on_size), check=False).returncode == 0:
            return "deploy"
        status, _ = http("PUT", f"{self.server.url}/api/models/{MODEL}/deployment", {"max_batch_size": self.on_size})
        if status == 200:
            return "rest"
        return "two-servers"

    def target(self, on):
        """Sets batching on or off and returns the server to load."""
        size = self.on_size if on else 1
        if self.method == "deploy":
            maas(self.server, "models", "deploy", MODEL, "--max-batch-size", str(size))
        elif self.method == "rest":
            status, body = http("PUT", f"{self.server.url}/api/models/{MODEL}/deployment", {"max_batch_size": size})
            if status != 200:
                raise RuntimeError(f"PUT deployment: HTTP {status}: {body}")
        else:
            return self.server if on else self.off_server
        self.server.wait_ready()
        return self.server

    def effective(self):
        status, body = http("GET", f"{self.server.url}/api/models/{MODEL}/deployment")
        return body.get("effective") if status == 200 and isinstance(body, dict) else None

    def stop(self):
        for server in (self.off_server, self.server):
            if server:
                server.stop()


def level_of(report):
    return report["levels"][0]


def batching(args):
    c, rows_per_batch = args.concurrency, args.batch
    switch = BatchSwitch(args.switch, rows_per_batch)
    inprocess = InProcess()
    rounds = []
    for r in range(args.rounds):
        entry = {}
        for on in ((False, True) if r % 2 == 0 else (True, False)):
            server = switch.target(on)
            if on:
                entry["settings_on"] = switch.effective()
            report = maas_bench(server, "--concurrency", str(c), "--duration", f"{args.seconds}s", "--warmup", "2s",
                                seconds=args.seconds)
            entry["on" if on else "off"] = level_of(report)
        batches = inprocess.measure(f"batch {rows_per_batch} {args.seconds}", args.seconds)
        entry["inprocess_best"] = max(batches, key=lambda s: s["rows_per_s"])
        entry["inprocess"] = batches
        # The server at concurrency C never holds more than C rows, while the best in-process setting above may run
        # one caller per core with a batch each (2 × 8 rows on 2 cores). The same pipeline with exactly C rows in
        # flight: calls of C rows with one caller (all-core settings), or calls of C / callers rows per caller.
        same = [s for s in batches if s["concurrency"] * s["rows_per_call"] == c]
        if c % 2 == 0 and rows_per_batch != c // 2:
            halves = inprocess.measure(f"batch {c // 2} {args.seconds}", args.seconds)
            same += [s for s in halves if s["concurrency"] * s["rows_per_call"] == c]
        entry["inprocess_same_inflight"] = max(same, key=lambda s: s["rows_per_s"]) if same else None
        # The engine's own gain from batching on this CPU: batches of N against the best way to run the same
        # concurrency as single-text calls. Batching on ÷ off cannot exceed it by much, whatever the server does.
        singles = inprocess.measure(f"single {c} {args.seconds}", args.seconds)
        entry["inprocess_single_best"] = max(singles, key=lambda s: s["calls_per_s"])
        entry["engine_gain"] = entry["inprocess_best"]["rows_per_s"] / entry["inprocess_single_best"]["calls_per_s"]
        on_level, off_level = entry["on"], entry["off"]
        entry["throughput_ratio"] = on_level["throughput"] / off_level["throughput"] if off_level["throughput"] else float("nan")
        entry["p95_ratio"] = (on_level["latency_ms"]["p95"] / off_level["latency_ms"]["p95"]
                              if on_level["latency_ms"] and off_level["latency_ms"] else float("nan"))
        entry["vs_inprocess"] = on_level["rows_per_second"] / entry["inprocess_best"]["rows_per_s"]
        same = entry["inprocess_same_inflight"]
        entry["vs_same_inflight"] = on_level["rows_per_second"] / same["rows_per_s"] if same else float("nan")
        rounds.append(entry)
        log(f"round {r + 1}: off {off_level['throughput']:.1f} req/s p95 {p95(off_level)} | on {on_level['throughput']:.1f} req/s "
            f"p95 {p95(on_level)} batch {server_batch(on_level)} | in-process ×{rows_per_batch} best "
            f"{entry['inprocess_best']['rows_per_s']:.1f} rows/s ({entry['inprocess_best']['path']}) | "
            f"on/off {entry['throughput_ratio']:.3f}, p95 {entry['p95_ratio']:.3f}, on/in-process {entry['vs_inprocess']:.3f} | "
            f"in-process single c={c} best {entry['inprocess_single_best']['calls_per_s']:.1f} calls/s, engine gain {entry['engine_gain']:.3f} | "
            f"in-process with {c} rows in flight {same_cell(entry)}, on/that {entry['vs_same_inflight']:.3f}")

    out(f"## 2. Concurrency {c}: batching on vs off (`maas bench`), and vs in-process batches of {rows_per_batch}")
    out()
    machine_line()
    out(f"{args.rounds} rounds × {args.seconds} s per side; batching switched by `{switch.method}`; "
        f"max batch size {rows_per_batch} (on) and 1 (off); errors: "
        f"{sum(e['on']['failed'] + e['off']['failed'] for e in rounds)}.")
    out()
    table(["round", "off req/s", "off p95 ms", "off mean batch", "on req/s", "on p95 ms", "on mean batch", f"in-process best ×{rows_per_batch} rows/s",
           f"in-process best single c={c} calls/s", "engine gain", f"in-process best, {c} rows in flight", "on ÷ off", "p95 on ÷ off",
           "on ÷ in-process", f"on ÷ in-process, {c} rows in flight"],
          [[i + 1, f"{e['off']['throughput']:.1f}", p95(e["off"]), server_batch(e["off"]), f"{e['on']['throughput']:.1f}", p95(e["on"]),
            server_batch(e["on"]), f"{e['inprocess_best']['rows_per_s']:.1f} ({e['inprocess_best']['path'][11:]})",
            f"{e['inprocess_single_best']['calls_per_s']:.1f} ({e['inprocess_single_best']['path'][11:]})", f"{e['engine_gain']:.3f}",
            same_cell(e), f"{e['throughput_ratio']:.3f}", f"{e['p95_ratio']:.3f}", f"{e['vs_inprocess']:.3f}",
            f"{e['vs_same_inflight']:.3f}"] for i, e in enumerate(rounds)])
    t, p, v, g, w = (median(e[k] for e in rounds) for k in ("throughput_ratio", "p95_ratio", "vs_inprocess", "engine_gain", "vs_same_inflight"))
    table(["comparison (median of rounds)", "ratio", "target", "result"], [
        [f"c={c}: engine gain, in-process ×{rows_per_batch} rows/s ÷ best single-text calls/s at c={c} (the ceiling of on ÷ off)",
         f"**{g:.3f}**", "-", "-"],
        [f"c={c}: throughput, batching on ÷ off", f"**{t:.3f}**", "≥ 1.6", verdict(t >= 1.6)
         + ("" if g >= 1.6 else f" (the engine itself gains only {g:.2f}× on this CPU)")],
        [f"c={c}: p95 latency, batching on ÷ off", f"**{p:.3f}**", "≤ 1.5", verdict(p <= 1.5)],
        [f"c={c}: rows/s, batching on ÷ best in-process on batches of {rows_per_batch}", f"**{v:.3f}**", "≥ 0.85", verdict(v >= 0.85)],
        [f"c={c}: rows/s, batching on ÷ best in-process with the same {c} rows in flight (calls of {c} rows with one caller, "
         f"or of {c // 2} rows with two)", f"**{w:.3f}**", "(≥ 0.85)", verdict(w >= 0.85)],
    ])
    inprocess.stop()
    switch.stop()
    return {"method": switch.method, "throughput_ratio": t, "p95_ratio": p, "vs_inprocess": v, "engine_gain": g,
            "vs_same_inflight": w, "rounds": rounds}


def same_cell(entry):
    same = entry.get("inprocess_same_inflight")
    return f"{same['rows_per_s']:.1f} ({same['path'][11:]} ×{same['rows_per_call']}, {same['concurrency']} caller(s))" if same else "-"


def p95(level):
    return f"{level['latency_ms']['p95']:.2f}" if level.get("latency_ms") else "-"


def server_batch(level):
    batch = (level.get("server") or {}).get("batch_size")
    return f"{batch:.2f}" if batch is not None else "-"


# --------------------------------------------------------------------------------------------------------------
# 3. Overload


class RssSampler:
    """Samples the server's resident set once a second, from start() until stop()."""

    def __init__(self, server):
        self.server = server
        self.samples = []  # (seconds since start, bytes)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            rss = self.server.rss_bytes()
            if rss is not None:
                self.samples.append((time.monotonic() - self.started, rss))
            self._stop.wait(1.0)

    def stop(self):
        self._stop.set()
        self._thread.join(5)


def request_timeout_ms(server, configured):
    status, body = http("GET", f"{server.url}/api/models/{MODEL}/deployment")
    if status == 200 and isinstance(body, dict) and body.get("effective"):
        return float(body["effective"]["request_timeout_ms"]), "GET /api/models/{name}/deployment"
    if configured:
        return configured, "--request-timeout-ms"
    return 300_000.0, "DeploymentSettings default (5 min)"


def overload(args):
    env = {}
    if args.request_timeout_ms:
        env["Maas__Serving__Defaults__RequestTimeout"] = timespan(args.request_timeout_ms)
    server = Server(env=env)
    timeout_ms, timeout_source = request_timeout_ms(server, args.request_timeout_ms)
    mib = 1024 * 1024

    log("baseline: c=1 with wrk, then the sustainable rate with maas bench c=8")
    wrk(server, connections=1, seconds=2)
    before = wrk(server, connections=1, seconds=args.baseline_seconds, threads=1)
    sustainable_report = maas_bench(server, "--concurrency", "8", "--duration", f"{args.sustainable_seconds}s",
                                    "--warmup", "2s", seconds=args.sustainable_seconds)
    sustainable = level_of(sustainable_report)["throughput"]
    rate = sustainable * args.factor

    sampler = RssSampler(server).start()
    time.sleep(2.5)  # a few samples of the resting process
    rss_before = max(b for _, b in sampler.samples) if sampler.samples else None
    overload_started = time.monotonic() - sampler.started
    server_before = rejection_buckets(server)
    log(f"overload: {rate:.0f} req/s (×{args.factor} of {sustainable:.1f}) for {args.duration} s, open loop")
    report = maas_bench(server, "--rate", f"{rate:.1f}", "--duration", f"{args.duration}s", "--warmup", f"{args.warmup_seconds}s",
                        "--timeout", f"{int(timeout_ms / 1000) + 30}s", seconds=args.warmup_seconds + args.duration + timeout_ms / 1000)
    ended = time.monotonic()
    overload_ended = ended - sampler.started
    server_side = rejection_delta(server_before, rejection_buckets(server))
    windows = []
    for _ in range(args.recovery_windows):
        start = time.monotonic() - ended
        result = wrk(server, connections=1, seconds=1, threads=1)
        windows.append({"started_s": start, "ended_s": time.monotonic() - ended, **result})
    time.sleep(2)
    sampler.stop()
    up = server.alive()
    level = level_of(report)

    during = [b for t, b in sampler.samples if overload_started <= t <= overload_ended + 1]
    after = [b for t, b in sampler.samples if t > overload_ended + 1]
    # send_rate: what the client really sent (first to last send); older maas bench builds lack it, and then the
    # requests over the whole level (answers of the last ones included) is a lower bound.
    achieved = level.get("send_rate") or (level["requests"] / level["duration_seconds"] if level["duration_seconds"] else 0)
    rejected = [e for e in level["errors"] if e["kind"] == "HTTP 429"]
    others = [e for e in level["errors"] if e["kind"] != "HTTP 429"]
    ok = level.get("latency_ms")
    # Back to normal within N s: from some window that ends by then (wrk's start-up adds a few ms, hence the slack)
    # every window has a normal median and no errors.
    normal = [w["p50_ms"] <= args.recovery_tolerance * before["p50_ms"] and w["non200"] == 0 for w in windows]
    recovery_ok = any(w["ended_s"] <= args.recovery_seconds + 0.25 and all(normal[i:]) for i, w in enumerate(windows))

    out(f"## 3. Overload: {args.duration} s at {args.factor:g}× the sustainable rate")
    out()
    machine_line()
    out(f"Sustainable rate (maas bench, c=8 closed loop, {args.sustainable_seconds} s): **{sustainable:.1f} req/s**; "
        f"target open-loop rate {rate:.1f} req/s; achieved by the client: **{achieved:.1f} req/s** "
        f"({level['requests']} requests; the last answer {level['duration_seconds']:.1f} s after the first send"
        + ("" if achieved >= 0.9 * rate else "; the client could not reach the target on this machine") + ").")
    out(f"Request timeout (deadline) {timeout_ms:.0f} ms, from {timeout_source}.")
    out()
    rows = [["ok", level["succeeded"], *latency_cells(ok)]]
    rows += [[e["kind"], e["count"], *latency_cells(e.get("latency_ms"))] for e in level["errors"]]
    table(["outcome", "count", "p50 ms", "p99 ms", "max ms"], rows)
    table(["recovery window (wrk c=1, 1 s)", "started after the load, s", "req/s", "p50 ms", "p99 ms", "non-200"],
          [["before the overload", "-", f"{before['rps']:.1f}", f"{before['p50_ms']:.2f}", f"{before['p99_ms']:.2f}", before["non200"]]]
          + [[i + 1, f"{w['started_s']:.2f}", f"{w['rps']:.1f}", f"{w['p50_ms']:.2f}", f"{w['p99_ms']:.2f}", w["non200"]]
             for i, w in enumerate(windows)])
    rss_max = max(during + after) if during or after else None
    checks = [
        ["server process up after the load", "yes" if up else "**no**", "up", verdict(up)],
        ["resident memory: before → max during → after (MiB)",
         f"{fmt_mib(rss_before)} → {fmt_mib(max(during) if during else None)} → {fmt_mib(after[-1] if after else None)}",
         "bounded", verdict(bool(rss_before) and rss_max is not None and rss_max <= args.rss_bound * rss_before)
         + f" (max ≤ {args.rss_bound:g}× before)"],
        ["rejected (429): count, p99 / max ms",
         (f"{rejected[0]['count']}, " + " / ".join(latency_cells(rejected[0].get("latency_ms"))[1:]) if rejected else "none"),
         "each < 50 ms", verdict(all((e.get("latency_ms") or {}).get("max", float("inf")) < 50 for e in rejected))
         + ("" if rejected else " (nothing was rejected)")],
        ["rejected (429), server side (arrival to end of response, `maas_server_request_duration_seconds` "
         "outcome=rejected): count, share ≤ 50 ms, p99 ≤ bucket, max ≤ bucket",
         server_side["text"], "each < 50 ms", verdict(server_side["all_under_50ms"]) if server_side["count"] else "-"],
        ["other failures", ", ".join(f"{e['kind']} × {e['count']}" for e in others) or "none", "-", "-"],
        ["accepted: max latency ms vs deadline", f"{ok['max']:.1f} vs {timeout_ms:.0f}" if ok else "none", "< deadline",
         verdict(bool(ok) and ok["max"] < timeout_ms)],
        [f"c=1 p50 per 1-s window after the load vs before (normal: ≤ {args.recovery_tolerance:g}× before, from {args.recovery_seconds:g} s on)",
         ", ".join(f"{w['p50_ms']:.2f}" for w in windows) + f" vs {before['p50_ms']:.2f}", "back to normal", verdict(recovery_ok)],
    ]
    table(["check", "measured", "target", "result"], checks)
    server.stop()
    return {"sustainable": sustainable, "target_rate": rate, "achieved_rate": achieved, "level": level,
            "before": before, "windows": windows, "rss_samples": sampler.samples, "overload_window_s": [overload_started, overload_ended],
            "server_up": up, "request_timeout_ms": timeout_ms, "server_side_rejections": server_side}


def rejection_buckets(server):
    """Cumulative buckets {le: count} of the server's request-duration histogram for 429s (all models, protocols)."""
    try:
        with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return {}
    buckets = {}
    for line in text.splitlines():
        if line.startswith("maas_server_request_duration_seconds_bucket{") and 'outcome="rejected"' in line:
            labels, value = line.rsplit(" ", 1)
            le = labels.split('le="', 1)[1].split('"', 1)[0]
            bound = float("inf") if le == "+Inf" else float(le)
            buckets[bound] = buckets.get(bound, 0) + float(value)
    return buckets


def rejection_delta(before, after):
    """The 429s between two scrapes: count, share within 50 ms, and the bucket bounds holding p99 and the maximum."""
    delta = {b: after.get(b, 0) - before.get(b, 0) for b in after}
    count = delta.get(float("inf"), 0)
    if not count:
        return {"count": 0, "text": "none", "all_under_50ms": False}
    bounds = sorted(delta)
    under = delta.get(0.05, 0)
    p99 = next(b for b in bounds if delta[b] >= 0.99 * count)
    top = next(b for b in bounds if delta[b] >= count)
    def ms(b):
        return "∞" if b == float("inf") else f"{b * 1000:g} ms"
    return {"count": int(count), "share_50ms": under / count, "p99_bound_s": p99, "max_bound_s": top,
            "all_under_50ms": under >= count,
            "text": f"{int(count)}, {100 * under / count:.2f}% ≤ 50 ms, p99 ≤ {ms(p99)}, max ≤ {ms(top)}"}


def timespan(milliseconds):
    seconds = milliseconds / 1000
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:{seconds % 60:06.3f}"


def latency_cells(summary):
    return [f"{summary[k]:.2f}" for k in ("p50", "p99", "max")] if summary else ["-", "-", "-"]


def fmt_mib(value):
    return f"{value / 1024 / 1024:.0f}" if value else "-"


# --------------------------------------------------------------------------------------------------------------
# 4. A failed version under traffic


def broken_copy(server, folder):
    """The sample's files with one node of model.onnx given an op type no runtime knows. The push reader reads only
    the graph's inputs and outputs, so the push is accepted; ONNX Runtime refuses to load it."""
    status, details = http("GET", f"{server.url}/api/models/{MODEL}")
    if status != 200:
        raise RuntimeError(f"GET /api/models/{MODEL}: HTTP {status}: {details}")
    version = min(details["versions"], key=lambda v: v["version"])
    blobs = {}
    for dirpath, _, names in os.walk(os.path.join(server.data, "data")):
        for name in names:
            blobs[name] = os.path.join(dirpath, name)
    paths = []
    for file in version["files"]:
        source = blobs[file["sha256"]]
        target = os.path.join(folder, file["name"])
        with open(source, "rb") as f:
            content = f.read()
        if file["name"].endswith(".onnx"):
            content = corrupt_op_type(content)
        with open(target, "wb") as f:
            f.write(content)
        paths.append(target)
    return paths


def corrupt_op_type(content):
    # NodeProto.op_type is field 4, length-delimited: tag 0x22, then the length, then the name. Same length, so
    # every enclosing length stays valid.
    for op in (b"MatMul", b"Gather", b"Add", b"Mul"):
        needle = b"\x22" + bytes([len(op)]) + op
        at = content.find(needle)
        if at >= 0:
            unknown = (b"NoSuchOp" * 4)[: len(op)]
            return content[:at + 2] + unknown + content[at + 2 + len(op):]
    raise RuntimeError("no MatMul, Gather, Add or Mul node found to corrupt")


def failover(args):
    server = Server()
    folder = tempfile.mkdtemp(prefix="maas-measure-broken-")
    FOLDERS.append(folder)
    files = broken_copy(server, folder)
    pushed = maas(server, "models", "push", MODEL, *files, timeout=300)
    match = re.search(rf"Pushed {re.escape(MODEL)}:(\d+)", pushed.stdout)
    if not match:
        raise RuntimeError(f"push printed no version:\n{pushed.stdout}")
    broken = int(match.group(1))
    log(f"pushed the broken copy as {MODEL}:{broken}")

    log(f"load: maas bench c={args.concurrency} for {args.seconds} s; production moves to {broken} after {args.move_after} s")
    bench = start_process(["dotnet", CLI_DLL, "bench", MODEL, "--json", "--server", server.url, "--input", sentence_bodies(), "--concurrency", str(args.concurrency),
                           "--duration", f"{args.seconds}s", "--warmup", "0s", "--timeout", "30s"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    started = time.monotonic()
    answered = []  # (seconds since the load started, status, model_version), from a probe every 0.5 s
    moved_at = None
    moved = None
    while bench.poll() is None and time.monotonic() - started < args.seconds + 120:
        now = time.monotonic() - started
        if moved is None and now >= args.move_after:
            moved = maas(server, "models", "alias", MODEL, "production", str(broken), check=False)
            moved_at = time.monotonic() - started
            log(f"moved production to {broken} at {moved_at:.1f} s: rc {moved.returncode} {moved.stdout.strip()} {moved.stderr.strip()}")
        try:
            status, body = infer_once(server.url)
            answered.append((now, status, body.get("model_version") if isinstance(body, dict) else None))
        except OSError as e:
            answered.append((now, str(e), None))
        time.sleep(0.5)
    stdout, _ = bench.communicate(timeout=60)
    PROCESSES.remove(bench)
    report = json.loads(stdout)
    level = level_of(report)

    status, aliases = http("GET", f"{server.url}/api/models/{MODEL}")
    production = aliases.get("aliases", {}).get("production") if isinstance(aliases, dict) else None
    time.sleep(1)
    dep_status, deployments = http("GET", f"{server.url}/api/deployments")
    show = maas(server, "models", "show", MODEL, check=False)
    after_move = [a for a in answered if moved_at is not None and a[0] >= moved_at]
    versions_after = sorted({str(a[2]) for a in after_move if a[1] == 200})
    failed_probes = [a for a in answered if a[1] != 200]
    failed_entry = None
    if dep_status == 200 and isinstance(deployments, dict):
        failed_entry = next((d for d in deployments.get("deployments", []) if d.get("version") == broken), None)

    out("## 4. A version that fails to load, moved to production under traffic")
    out()
    machine_line()
    out(f"`maas bench {MODEL} --concurrency {args.concurrency} --duration {args.seconds}s`, plus one probe request every 0.5 s; "
        f"`maas models alias {MODEL} production {broken}` at {moved_at if moved_at is not None else float('nan'):.1f} s "
        f"(a copy of the sample whose model.onnx has a node with an unknown op type).")
    out()
    table(["requests", "succeeded", "failed", "errors", "req/s", "p99 ms", "max ms"],
          [[level["requests"], level["succeeded"], level["failed"],
            ", ".join(f"{e['kind']} × {e['count']}" for e in level["errors"]) or "none", f"{level['throughput']:.1f}",
            *latency_cells(level.get("latency_ms"))[1:]]])
    checks = [
        ["failed requests (bench + probes)", f"{level['failed']} + {len(failed_probes)}", "0",
         verdict(level["failed"] == 0 and not failed_probes and level["succeeded"] > 0)],
        ["version answering after the move (probes)", ", ".join(versions_after) or "none", "the old one",
         verdict(bool(versions_after) and str(broken) not in versions_after)],
        ["production alias after the move", str(production), str(broken), "-"],
        [f"GET /api/deployments: {MODEL}:{broken}",
         (f"state {failed_entry.get('state')}, last_error: {failed_entry.get('last_error')}" if failed_entry
          else f"HTTP {dep_status}, version {broken} not listed"),
         "failed, with the reason", verdict(bool(failed_entry) and bool(failed_entry.get("last_error")))],
        ["`maas models show` mentions the failure", "yes" if re.search(r"fail", show.stdout, re.IGNORECASE) else "no",
         "yes", verdict(bool(re.search(r"fail", show.stdout, re.IGNORECASE)))],
    ]
    table(["check", "measured", "target", "result"], checks)
    out("`GET /api/deployments`:")
    out()
    out("```json")
    out(json.dumps(deployments, indent=2) if isinstance(deployments, (dict, list)) else f"HTTP {dep_status}: {deployments}")
    out("```")
    out()
    out(f"`maas models show {MODEL}`:")
    out()
    out("```")
    out((show.stdout + show.stderr).rstrip())
    out("```")
    out()
    server.stop()
    return {"broken_version": broken, "moved_at_s": moved_at, "level": level, "probes": answered,
            "deployments": deployments, "show": show.stdout}


# --------------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-build", action="store_true", help="use the Release build as it is")
    parser.add_argument("--json-out", metavar="FILE", help="also write every figure measured as JSON")
    parser.add_argument("--server-env", metavar="KEY=VALUE", action="append", default=[],
                        help="extra environment for every server started, e.g. Maas__Serving__Defaults__Instances=1 (repeatable)")
    parser.add_argument("--client-nice", type=int, metavar="N",
                        help="run the load generators at this niceness (negative needs root): on a machine whose cores the "
                             "server saturates, the client's own timing then waits less for a core (a client on another "
                             "machine would not wait at all)")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("concurrency", help="1. c=1 and c=4: server (wrk) vs the best in-process setting")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=10, help="per side and round")
    p.add_argument("--concurrency", default="1,4")

    p = commands.add_parser("batching", help="2. c=8: batching on vs off, and vs in-process batches")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=10, help="per side and round")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--batch", type=int, default=8, help="max batch size when on, and rows per in-process call")
    p.add_argument("--switch", choices=["auto", "deploy", "rest", "two-servers"], default="auto",
                   help="how batching is turned off and on: maas models deploy, PUT /api/models/{name}/deployment, "
                        "or two servers (Maas:Serving:Defaults:MaxBatchSize 1 and default); auto tries them in that order")

    p = commands.add_parser("overload", help="3. open loop at a multiple of the sustainable rate")
    p.add_argument("--duration", type=int, default=30, help="seconds of overload")
    p.add_argument("--factor", type=float, default=4.0, help="multiple of the sustainable rate")
    p.add_argument("--sustainable-seconds", type=int, default=10, help="c=8 closed loop that sets the sustainable rate")
    p.add_argument("--baseline-seconds", type=int, default=5, help="c=1 before the overload")
    p.add_argument("--recovery-windows", type=int, default=4, help="1-second c=1 windows right after the overload")
    p.add_argument("--recovery-seconds", type=float, default=2.0)
    p.add_argument("--recovery-tolerance", type=float, default=1.5, help="p50 counts as normal within this factor of before")
    p.add_argument("--rss-bound", type=float, default=2.0, help="max RSS during the load counts as bounded within this factor of before")
    p.add_argument("--request-timeout-ms", type=float, help="server's request deadline (Maas:Serving:Defaults:RequestTimeout)")
    p.add_argument("--warmup-seconds", type=int, default=0,
                   help="overload before the measured part, not counted by the client (its connections are open when the "
                        "measurement starts, as wrk's and perf_analyzer's are); the server-side figures include it")

    p = commands.add_parser("failover", help="4. a version that fails to load moved to production under traffic")
    p.add_argument("--seconds", type=int, default=20, help="length of the load")
    p.add_argument("--move-after", type=float, default=5.0, help="seconds into the load when production moves")
    p.add_argument("--concurrency", type=int, default=4)

    p = commands.add_parser("all", help="the four, each with its defaults")

    args = parser.parse_args()
    for pair in args.server_env:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            parser.error(f"--server-env expects KEY=VALUE, got {pair!r}")
        SERVER_ENV[key] = value
    if args.client_nice is not None:
        CLIENT_PREFIX[:] = ["nice", "-n", str(args.client_nice)]
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    if not shutil.which("wrk") and args.command in ("concurrency", "overload", "all"):
        parser.error("wrk is not installed (apt-get install wrk)")

    results = {}
    try:
        if not args.no_build:
            build()
        if args.command == "all":
            for name, function in (("concurrency", concurrency), ("batching", batching), ("overload", overload), ("failover", failover)):
                sub = parser.parse_args([name] if not args.no_build else ["--no-build", name])
                results[name] = function(sub)
        else:
            results[args.command] = {"concurrency": concurrency, "batching": batching, "overload": overload,
                                     "failover": failover}[args.command](args)
    finally:
        cleanup()
        if args.json_out and results:
            with open(args.json_out, "w") as f:
                json.dump(results, f, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
