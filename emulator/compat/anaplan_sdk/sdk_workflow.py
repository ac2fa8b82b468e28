#!/usr/bin/env python3
"""Drives the unmodified anaplan-sdk (from PyPI) against the emulator binary and checks the data.

Only the HTTP transport is pointed at the emulator (see redirect_transport.py); the SDK's code is
used as published. The emulator runs with two listeners, so the auth service and the API really
are on different base URLs, as they are at Anaplan.

Steps (each printed; any failed check exits non-zero):
  1. basic sign-in; workspaces, models (choosing by workspace), files, imports, exports, actions,
     processes, all checked against the seed;
  2. a parallel gzip chunked upload of a several-MB employee file, checked in the request log;
  3. "Clear Employees", the import, and the "Load Employees" process with their failure dumps;
  4. export and download "Employees.csv", compared row by row with what was uploaded;
  5. CA-certificate sign-in with a CA and a user certificate made here with openssl;
  6. the async client: listings and the same export.

Usage: sdk_workflow.py --emulator PATH [--rows N] [--chunk-size BYTES] [--deadline SECONDS]
"""

import argparse
import asyncio
import csv
import datetime
import io
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import httpx2
from anaplan_sdk import AsyncClient, Client
from anaplan_sdk.exceptions import AnaplanActionError, InvalidCredentialsException

from redirect_transport import Redirect

REPO = Path(__file__).resolve().parents[3]
SEED_DIR = REPO / "emulator" / "seed"
AUTH_HOST, API_HOST = "auth.anaplan.com", "api.anaplan.com"
# The OAuth service lives on the app host (legacy regions), where the SDK's defaults point.
APP_HOST = "us1a.app.anaplan.com"
USER, PASSWORD = "integration.user@example.com", "Integration-Pass-1"
CERT_USER = "cert.user@example.com"

WORKSPACE, MODEL = "Financial Planning", "Workforce Planning"
EMPLOYEES_FILE, EMPLOYEES_IMPORT, SALARIES_IMPORT = 113000000001, 112000000001, 112000000002
EMPLOYEES_EXPORT, CLEAR_ACTION, DELETE_LEAVERS = 116000000001, 117000000002, 117000000001
LOAD_PROCESS = 118000000001
CHUNK_LATENCY_MS = 400

FIRST = ["Ada", "Bela", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivo", "Jade",
         "Kofi", "Lena", "Milo", "Nia", "Omar", "Pia", "Quinn", "Rafa", "Sana", "Tomas"]
LAST = ["Abbott", "Bauer", "Cruz", "Dubois", "Eriksen", "Ferreira", "Gupta", "Horvat", "Ito",
        "Jansen", "Kowalski", "Lindqvist", "Mendes", "Novak", "Oyelaran", "Perez", "Quist",
        "Rahman", "Silva", "Turner"]


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def step(title):
    print(f"\n== {title}", flush=True)


def say(text):
    print(f"   {text}", flush=True)


# ---------------------------------------------------------------------------------------------
# The emulator process


