#!/usr/bin/env python3
"""The anaplan-sdk side of `client-comparison`: times the unmodified PyPI client on the emulator.

Started by the Rust bench binary (bench/src/client_comparison.rs) with the python of the compat
venv; the emulator is already running and the data file already written. Only httpx2's transport
is pointed at the emulator, by emulator/compat/anaplan_sdk/redirect_transport.py (imported, not
copied): the SDK's own code is used as published.

Modes:
  transfer  upload the data file with `upload_file`, download it back with `get_file`, compare
            the bytes (any difference fails the run), `--repeat` times;
  task      run an action with `run_action` (which polls until COMPLETE), `--repeat` times.

Sign-in and a first listing happen before any clock starts, as they do on the Rust side. What is
timed is the SDK call alone: reading the file from disk and comparing bytes are outside it.

Output: one JSON object on stdout; progress and errors on stderr. Exit status 0 only when every
call succeeded and every download matched.
"""

import argparse
import hashlib
import json
import multiprocessing
import signal
import sys
import time
import traceback
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "emulator" / "compat" / "anaplan_sdk"))

from anaplan_sdk import Client  # noqa: E402
from redirect_transport import Redirect  # noqa: E402

AUTH_HOST, API_HOST = "auth.anaplan.com", "api.anaplan.com"


def log(text):
    print(f"sdk_bench: {text}", file=sys.stderr, flush=True)


def make_client(args):
    kwargs = dict(user_email=args.user, password=args.password, workspace_id=args.workspace,
                  model_id=args.model)
    # Only what the comparison asks for is set; everything else stays at the SDK's defaults.
    if args.chunk_size:
        kwargs["upload_chunk_size"] = args.chunk_size
    if args.timeout:
        kwargs["timeout"] = args.timeout
    client = Client(**kwargs)
    # Signs in (if the constructor did not) and opens the connection pool before timing.
    client.get_files()
    return client


def run_transfer(client, args):
    content = Path(args.data).read_bytes()
    want = hashlib.sha256(content).hexdigest()
    uploads, downloads = [], []
    for i in range(args.repeat):
        t = time.perf_counter()
        client.upload_file(args.file_id, content)
        uploads.append(time.perf_counter() - t)

        t = time.perf_counter()
        back = client.get_file(args.file_id)
        downloads.append(time.perf_counter() - t)
        if back != content:
            got = hashlib.sha256(back).hexdigest()
            raise SystemExit(f"sdk_bench: FAILED: run {i + 1}: the file downloaded ({len(back)} B, sha256 "
                             f"{got}) differs from the one uploaded ({len(content)} B, sha256 {want})")
        log(f"run {i + 1}/{args.repeat}: upload {uploads[-1]:.2f} s, download {downloads[-1]:.2f} s, "
            f"{len(back):,} bytes identical")
    return {"bytes": len(content), "sha256": want, "upload_s": uploads, "download_s": downloads}


def run_task(client, args):
    walls = []
    for i in range(args.repeat):
        t = time.perf_counter()
        task = client.run_action(args.action_id)
        walls.append(time.perf_counter() - t)
        if task.task_state != "COMPLETE" or not task.result.successful:
            raise SystemExit(f"sdk_bench: FAILED: task {task.id} ended {task.task_state}, "
                             f"successful={task.result.successful}")
        log(f"run {i + 1}/{args.repeat}: action {args.action_id} complete after {walls[-1]:.3f} s")
    return {"task_s": walls}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["transfer", "task"])
    p.add_argument("--auth-url", required=True, help="the emulator's auth listener, http://127.0.0.1:PORT")
    p.add_argument("--api-url", required=True, help="the emulator's API listener, http://127.0.0.1:PORT")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--workspace", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--data", help="transfer: the file to upload")
    p.add_argument("--file-id", type=int, help="transfer: the Anaplan file to upload to")
    p.add_argument("--chunk-size", type=int, help="transfer: upload_chunk_size (default: the SDK's)")
    p.add_argument("--action-id", type=int, help="task: the action to run")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--timeout", type=float, help="the SDK's per-request timeout in seconds (default: the SDK's)")
    p.add_argument("--deadline", type=int, default=600, help="seconds before the whole run is abandoned")
    args = p.parse_args()
    if args.mode == "transfer" and (not args.data or not args.file_id):
        p.error("transfer needs --data and --file-id")
    if args.mode == "task" and not args.action_id:
        p.error("task needs --action-id")

    def timed_out(*_):
        raise TimeoutError(f"sdk_bench: abandoned after {args.deadline} s")

    signal.signal(signal.SIGALRM, timed_out)
    signal.signal(signal.SIGTERM, timed_out)
    signal.alarm(args.deadline)

    redirect = Redirect({AUTH_HOST: args.auth_url, API_HOST: args.api_url})
    redirect.install()
    try:
        client = make_client(args)
        result = run_transfer(client, args) if args.mode == "transfer" else run_task(client, args)
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        print("sdk_bench: FAILED: the SDK raised (see above)", file=sys.stderr)
        return 1
    finally:
        redirect.uninstall()
    result.update({
        "client": f"anaplan-sdk {version('anaplan-sdk')}",
        "python": sys.version.split()[0],
        # The SDK uploads and downloads on cpu_count() threads and gzips with gzip.compress (level 9).
        "threads": multiprocessing.cpu_count(),
        "chunk_size": client.upload_chunk_size,
        "poll_delay_s": client.status_poll_delay,
        "requests": dict(redirect.sent),
    })
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
