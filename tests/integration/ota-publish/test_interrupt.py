"""SIGTERM (a cancelled job, `docker stop`) while ota-publish waits for eas: the signal is passed on
to eas's process group (kit/interrupt), the tool reports how it ended, and no further eas command
starts — a rollback interrupted while reading the channel must not go on to republish. Against the
eas-cli STAND-IN (EAS cannot be reached from here)."""
import os
import signal
import subprocess
import time
import unittest

from ota_fixture import OtaTest, TOKEN
from yonima_test import BIN


def processes_running(path):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if path.encode() in argv:
            found.append(int(pid))
    return found


class InterruptTest(OtaTest):
    def test_sigterm_during_a_read_stops_eas_and_starts_nothing_after(self):
        self.fault("channel:view", hang=120)
        before = self.state()["branches"]["production"]["groups"]
        env = dict(os.environ, OTA_STANDIN_STATE=self.state_file, OTA_STANDIN_LOG=self.log_file, EXPO_TOKEN=TOKEN,
                   PATH=self.bin + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"))
        for k in [k for k in env if k.startswith(("INPUT_", "GITHUB_"))]:
            del env[k]
        proc = subprocess.Popen([os.path.join(BIN, "ota-publish"), "rollback", "--channel", "production", "--project-dir",
                                 self.project], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # Bounded: up to 200 looks 50 ms apart for eas to have started, then one SIGTERM to the tool only.
            for _ in range(200):
                if self.calls():
                    break
                time.sleep(0.05)
            self.assertEqual(len(self.calls()), 1, "eas channel:view did not start")
            time.sleep(0.3)  # eas is now sleeping in its hang
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        # The hanging eas was stopped by the forwarded signal (not waited for: it sleeps 120 s).
        self.assertLess(time.monotonic() - started, 20)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("SIGTERM", stdout + stderr)
        self.assertIn("nothing changed", stdout + stderr)
        # Nothing ran after it: the rollback never reached update:republish.
        self.assertEqual([c["argv"][0] for c in self.calls()], ["channel:view"])
        self.assertEqual(self.state()["branches"]["production"]["groups"], before)
        # No eas left behind (read from /proc: no procps needed).
        self.assertEqual(processes_running(self.eas), [], "an eas process outlived the tool")


if __name__ == "__main__":
    unittest.main()
