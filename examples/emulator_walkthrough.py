#!/usr/bin/env python3
"""The classic Anaplan bulk workflow against the bundled emulator, with nothing but HTTP.

Signs in, picks a workspace and a model by name, uploads a data file in gzip chunks, runs the
"Load Employees" process, prints each step's result and the failure dumps, then runs an export
and downloads it. Python standard library only.

Usage: emulator_walkthrough.py READY_FILE   (the JSON the emulator writes with --ready-file)
"""
import base64
import gzip
import json
import sys
import time
import urllib.error
import urllib.request

USER, PASSWORD = "integration.user@example.com", "Integration-Pass-1"
CHUNK = 256 * 1024


def call(method, url, token=None, body=None, content_type=None, auth=None):
    req = urllib.request.Request(url, data=body, method=method)
    if token:
        req.add_header("Authorization", f"AnaplanAuthToken {token}")
    if auth:
        req.add_header("Authorization", auth)
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {url} failed: HTTP {e.code} {e.read().decode(errors='replace')}")


def get_json(url, token):
    return json.loads(call("GET", url, token)[1])


def post_json(url, token, payload):
    return json.loads(call("POST", url, token, json.dumps(payload).encode(), "application/json")[1])


def only(items, name, what):
    found = [i for i in items if i["name"] == name]
    if len(found) != 1:
        sys.exit(f"expected one {what} named {name!r}, found {len(found)}")
    return found[0]


def main():
    ready = json.load(open(sys.argv[1]))
    auth_url, api = ready["authUrl"], ready["apiUrl"] + "/2/0"

    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    token_info = json.loads(call("POST", f"{auth_url}/token/authenticate", auth=basic)[1])["tokenInfo"]
    token = token_info["tokenValue"]
    print(f"Connected to the emulator at {api} as {USER}")

    workspaces = get_json(f"{api}/workspaces?tenantDetails=true", token)["workspaces"]
    ws = only(workspaces, "Financial Planning", "workspace")
    models = get_json(f"{api}/workspaces/{ws['id']}/models", token)["models"]
    model = only(models, "Workforce Planning", "model")
    print(f"Workspace: {ws['name']} ({ws['id']})")
    print(f"Model:     {model['name']} ({model['id']})")
    base = f"{api}/workspaces/{ws['id']}/models/{model['id']}"

    files = get_json(f"{base}/files", token)["files"]
    data_file = only(files, "Employees.csv", "file")
    with open("emulator/seed/employees.csv", "rb") as f:
        content = f.read() * 1  # the shipped sample, with its bad rows
    pieces = [content[i:i + CHUNK] for i in range(0, len(content), CHUNK)] or [b""]
    post_json(f"{base}/files/{data_file['id']}", token, {"chunkCount": len(pieces)})
    sent = 0
    for n, piece in enumerate(pieces):
        call("PUT", f"{base}/files/{data_file['id']}/chunks/{n}", token, gzip.compress(piece), "application/x-gzip")
        sent += len(piece)
        print(f"Upload {data_file['name']}: chunk {n + 1}/{len(pieces)}, {sent}/{len(content)} bytes")

    process = only(get_json(f"{base}/processes", token)["processes"], "Load Employees", "process")
    task = post_json(f"{base}/processes/{process['id']}/tasks", token, {"localeName": "en_US"})["task"]
    task_id = task["taskId"]
    while True:
        status = get_json(f"{base}/processes/{process['id']}/tasks/{task_id}", token)["task"]
        print(f"  task {task_id}: {status['taskState']} {status.get('progress', 0):.0%}")
        if status["taskState"] in ("COMPLETE", "CANCELLED"):
            break
        time.sleep(0.3)
    result = status["result"]
    print(f"Process action {result['objectId']} completed. Failure: {result['failureDumpAvailable']}")
    for step in result.get("nestedResults", []):
        for d in step.get("details", []):
            print(f"  {step['objectId']}: {d.get('localMessageText', '').strip()}")
        if step["failureDumpAvailable"]:
            _, dump = call("GET", f"{base}/processes/{process['id']}/tasks/{task_id}/dumps/{step['objectId']}", token)
            print(f"  Failure dump of {step['objectId']}:")
            for line in dump.decode().splitlines():
                print(f"    {line}")

    export = only(get_json(f"{base}/exports", token)["exports"], "Employees.csv", "export")
    task_id = post_json(f"{base}/exports/{export['id']}/tasks", token, {"localeName": "en_US"})["task"]["taskId"]
    while get_json(f"{base}/exports/{export['id']}/tasks/{task_id}", token)["task"]["taskState"] != "COMPLETE":
        time.sleep(0.3)
    _, exported = call("GET", f"{base}/files/{export['id']}", token)
    print(f"Downloaded export {export['name']} ({len(exported)} bytes):")
    for line in exported.decode().splitlines():
        print(f"  {line}")
    call("POST", f"{auth_url}/token/logout", token)
    print("Signed out.")


if __name__ == "__main__":
    main()
