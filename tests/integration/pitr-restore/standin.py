"""The test side of supabase_standin.py (the local STAND-IN for the Supabase Management API):
start it, configure it, read its request log. Shared by the pitr-restore and migrate-guard tests."""
import json
import os
import subprocess
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "sbp_0123456789abcdef0123456789abcdef01234567"
REF = "abcdefghijklmnopqrst"


class StandIn:
    def __init__(self):
        self.proc = subprocess.Popen(["python3", os.path.join(HERE, "supabase_standin.py")], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline().split()[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def configure(self, **cfg):
        cfg.setdefault("token", TOKEN)
        req = urllib.request.Request(self.url + "/__config", method="PUT", data=json.dumps(cfg).encode())
        urllib.request.urlopen(req, timeout=5).read()

    def log(self):
        return json.loads(urllib.request.urlopen(self.url + "/__log", timeout=5).read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
