"""Runs inside the JavaScript sandbox process (python -I -S). Imports nothing from EZFlow.

Protocol: a JSON request on stdin {"kind": "code"|"expressions", ...}; one JSON line on stdout {"ok", "result"|"error",
"logs"}. The code runs in a fresh V8 isolate (mini-racer) holding only the ECMAScript built-ins, Luxon and
runtime.js: it has no file, network, process or timer API, so the isolate itself is the boundary. V8's own heap
limit and a time limit stop runaway code with a clear message; the parent adds kernel limits (CPU, data size, no
network namespace, an unprivileged user) in case V8 itself misbehaves.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_engine():
    site = os.environ.get("EZFLOW_JS_SITE", "")
    if site:
        sys.path.insert(0, site)
    from py_mini_racer import MiniRacer

    return MiniRacer


def drop_privileges() -> None:
    uid, gid = os.environ.get("EZFLOW_SANDBOX_UID"), os.environ.get("EZFLOW_SANDBOX_GID")
    if uid and gid and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(gid))
        os.setuid(int(uid))


def install_guard() -> None:
    """The Python side only talks to V8 and writes one line; anything else it is asked to do is refused."""
    blocked = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.kill", "shutil.", "os.remove")

    def hook(event, args):
        if event.startswith(blocked):
            raise PermissionError(f"Not allowed in the JavaScript sandbox: {event}")
        if event == "open" and not isinstance(args[0], int):
            mode = str(args[1] if len(args) > 1 else "r")
            if any(flag in mode for flag in "wax+"):
                raise PermissionError("The JavaScript sandbox writes no files.")

    sys.addaudithook(hook)


def main() -> None:
    mini_racer = load_engine()
    request_text = sys.stdin.read()
    request = json.loads(request_text)
    memory = int(request.get("memory_mb", 128)) * 1024 * 1024
    seconds = float(request.get("seconds", 10))
    racer = mini_racer()
    racer.set_hard_memory_limit(memory)
    with open(os.path.join(HERE, "js", "luxon-3.7.2.min.js"), encoding="utf-8") as file:
        racer.eval(file.read())
    with open(os.path.join(HERE, "js", "runtime.js"), encoding="utf-8") as file:
        racer.eval(file.read())
    if request.get("timezone"):
        racer.eval(f"luxon.Settings.defaultZone = {json.dumps(str(request['timezone']))}")
    drop_privileges()
    install_guard()
    out = sys.stdout
    entry = "__ezflowRunCode" if request.get("kind") == "code" else "__ezflowEvaluate"
    try:
        racer.eval(f"{entry}({json.dumps(request_text)})", timeout_sec=seconds)
        text = racer.eval("__ezflowResult()", timeout_sec=seconds)
    except Exception as exc:  # noqa: BLE001  (every failure of the isolate becomes one answer line)
        kind = type(exc).__name__
        if "Timeout" in kind:
            text = json.dumps({"ok": False, "limit": "time"})
        elif "OOM" in kind or racer.was_hard_memory_limit_reached():
            text = json.dumps({"ok": False, "limit": "memory"})
        else:
            text = json.dumps({"ok": False, "error": f"{kind}: {exc}"[:2000]})
    out.write(str(text) + "\n")
    out.flush()
    os._exit(0)  # V8's threads need no orderly shutdown: the process is thrown away


if __name__ == "__main__":
    main()
