"""Runs inside the sandbox process (python -I -S). Imports nothing from EZFlow.

Protocol: a JSON request on stdin {"code", "mode", "items"}; one JSON line on stdout {"ok", "result"|"error"}.
Before user code runs, an audit hook confines it: files only inside the working (temporary) directory and
Python's own library (read-only), no sockets, no new processes, no ctypes, no changing the hook.
"""

import json
import os
import sys
import traceback

ALLOWED_READ = tuple(p for p in {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), os.path.realpath(sys.exec_prefix)})
BLOCKED_EVENTS = (
    "socket.",
    "subprocess.",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "ctypes.",
    "sys.addaudithook",
    "sys.setprofile",
    "sys.settrace",
    "os.putenv",
    "os.unsetenv",
    "os.chdir",
    "os.chmod",
    "os.chown",
    "os.link",
    "os.symlink",
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.truncate",
    "os.utime",
    "shutil.",
    "pty.",
    "resource.",
    "signal.",
    "fcntl.",
    "mmap.",
    "winreg.",
    "webbrowser.",
    "urllib.",
    "ftplib.",
    "http.",
    "smtplib.",
    "telnetlib.",
    "poplib.",
    "imaplib.",
    "nntplib.",
    "code.",
    "cpython.run_",
    "marshal.load",
    "pickle.find_class",
    "sqlite3.",
    "glob.glob",
    "os.scandir",
    "os.listdir",
    "os.walk",
    "io.open_code",
    "sys._getframe",
    "sys._current_frames",
    "object.__setattr__",
    "function.__new__",
    "code.__new__",
)
BLOCKED_MODULES = {
    "_posixsubprocess",
    "_ctypes",
    "ctypes",
    "_socket",
    "socket",
    "_ssl",
    "_signal",
    "resource",
    "pty",
    "mmap",
    "gc",
    "inspect",
}


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def install_guard(workdir: str) -> None:
    workdir = os.path.realpath(workdir)

    def hook(event, args):
        if event == "open":
            path, mode = args[0], args[1] if len(args) > 1 else "r"
            if isinstance(path, int):
                return
            real = os.path.realpath(os.fsdecode(path))
            writing = mode is not None and any(flag in str(mode) for flag in "wax+")
            if _inside(real, workdir) or (not writing and any(_inside(real, root) for root in ALLOWED_READ)):
                return
            raise PermissionError(f"Files outside the node's temporary folder are not available: {real}")
        if event == "import" and args[0] in BLOCKED_MODULES:
            raise ImportError(f"The module “{args[0]}” is not available in code nodes.")
        if event.startswith(BLOCKED_EVENTS):
            raise PermissionError(f"Not allowed in code nodes: {event}")

    sys.addaudithook(hook)


# Modules user code may import. They are loaded before privileges are dropped, because the unprivileged
# user cannot read the interpreter's library; anything else fails to import with a clear error.
PRELOADED = (
    "base64 bisect calendar collections copy csv datetime decimal difflib fractions functools hashlib heapq html itertools "
    "json math operator random re statistics string textwrap time unicodedata uuid zoneinfo"
).split()


def drop_privileges() -> None:
    import resource

    uid, gid = os.environ.get("EZFLOW_SANDBOX_UID"), os.environ.get("EZFLOW_SANDBOX_GID")
    if uid and gid and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(gid))
        os.setuid(int(uid))
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))  # no new processes at all


def main() -> None:
    import importlib

    for name in PRELOADED:
        importlib.import_module(name)
    import zoneinfo

    zoneinfo.ZoneInfo("Asia/Seoul")
    zoneinfo.ZoneInfo("UTC")
    request = json.loads(sys.stdin.read())
    drop_privileges()
    out = sys.stdout
    sys.stdout = sys.stderr  # print() in user code goes to the log, not into the result
    install_guard(os.getcwd())
    user_code = request["code"]
    mode = request.get("mode", "all")
    try:
        compiled = compile(user_code, "<code node>", "exec")
        namespace = {"__name__": "__code_node__"}
        if mode == "each":
            results = []
            for item in request["items"]:
                namespace.update(item=item, items=request["items"])
                exec(compiled, namespace)  # noqa: S102  (this is the sandboxed user code)
                results.append(namespace.get("result", item))
        else:
            namespace.update(items=request["items"])
            exec(compiled, namespace)  # noqa: S102
            results = namespace.get("result", request["items"])
        payload = {"ok": True, "result": results}
    except BaseException as exc:  # report whatever the user's code raised
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<code node>"]
        where = f" (line {frames[-1].lineno})" if frames else ""
        payload = {
            "ok": False,
            "error": f"{type(exc).__name__}: {exc}{where}",
            "detail": "".join(traceback.format_list(frames)) + f"{type(exc).__name__}: {exc}",
        }
    try:
        text = json.dumps(payload, ensure_ascii=False, default=str)
    except (TypeError, ValueError) as exc:
        text = json.dumps({"ok": False, "error": f"The result is not JSON: {exc}"})
    out.write(text + "\n")
    out.flush()


if __name__ == "__main__":
    main()