class Emulator:
    """The emulator binary on two ephemeral loopback ports, stopped by `stop()` whatever happened."""

    def __init__(self, binary: Path, workdir: Path, extra_args: list[str]):
        self.log_path = workdir / "emulator.log"
        ready = workdir / "ready.json"
        args = [str(binary), "--port", "0", "--auth-port", "0", "--task-duration-ms", "300",
                "--ready-file", str(ready), *extra_args]
        say("starting " + " ".join(args))
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not (ready.exists() and ready.stat().st_size > 0):
            if self.proc.poll() is not None:
                raise CheckFailed(f"the emulator exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise CheckFailed(f"the emulator wrote no ready file within 20 s:\n{self.log()}")
            time.sleep(0.05)
        time.sleep(0.05)  # the file is written in one go, but give a slow writer a moment
        info = json.loads(ready.read_text())
        # The emulator writes camelCase keys; older builds wrote snake_case.
        self.auth_url = (info.get("authUrl") or info["auth_url"]).rstrip("/")
        self.api_url = (info.get("apiUrl") or info["api_url"]).rstrip("/")
        check(self.auth_url != self.api_url, f"auth and API share one listener: {info}")
        say(f"emulator pid {self.proc.pid}: auth {self.auth_url}, api {self.api_url}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()


# ---------------------------------------------------------------------------------------------
# Plain HTTP through the same transport, for what the SDK has no method for (dumps, request log)


class Raw:
    def __init__(self):
        self.http = httpx2.Client(timeout=30)
        basic = httpx2.BasicAuth(USER, PASSWORD)
        res = self.http.post(f"https://{AUTH_HOST}/token/authenticate", auth=basic)
        check(res.status_code == 201, f"raw sign-in: HTTP {res.status_code} {res.text}")
        self.token = res.json()["tokenInfo"]["tokenValue"]

    def get(self, path: str) -> httpx2.Response:
        return self.http.get(f"https://{API_HOST}{path}",
                             headers={"Authorization": f"AnaplanAuthToken {self.token}"})

    def requests(self, since: int = 0) -> list[dict]:
        """The emulator's request log (entries after sequence number `since`), oldest first."""
        res = self.get(f"/__emulator/requests?since={since}")
        check(res.status_code == 200, f"request log: HTTP {res.status_code} {res.text[:300]}")
        return res.json()["requests"]


# ---------------------------------------------------------------------------------------------
# Test data


def read_csv(path: Path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def load_seed():
    return json.loads((SEED_DIR / "default.json").read_text()), read_csv(SEED_DIR / "employees.csv")


def build_employees(seed_rows, departments, count):
    """The seed's 16 employees (with its bad rows) followed by `count` generated ones.

    Generated rows have unique names and codes, departments from the seed's Departments list, and
    every 500th one a leave date, so "Delete Leavers" has work to do.
    """
    columns = list(seed_rows[0].keys())
    rows = [dict(r) for r in seed_rows]
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        rows.append({
            "Name": f"{first} {last} {i:05d}",
            "Code": f"G{i:05d}",
            "Department": departments[i % len(departments)],
            "Email": f"{first.lower()}.{last.lower()}.{i:05d}@example.com",
            "Start Date": f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "Leave Date": "2025-06-30" if i % 500 == 499 else "",
        })
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return columns, rows, out.getvalue().encode()


class Expected:
    """What the emulator must report for the uploaded rows, worked out from the rows themselves.

    Line numbers are 1-based in the file, the header being line 1. Anaplan's rules as the emulator
    applies them: a row without a name is rejected (`E` in the dump); a row whose parent is not a
    Departments item is loaded without its parent (`W`); "Delete Leavers" deletes every employee
    with a Leave Date; the salary import rejects rows naming nobody, with a non-numeric salary or
    an impossible date.
    """

    def __init__(self, rows, departments, salary_rows):
        self.rows = rows
        self.failed, self.warned = {}, {}
        for line, row in enumerate(rows, start=2):
            if not row["Name"].strip():
                self.failed[line] = row
            elif row["Department"] not in departments:
                self.warned[line] = row
        loaded = [r for line, r in enumerate(rows, start=2) if line not in self.failed]
        self.loaded_names = {r["Name"] for r in loaded}
        self.leavers = [r for r in loaded if r["Leave Date"].strip()]
        # What the list holds after the process: loaded rows minus leavers, unknown parents dropped.
        self.export = {
            r["Code"]: {**r, "Department": r["Department"] if r["Department"] in departments else ""}
            for r in loaded if not r["Leave Date"].strip()
        }
        self.salary_rejects = {
            line: r for line, r in enumerate(salary_rows, start=2)
            if r["Employee"] not in self.loaded_names or not is_number(r["Salary"]) or not is_date(r["Start Date"])
        }

    def dump_lines(self):
        return {**{n: "E" for n in self.failed}, **{n: "W" for n in self.warned}}


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def is_date(text):
    try:
        datetime.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def max_overlap(entries):
    """The largest number of logged requests that were being served at the same moment."""
    events = []
    for e in entries:
        start = datetime.datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")).timestamp() * 1000
        events += [(start, 1), (start + e["durationMs"], -1)]
    live = peak = 0
    for _, delta in sorted(events, key=lambda ev: (ev[0], ev[1])):  # an end before a start at a tie
        live += delta
        peak = max(peak, live)
    return peak


def pairs(values):
    """A task detail's `values` (name, value, name, value, ...) as a dict."""
    return dict(zip(values[0::2], values[1::2]))


def parse_dump(text):
    rows = list(csv.reader(io.StringIO(text)))
    check(rows, "empty failure dump")
    header = rows[0]
    for col in ("_Status_", "_Line_", "_Error_1_"):
        check(col in header, f"dump header {header} lacks {col}")
    return [dict(zip(header, r)) for r in rows[1:]]


def check_employee_dump(dump, source_rows, expected_lines, what):
    got = {int(r["_Line_"]): r["_Status_"] for r in dump}
    check(got == expected_lines, f"{what}: dump lines/statuses {sorted(got.items())} != {sorted(expected_lines.items())}")
    for r in dump:
        src = source_rows[int(r["_Line_"]) - 2]
        check((r["Name"], r["Code"], r["Department"]) == (src["Name"], src["Code"], src["Department"]),
              f"{what}: dump row {r} does not match line {r['_Line_']} of the file {src}")
        check(r["_Error_1_"].strip() != "", f"{what}: dump row without an error message: {r}")


# ---------------------------------------------------------------------------------------------
# Steps


def step_listings(emu, seed):
    step("1. Sign in (basic) and list workspaces, models, files, imports, exports, actions, processes")
    client = Client(user_email=USER, password=PASSWORD, status_poll_delay=1, retry_count=1)
    say(f"signed in as {USER} through https://{AUTH_HOST} -> {emu.auth_url}")

    workspaces = client.get_workspaces()
    say("workspaces: " + ", ".join(f"{w.name} ({w.id}, {w.current_size}/{w.size_allowance} B)" for w in workspaces))
    user = next(u for u in seed["users"] if u["email"] == USER)
    expected = {w["id"]: w for w in seed["workspaces"] if w["id"] in user["workspaces"]}
    check({w.id for w in workspaces} == set(expected), f"workspaces {[w.id for w in workspaces]} != seed {list(expected)}")
    for w in workspaces:
        s = expected[w.id]
        check((w.name, w.size_allowance, w.current_size, w.active) == (s["name"], s["sizeAllowance"], s["currentSize"], True),
              f"workspace {w.id} differs from the seed: {w}")
    ws = next(w for w in workspaces if w.name == WORKSPACE)
    check(client.get_workspace(ws.id) == ws, f"get_workspace({ws.id}) differs from the listed one")

    all_models = client.get_models()
    same_name = [m for m in all_models if m.name == MODEL]
    say(f"all models: {len(all_models)}; named {MODEL!r}: "
        + ", ".join(f"{m.id} in {m.workspace_name}" for m in same_name))
    check(len(same_name) == 2 and len({m.workspace_id for m in same_name}) == 2,
          f"expected {MODEL!r} in two workspaces, got {same_name}")
    # The same list one model per page: the SDK reads meta.paging and fetches the rest in parallel.
    paged = Client(user_email=USER, password=PASSWORD, page_size=1, retry_count=1).get_models()
    check([m.id for m in paged] == [m.id for m in all_models], f"page by page {paged} != in one page {all_models}")
    say(f"listed again with page_size=1: the same {len(paged)} models in the same order")
    in_ws = client.get_models(only_in_workspace=ws.id)
    say(f"models in {ws.name}: " + ", ".join(f"{m.name} ({m.id}, {m.active_state})" for m in in_ws))
    seed_in_ws = {m["id"]: m["name"] for m in seed["models"] if m["workspaceId"] == ws.id}
    check({m.id: m.name for m in in_ws} == seed_in_ws, f"models in {ws.id}: {in_ws} != seed {seed_in_ws}")
    picked = [m for m in in_ws if m.name == MODEL]
    check(len(picked) == 1, f"{MODEL!r} is not unique in {WORKSPACE!r}: {picked}")
    model = picked[0]
    check(model.workspace_id == ws.id and model.workspace_name == ws.name, f"model's workspace: {model}")
    say(f"picked {model.name} ({model.id}) by workspace; the other one is "
        + ", ".join(m.id for m in same_name if m.id != model.id))
    detail = client.get_model(model.id)
    check(detail.id == model.id and detail.model_transaction_running is False, f"get_model: {detail}")

    client = client.with_model(model.id, ws.id)
    seed_model = next(m for m in seed["models"] if m["id"] == model.id)

    files = client.get_files()
    say("files: " + ", ".join(f"{f.id} {f.name} (chunks {f.chunk_count})" for f in files))
    seed_files = {int(f["id"]): f for f in seed_model["files"]}
    check({f.id: f.name for f in files if f.id in seed_files} == {i: f["name"] for i, f in seed_files.items()},
          f"files {files} != seed")
    for f in files:
        if f.id in seed_files:
            s = seed_files[f.id]
            check((f.header_row, f.first_data_row, f.separator) == (s["headerRow"], s["firstDataRow"], s["separator"]),
                  f"file {f.id} metadata differs from the seed: {f}")

    imports = client.get_imports()
    say("imports: " + ", ".join(f"{i.id} {i.name} ({i.type}, file {i.file_id})" for i in imports))
    check({(i.id, i.name, i.type, i.file_id) for i in imports}
          == {(int(s["id"]), s["name"], s["importType"], int(s["fileId"])) for s in seed_model["imports"]},
          f"imports {imports} != seed")

    exports = client.get_exports()
    say("exports: " + ", ".join(f"{e.id} {e.name} ({e.type}, {e.format})" for e in exports))
    check({(e.id, e.name) for e in exports} == {(int(s["id"]), s["name"]) for s in seed_model["exports"]},
          f"exports {exports} != seed")

    actions = client.get_actions()
    say("actions: " + ", ".join(f"{a.id} {a.name} ({a.type})" for a in actions))
    check({(a.id, a.name) for a in actions} == {(int(s["id"]), s["name"]) for s in seed_model["actions"]},
          f"actions {actions} != seed")

    processes = client.get_processes()
    say("processes: " + ", ".join(f"{p.id} {p.name}" for p in processes))
    check({(p.id, p.name) for p in processes} == {(int(s["id"]), s["name"]) for s in seed_model["processes"]},
          f"processes {processes} != seed")
    return client, ws, model, seed_model


def step_upload(client, raw, content, chunk_size):
    step(f"2. Parallel gzip chunked upload ({len(content):,} bytes in chunks of {chunk_size:,})")
    client.upload_chunk_size = chunk_size
    client.upload_parallel = True
    expected_chunks = math.ceil(len(content) / chunk_size)
    check(expected_chunks >= 3, f"the file makes only {expected_chunks} chunks: raise --rows")
    before = max((e["seq"] for e in raw.requests()), default=0)
    started = time.monotonic()
    client.upload_file(EMPLOYEES_FILE, content)
    say(f"upload_file returned after {time.monotonic() - started:.2f} s")

    log = raw.requests(since=before)
    chunk_path = f"/files/{EMPLOYEES_FILE}/chunks/"
    puts = [e for e in log if e.get("method") == "PUT" and chunk_path in e.get("path", "")]
    for e in puts:
        say(f"logged: {e.get('method')} {e.get('path')} -> {e.get('status')} "
            f"{e.get('requestContentType')} in {e.get('bytesIn')} B")
    check(len(puts) == expected_chunks, f"{len(puts)} chunk PUTs logged, expected {expected_chunks}")
    check(sorted(int(e["path"].rsplit("/", 1)[1]) for e in puts) == list(range(expected_chunks)),
          "chunk ids are not 0..N-1")
    check(all(e.get("requestContentType") == "application/x-gzip" for e in puts), "a chunk PUT was not application/x-gzip")
    check(all(e.get("status") == 204 for e in puts), "a chunk PUT did not get 204")
    # gzip of CSV text is much smaller than the text: the bytes on the wire really were compressed.
    sent = sum(int(e.get("bytesIn") or 0) for e in puts)
    check(0 < sent < len(content) // 2, f"{sent} bytes sent for {len(content)} bytes of CSV: not compressed?")
    say(f"{len(puts)} x PUT application/x-gzip, {sent:,} bytes on the wire for {len(content):,} bytes")
    # The SDK uploads on cpu_count() threads; with every chunk PUT held CHUNK_LATENCY_MS by the
    # emulator, parallel uploads show as overlapping requests in the log.
    overlap = max_overlap(puts)
    want = min(2, os.cpu_count() or 1, expected_chunks)
    check(overlap >= want, f"at most {overlap} chunk PUTs were in flight at once, expected {want} (parallel upload)")
    say(f"up to {overlap} chunk PUTs were in flight at once (SDK threads: {os.cpu_count()})")

    files = {f.id: f for f in client.get_files()}
    check(files[EMPLOYEES_FILE].chunk_count == expected_chunks,
          f"file chunkCount {files[EMPLOYEES_FILE].chunk_count} != {expected_chunks}")
    back = client.get_file(EMPLOYEES_FILE)
    check(back == content, f"the file read back ({len(back)} B) differs from the upload ({len(content)} B)")
    say(f"read back {len(back):,} bytes in {expected_chunks} chunks: identical")


def step_import_and_process(client, raw, ws, model, exp: Expected):
    base = f"/2/0/workspaces/{ws.id}/models/{model.id}"
    step("3a. Run the action 'Clear Employees' (so the list holds exactly what is imported)")
    task = client.run_action(CLEAR_ACTION)
    say(f"task {task.id}: {task.task_state}, successful={task.result.successful}")

    rows = exp.rows
    step(f"3b. Run the import 'Employees from Employees.csv' ({len(rows):,} rows: "
         f"{len(exp.failed)} without a name, {len(exp.warned)} with an unknown department)")
    try:
        task = client.run_action(EMPLOYEES_IMPORT)
    except AnaplanActionError as e:
        raise CheckFailed(f"the import was reported unsuccessful: {e}") from e
    result = task.result
    say(f"task {task.id}: successful={result.successful}, failureDumpAvailable={result.failure_dump_available}")
    for d in result.details:
        say(f"  {d.type}: {(d.local_message_text or '').strip()}")
    check(result.details, "the import result has no details")
    counts = pairs(result.details[0].values)
    n_failed, n_warned = len(exp.failed), len(exp.warned)
    want = {
        "totalRowCount": len(rows),
        "successRowCount": len(rows) - n_failed - n_warned,
        "warningsRowCount": n_warned,
        "failedCount": n_failed,
        "ignoredCount": 0,
        "totalCreateCount": len(rows) - n_failed,  # the list was cleared: every loaded row is new
        "totalUpdateCount": 0,
    }
    for key, value in want.items():
        check(counts.get(key) == str(value), f"import {key} = {counts.get(key)!r}, expected {value}")
    say("counts as expected: " + ", ".join(f"{k} {v}" for k, v in want.items()))
    check(result.failure_dump_available is True, "rows were rejected but no failure dump is available")
    summaries = {t.id: t.task_state for t in client.get_task_summaries(EMPLOYEES_IMPORT)}
    check(summaries.get(task.id) == "COMPLETE", f"the import's task list {summaries} lacks {task.id} as COMPLETE")

    res = raw.get(f"{base}/imports/{EMPLOYEES_IMPORT}/tasks/{task.id}/dump")
    check(res.status_code == 200, f"import dump: HTTP {res.status_code}")
    dump = parse_dump(res.text)
    say(f"import dump, {len(dump)} rows: "
        + "; ".join(f"{r['_Status_']} line {r['_Line_']}: {r['_Error_1_']}" for r in dump))
    check_employee_dump(dump, rows, exp.dump_lines(), "import dump")

    step("3c. Run the process 'Load Employees'")
    task = client.run_action(LOAD_PROCESS)
    result = task.result
    say(f"task {task.id}: successful={result.successful}, failureDumpAvailable={result.failure_dump_available}")
    nested = result.nested_results
    check(len(nested) == 4, f"{len(nested)} nested results, expected 4")
    # The SDK's TaskResult keeps no objectId; the raw task status gives the ids in the same order.
    res = raw.get(f"{base}/processes/{LOAD_PROCESS}/tasks/{task.id}")
    check(res.status_code == 200, f"process task status: HTTP {res.status_code}")
    ids = [n["objectId"] for n in res.json()["task"]["result"]["nestedResults"]]
    for object_id, n in zip(ids, nested):
        say(f"  {object_id}: successful={n.successful}, failureDumpAvailable={n.failure_dump_available}; "
            + "; ".join((d.local_message_text or d.type).strip() for d in n.details))
    steps = [str(EMPLOYEES_IMPORT), str(SALARIES_IMPORT), str(DELETE_LEAVERS), "116000000002"]
    check(ids == steps, f"nested object ids {ids} != {steps}")
    check(all(n.successful for n in nested), "a step of the process was unsuccessful")
    with_dump = [i for i, n in zip(ids, nested) if n.failure_dump_available]
    check(with_dump == steps[:2], f"steps with a failure dump: {with_dump}, expected the two imports")

    dumps = {}
    for object_id in with_dump:
        res = raw.get(f"{base}/processes/{LOAD_PROCESS}/tasks/{task.id}/dumps/{object_id}")
        check(res.status_code == 200, f"process dump {object_id}: HTTP {res.status_code}")
        dumps[object_id] = parse_dump(res.text)
        say(f"  dump {object_id}, {len(dumps[object_id])} rows: "
            + "; ".join(f"{r['_Status_']} line {r['_Line_']}: {r['_Error_1_']}" for r in dumps[object_id]))
    check_employee_dump(dumps[str(EMPLOYEES_IMPORT)], rows, exp.dump_lines(), "process dump of the Employees import")
    got = {int(r["_Line_"]): r["Employee"] for r in dumps[str(SALARIES_IMPORT)]}
    want = {n: r["Employee"] for n, r in exp.salary_rejects.items()}
    check(got == want, f"salary dump {got} != expected {want}")
    check(all(r["_Status_"] == "E" for r in dumps[str(SALARIES_IMPORT)]), "salary dump rows are not all E")


def compare_export(data: bytes, exp: Expected):
    text = data.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    got = list(reader)
    say(f"downloaded {len(data):,} bytes, {len(got):,} rows, columns {reader.fieldnames}")
    # A list export is headed by the list's name, then Parent, Code and the properties.
    columns = ["Employees", "Parent", "Code", "Email", "Start Date", "Leave Date"]
    check(reader.fieldnames == columns, f"export columns {reader.fieldnames} != {columns}")
    check(len(got) == len(exp.export), f"{len(got)} rows exported, expected {len(exp.export)} "
          f"({len(exp.rows)} uploaded, {len(exp.failed)} rejected, {len(exp.leavers)} leavers deleted)")
    by_code = {r["Code"]: r for r in got}
    check(set(by_code) == set(exp.export), "exported codes differ: "
          f"missing {sorted(set(exp.export) - set(by_code))[:5]}, extra {sorted(set(by_code) - set(exp.export))[:5]}")
    for code, want in exp.export.items():
        have = by_code[code]
        check((have["Employees"], have["Parent"], have["Email"], have["Start Date"], have["Leave Date"])
              == (want["Name"], want["Department"], want["Email"], want["Start Date"], ""),
              f"{code}: exported {have} != uploaded {want}")


def step_export(client, exp: Expected):
    step("4. Export 'Employees.csv' and download it")
    data = client.export_and_download(EMPLOYEES_EXPORT)
    compare_export(data, exp)
    say(f"all {len(exp.export):,} employees match the upload (name, code, parent, properties): "
        f"{len(exp.failed)} rejected and {len(exp.leavers)} leavers are gone")
    return data


def make_certificates(tmp: Path):
    """Two CAs, each signing a certificate for cert.user@example.com, made with the openssl CLI.

    The emulator's seed trusts only the first CA, so the second certificate must be refused.
    """
    def openssl(*args):
        res = subprocess.run(["openssl", *args], cwd=tmp, capture_output=True, text=True, timeout=60)
        check(res.returncode == 0, f"openssl {' '.join(args)} failed: {res.stderr}")

    (tmp / "user.ext").write_text(f"subjectAltName=email:{CERT_USER}\nkeyUsage=digitalSignature\n")
    made = {}
    for ca in ("trusted", "stranger"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}-ca.key",
                "-out", f"{ca}-ca.pem", "-days", "2", "-subj", f"/O=Emulator Compat Test/CN={ca} CA")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}-user.key", "-out", f"{ca}-user.csr",
                "-subj", f"/CN={CERT_USER}/emailAddress={CERT_USER}")
        openssl("x509", "-req", "-in", f"{ca}-user.csr", "-CA", f"{ca}-ca.pem", "-CAkey", f"{ca}-ca.key",
                "-CAcreateserial", "-out", f"{ca}-user.pem", "-days", "2", "-sha256", "-extfile", "user.ext")
        made[ca] = (tmp / f"{ca}-ca.pem", tmp / f"{ca}-user.pem", tmp / f"{ca}-user.key")
    return made


def write_seed(seed, trusted_ca: Path, tmp: Path) -> Path:
    """The bundled seed, trusting `trusted_ca` for certificate sign-in (files still read from the repo)."""
    seed = json.loads(json.dumps(seed))
    seed["certificateAuthorities"] = [trusted_ca.read_text()]
    for model in seed["models"]:
        for f in model.get("files", []):
            if "contentPath" in f:
                f["contentPath"] = str(SEED_DIR / f["contentPath"])
    path = tmp / "seed.json"
    path.write_text(json.dumps(seed, indent=1))
    return path


def step_certificate(certs, seed):
    step(f"5. Sign in with a CA certificate ({CERT_USER})")
    _, cert, key = certs["trusted"]
    client = Client(certificate=str(cert), private_key=str(key), retry_count=1)
    workspaces = client.get_workspaces()
    say("signed in with a certificate from the trusted CA; workspaces: "
        + ", ".join(f"{w.name} ({w.id})" for w in workspaces))
    user = next(u for u in seed["users"] if u["email"] == CERT_USER)
    check({w.id for w in workspaces} == set(user["workspaces"]), f"cert user's workspaces {workspaces}")
    _, cert, key = certs["stranger"]
    try:
        Client(certificate=str(cert), private_key=str(key), retry_count=1)
    except InvalidCredentialsException:
        say("a certificate for the same user from an untrusted CA is refused (InvalidCredentialsException)")
    else:
        raise CheckFailed("a certificate from an untrusted CA was accepted")


async def async_flow(ws_id, model_id, expected_bytes):
    client = AsyncClient(user_email=USER, password=PASSWORD, workspace_id=ws_id, model_id=model_id,
                         status_poll_delay=1, retry_count=1)
    workspaces, models, files = await asyncio.gather(
        client.get_workspaces(), client.get_models(only_in_workspace=True), client.get_files())
    say(f"async: {len(workspaces)} workspaces, {len(models)} models in the workspace, {len(files)} files")
    check(any(m.id == model_id for m in models), "async get_models lacks the model")
    data = await client.export_and_download(EMPLOYEES_EXPORT)
    check(data == expected_bytes, f"async export ({len(data)} B) differs from the sync one ({len(expected_bytes)} B)")
    say(f"async export_and_download: {len(data):,} bytes, identical to the sync download")


def step_oauth(seed):
    """The authorization-code flow through the SDK's `Oauth`, then a `Client` that signs in with
    nothing but a refresh token (`AnaplanRefreshTokenAuth`), rotated by the emulator."""
    step("7. OAuth 2.0: an authorization code, then sign-in from a refresh token")
    from anaplan_sdk import AnaplanRefreshTokenAuth, Oauth
    from anaplan_sdk.exceptions import AnaplanException

    c = next(c for c in seed["oauthClients"] if c["grant"] == "authorizationCode" and c["rotatable"])
    creds = dict(client_id=c["clientId"], client_secret=c["clientSecret"], redirect_uri=c["redirectUris"][0])
    oauth = Oauth(**creds)
    url, state = oauth.authorization_url()
    check(url.startswith(f"https://{APP_HOST}/auth/prelogin?"), f"unexpected authorization URL {url}")
    # No one logs in at the emulator: login_hint names the user, and the redirect comes at once.
    with httpx2.Client(timeout=30) as http:
        res = http.get(f"{url}&login_hint={USER}")
    check(res.status_code == 302, f"authorize answered {res.status_code}")
    tokens = oauth.fetch_token(res.headers["location"])
    check(tokens.get("access_token") and tokens.get("refresh_token"), f"token response {sorted(tokens)}")
    say(f"authorization code exchanged through {APP_HOST}: access and refresh token")

    # The access token given is stale: the first request is a 401, the refresh signs in.
    auth = AnaplanRefreshTokenAuth(**creds, token={"access_token": "stale", "refresh_token": tokens["refresh_token"]})
    client = Client(auth=auth, retry_count=1)
    names = {w.name for w in client.get_workspaces()}
    check(WORKSPACE in names, f"workspaces through OAuth: {names}")
    rotated = auth.token["refresh_token"]
    check(rotated != tokens["refresh_token"], "a rotatable client's refresh token was not rotated")
    try:
        oauth.refresh_token(tokens["refresh_token"])
        check(False, "the used refresh token still worked")
    except AnaplanException:
        pass
    say(f"signed in from a refresh token; it rotated, and the used one is refused: {sorted(names)}")


# ---------------------------------------------------------------------------------------------


def run(args):
    seed, seed_rows = load_seed()
    ws_id = next(w["id"] for w in seed["workspaces"] if w["name"] == WORKSPACE)
    wf = next(m for m in seed["models"] if m["name"] == MODEL and m["workspaceId"] == ws_id)
    departments = [i["name"] for i in next(l for l in wf["lists"] if l["name"] == "Departments")["items"]]
    _, rows, content = build_employees(seed_rows, departments, args.rows)
    exp = Expected(rows, departments, read_csv(SEED_DIR / "salaries.csv"))

    with tempfile.TemporaryDirectory(prefix="anaplan-sdk-compat-") as tmp:
        tmp = Path(tmp)
        step("0. Start the emulator and point the SDK's transport at it")
        certs = make_certificates(tmp)
        seed_path = write_seed(seed, certs["trusted"][0], tmp)
        # Chunk PUTs are held for a moment, so that the log can show whether they overlapped.
        emu = Emulator(Path(args.emulator), tmp, ["--seed", str(seed_path),
                                                  "--fault", f"latency:PUT:/2/0/*/chunks/*:ms={CHUNK_LATENCY_MS}"])
        redirect = Redirect({AUTH_HOST: emu.auth_url, API_HOST: emu.api_url, APP_HOST: emu.api_url})
        redirect.install()
        try:
            raw = Raw()
            client, ws, model, _ = step_listings(emu, seed)
            step_upload(client, raw, content, args.chunk_size)
            step_import_and_process(client, raw, ws, model, exp)
            data = step_export(client, exp)
            step_certificate(certs, seed)
            step("6. The async client")
            asyncio.run(async_flow(ws.id, model.id, data))
            step_oauth(seed)
            step("Done")
            say(f"requests sent through the transport: {dict(redirect.sent)}")
            check(redirect.sent[AUTH_HOST] >= 3 and redirect.sent[API_HOST] > 20, "too few requests went through the transport")
        except Exception:
            print(f"\n--- emulator log (tail) ---\n{emu.log()}", file=sys.stderr)
            raise
        finally:
            redirect.uninstall()
            emu.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulator", required=True, help="path of the anaplan-emulator binary")
    parser.add_argument("--rows", type=int, default=50_000, help="generated employees on top of the seed's")
    parser.add_argument("--chunk-size", type=int, default=1_000_000, help="upload_chunk_size for the SDK")
    parser.add_argument("--deadline", type=int, default=300, help="seconds before the run is abandoned")
    args = parser.parse_args()

    def timed_out(*_):
        raise TimeoutError(f"the workflow took longer than {args.deadline} s")

    signal.signal(signal.SIGALRM, timed_out)
    # An outside `timeout` sends SIGTERM: turn it into an exception so the emulator is still stopped.
    signal.signal(signal.SIGTERM, timed_out)
    signal.alarm(args.deadline)
    started = time.monotonic()
    try:
        run(args)
    except (CheckFailed, TimeoutError) as e:
        print(f"\nFAILED: {e}", file=sys.stderr)
        print("anaplan-sdk compat: 0 passed, 1 failed")
        return 1
    except Exception:  # the SDK raising (e.g. its models rejecting a response) is a failure too
        traceback.print_exc()
        print("anaplan-sdk compat: 0 passed, 1 failed")
        return 1
    print(f"\nanaplan-sdk {pkg_version()} against the emulator: every check passed "
          f"in {time.monotonic() - started:.1f} s")
    print("anaplan-sdk compat: 1 passed, 0 failed")
    return 0


def pkg_version():
    from importlib.metadata import version
    return version("anaplan-sdk")


if __name__ == "__main__":
    sys.exit(main())
