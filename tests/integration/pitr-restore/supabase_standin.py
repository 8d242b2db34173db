#!/usr/bin/env python3
"""A local STAND-IN for the Supabase Management API (api.supabase.com cannot be reached from here).

It follows the documented contract of the endpoints pitr-restore uses, nothing more:
  GET  /v1/projects/{ref}                                  -> {"id", "name", "status"}
  GET  /v1/projects/{ref}/database/backups                 -> {"region", "pitr_enabled", "walg_enabled",
                                                               "backups": [...], "physical_backup_data":
                                                               {"earliest_physical_backup_date_unix",
                                                                "latest_physical_backup_date_unix"}}
  POST /v1/projects/{ref}/database/backups/restore-pitr    {"recovery_time_target_unix": n} -> 201 {}
                                                           (400 outside the window)
  GET  /v1/projects/{ref}/database/backups/restore-point   -> [{"name", "status"}]  (404 when not enabled)
  POST /v1/projects/{ref}/database/backups/restore-point   {"name"} -> 201
  POST /v1/projects/{ref}/database/backups/undo            {"name"} -> 201 (404 unknown name)
Authorization: Bearer <token> (401 without the expected token; 403 for a project the user may not restore).
A restore makes the project RESTORING for `restore_seconds`, then ACTIVE_HEALTHY (or never, with
`never_back`). `throttle_next` answers the next N requests with 429 + Retry-After; `refuse_restore` makes
restore-pitr answer 400 (the window moved between the read and the request); `rate_limit_after` answers 429 with Retry-After once that many requests were made
in the current minute, as the real API does past 60 requests a minute.
Faults the real API (or a gateway before it) can show: `restore_answer` {"status", "accept"} makes
restore-pitr, undo and restore-point creation answer that status (502, 504: a gateway's) after carrying the restore out when
"accept" is true; {"reset": true, "accept": ...} closes the connection without an answer instead;
`status_delay` seconds before each project status answer once a restore was requested; `statuses`
(a list) the project's status for each successive status read before a restore; `refuse_restore: "leak"` a 400 whose
message reflects the token after 257 characters (a message the client must cut).

Control (tests only): PUT /__config {"token", "projects": {ref: {...}}, "rate_limit_after", "retry_after"},
GET /__log (every request: method, path, body, authorization seen). Prints "PORT <n>" when listening.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"token": "", "projects": {}, "log": [], "rate_limit_after": None, "retry_after": 1, "window_start": time.time(), "count": 0}


def project_status(p, advance=False):
    if p.get("restore_started") is None:
        seq = p.get("statuses")  # one per status read (GET /v1/projects/{ref}), the last one kept
        if seq:
            return seq.pop(0) if advance and len(seq) > 1 else seq[0]
        return p.get("status", "ACTIVE_HEALTHY")
    if p.get("never_back"):
        return "RESTORING"
    if time.time() - p["restore_started"] < p.get("restore_seconds", 2):
        return "RESTORING"
    return "ACTIVE_HEALTHY"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode("utf-8", "replace") if n else ""

    def do_PUT(self):
        if self.path == "/__config":
            cfg = json.loads(self.body())
            with lock:
                # Each configuration starts from the defaults: nothing carries over between tests.
                state.update({"rate_limit_after": None, "retry_after": 1, "throttle_next": 0, "status_delay": 0,
                              "restore_answer": None})
                state.update({k: v for k, v in cfg.items() if k != "projects"})
                state["projects"] = cfg.get("projects", {})
                state["log"] = []
                state["count"] = 0
                state["window_start"] = time.time()
            return self.send(200, {})
        self.send(404, {"message": "not found"})

    def do_GET(self):
        if self.path == "/__log":
            with lock:
                return self.send(200, state["log"])
        with lock:
            ref = self.path.rstrip("/").split("/")[-1]
            restoring = state["projects"].get(ref, {}).get("restore_started") is not None
            delay = state.get("status_delay", 0) if self.path.rstrip("/").count("/") == 3 and restoring else 0
        if delay:
            time.sleep(delay)  # bounded: the tests set a few seconds; the client gives up first
        self.api("GET", "")

    def do_POST(self):
        self.api("POST", self.body())

    def api(self, method, body):
        auth = self.headers.get("Authorization", "")
        with lock:
            state["log"].append({"method": method, "path": self.path, "body": body, "authorization": auth, "at": time.time()})
            now = time.time()
            if now - state["window_start"] >= 60:
                state["window_start"], state["count"] = now, 0
            state["count"] += 1
            if state.get("throttle_next", 0) > 0:
                state["throttle_next"] -= 1
                return self.send(429, {"message": "Too many requests"}, {"Retry-After": str(state["retry_after"])})
            limit = state["rate_limit_after"]
            if limit is not None and state["count"] > limit:
                return self.send(429, {"message": "Too many requests"}, {"Retry-After": str(state["retry_after"])})
            if auth != "Bearer " + state["token"]:
                return self.send(401, {"message": "Unauthorized"})
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) < 3 or parts[:2] != ["v1", "projects"]:
                return self.send(404, {"message": "not found"})
            ref = parts[2]
            p = state["projects"].get(ref)
            if p is None:
                return self.send(404, {"message": "Project not found"})
            if p.get("forbidden"):
                return self.send(403, {"message": "Forbidden resource"})
            rest = parts[3:]
            if method == "GET" and rest == []:
                return self.send(200, {"id": ref, "ref": ref, "name": "stand-in project", "status": project_status(p, advance=True)})
            if method == "GET" and rest == ["database", "backups"] and p.get("garbage"):
                data = b"\xff\xfe<html>\x00 " + b"\xc3\xa9" * 100000  # not JSON, invalid UTF-8, large
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if method == "GET" and rest == ["database", "backups"]:
                return self.send(200, {"region": "eu-west-3", "walg_enabled": True, "pitr_enabled": p.get("pitr_enabled", True),
                                       "backups": [{"is_physical_backup": True, "status": "COMPLETED", "inserted_at": "2026-11-27T00:00:00Z"}],
                                       "physical_backup_data": {"earliest_physical_backup_date_unix": p.get("earliest"),
                                                                "latest_physical_backup_date_unix": p.get("latest")}})
            if rest == ["database", "backups", "restore-pitr"] and method == "POST":
                try:
                    target = json.loads(body)["recovery_time_target_unix"]
                except Exception:
                    return self.send(400, {"message": "recovery_time_target_unix is required"})
                if p.get("refuse_restore") == "leak":
                    return self.send(400, {"message": "x" * 257 + state["token"] + " is not allowed here"})
                if p.get("refuse_restore") == "fr":
                    return self.send(400, {"message": "::error::cible hors de la fenêtre de récupération \u00e9t\u00e9"})
                if p.get("refuse_restore") or not isinstance(target, int) or target < p.get("earliest", 0) or target > p.get("latest", 0):
                    return self.send(400, {"message": "recovery_time_target_unix is outside the available range"})
                if project_status(p) != "ACTIVE_HEALTHY":
                    return self.send(400, {"message": "project is not in a state that can be restored"})
                return self.acted(lambda: p.update(restore_started=time.time(), restored_to=target))
            if rest == ["database", "backups", "restore-point"]:
                if not p.get("restore_points_enabled"):
                    return self.send(404, {"message": "restore points are not enabled for this project"})
                if method == "GET":
                    return self.send(200, [{"name": n, "status": "AVAILABLE"} for n in p.get("restore_points", [])])
                name = json.loads(body).get("name")
                return self.acted(lambda: p.setdefault("restore_points", []).append(name), {"name": name, "status": "AVAILABLE"})
            if rest == ["database", "backups", "undo"] and method == "POST":
                name = json.loads(body).get("name")
                if name not in p.get("restore_points", []):
                    return self.send(404, {"message": "restore point not found"})
                return self.acted(lambda: p.update(restore_started=time.time(), restored_to=name))
            return self.send(404, {"message": "not found"})


    def acted(self, effect, answer=None):
        """A request that changes something, carried out (or not, with restore_answer's "accept":
        false), then answered: 201, or restore_answer's fault."""
        fault = state.get("restore_answer")
        if not fault or fault.get("accept", True):
            effect()
        if not fault:
            return self.send(201, answer or {})
        if fault.get("reset"):
            self.close_connection = True
            self.wfile.flush()
            self.connection.shutdown(2)
            return None
        return self.send(fault.get("status", 502), {"message": "Bad Gateway"})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
