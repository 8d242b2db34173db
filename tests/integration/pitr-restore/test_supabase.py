"""pitr-restore --provider supabase against a local STAND-IN for the Supabase Management API
(supabase_standin.py follows the documented contract; the real API cannot be reached from here):
window, plan, restore with polling, named restore points, 400/401/403/404, 429 + Retry-After, slow
restores, a project that never comes back, and bad inputs that must not send a restore request."""
import calendar
import json
import os
import pty
import select
import subprocess
import time
import unittest

from pitr import PitrTest, out, pitr
from postgres import Postgres
from yonima_test import BIN, free_port

from standin import REF, TOKEN, StandIn


class SupabaseTest(PitrTest):
    @classmethod
    def setUpClass(cls):
        cls.api = StandIn()

    @classmethod
    def tearDownClass(cls):
        cls.api.stop()

    def project(self, **extra):
        now = int(time.time())
        p = {"earliest": now - 7 * 86400, "latest": now - 60, "restore_seconds": 2}
        p.update(extra)
        return p

    def setUp(self):
        self.api.configure(projects={REF: self.project()})

    def run_pitr(self, *args, token=TOKEN, timeout=120):
        env = {"SUPABASE_ACCESS_TOKEN": token} if token else {}
        r = pitr(args[0], "--provider", "supabase", "--project-ref", REF, "--api-url", self.api.url, "--poll-interval", "1s",
                 *args[1:], env=env, timeout=timeout)
        for text in (r.stdout, r.stderr, r.summary, repr(r.outputs)):
            self.assertNotIn(TOKEN, "\n".join(l for l in text.split("\n") if not l.startswith("::add-mask::")))
        return r

    def posts(self):
        return [e for e in self.api.log() if e["method"] == "POST"]

    def test_window(self):
        self.api.configure(projects={REF: self.project(restore_points_enabled=True, restore_points=["before-release"])})
        r = self.run_pitr("window", "--json")
        self.assertExit(r, 0)
        w = r.json()["window"]
        self.assertTrue(w["available"])
        self.assertEqual(r.outputs["restore-points"], "before-release")
        self.assertRegex(r.outputs["earliest"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertTrue(all(e["authorization"] == "Bearer " + TOKEN for e in self.api.log()))
        self.api.configure(projects={REF: self.project(pitr_enabled=False)})
        r = self.run_pitr("window")
        self.assertExit(r, 1)
        self.assertIn("not enabled", out(r))

    def test_restore_to_a_time_waits_until_active_healthy(self):
        self.api.configure(projects={REF: self.project(restore_seconds=3)})
        r = self.run_pitr("restore", "--to", "15m ago", "--confirm", REF)
        self.assertExit(r, 0)
        posts = self.posts()
        self.assertEqual(len(posts), 1)
        self.assertTrue(posts[0]["path"].endswith("/database/backups/restore-pitr"))
        target = json.loads(posts[0]["body"])["recovery_time_target_unix"]
        self.assertIsInstance(target, int)
        self.assertAlmostEqual(target, time.time() - 900, delta=60)
        reads = [e for e in self.api.log() if e["method"] == "GET" and e["path"] == "/v1/projects/" + REF]
        self.assertLess(reads[0]["at"], posts[0]["at"])  # the status was read before the request
        polls = [e for e in reads if e["at"] > posts[0]["at"]]
        self.assertGreaterEqual(len(polls), 3)
        gaps = [b["at"] - a["at"] for a, b in zip(polls, polls[1:])]
        self.assertTrue(all(g >= 0.9 for g in gaps), gaps)  # polite: one poll per --poll-interval
        self.assertIn("progress: project %s is RESTORING" % REF, r.stderr)
        self.assertIn("ACTIVE_HEALTHY", r.summary)
        self.assertAlmostEqual(time.mktime(time.strptime(r.outputs["target-time"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone, target, delta=1)
        self.assertTrue(r.outputs["restored-at"] and r.outputs["duration"])
        self.assertNotIn("old-data-dir", r.outputs)

    def test_restore_point_uses_undo(self):
        self.api.configure(projects={REF: self.project(restore_points_enabled=True, restore_points=["before-release"])})
        r = self.run_pitr("restore", "--restore-point", "unknown-point", "--confirm", REF)
        self.assertExit(r, 2)
        self.assertIn("not known", out(r))
        self.assertEqual(self.posts(), [])
        r = self.run_pitr("restore", "--restore-point", "before-release", "--confirm", REF)
        self.assertExit(r, 0)
        posts = self.posts()
        self.assertEqual([p["path"] for p in posts], ["/v1/projects/%s/database/backups/undo" % REF])
        self.assertEqual(json.loads(posts[0]["body"]), {"name": "before-release"})

    def test_a_project_already_restoring_is_not_restored_again(self):
        # The retry after an exit 4 sent a second restore while the first ran (the API's 400 was
        # then read as "target outside the window"). Plan and restore refuse, nothing is sent.
        self.api.configure(projects={REF: self.project(status="RESTORING")})
        for args in (["plan", "--to", "20m ago"], ["restore", "--to", "20m ago", "--confirm", REF]):
            with self.subTest(command=args[0]):
                r = self.run_pitr(*args)
                self.assertExit(r, 3)
                self.assertIn("is RESTORING: a restore or another operation is under way", out(r))
                self.assertIn("nothing was sent", out(r))
                self.assertIn("wait until the project is ACTIVE_HEALTHY", out(r))
        self.assertEqual(self.posts(), [])

    def test_a_restore_started_after_the_plan_read_is_seen_before_the_request(self):
        # The plan's read may be minutes old (a confirmation typed by hand): read again before the POST.
        self.api.configure(projects={REF: self.project(statuses=["ACTIVE_HEALTHY", "RESTORING"])})
        r = self.run_pitr("restore", "--to", "20m ago", "--confirm", REF)
        self.assertExit(r, 3)
        self.assertIn("is RESTORING: a restore or another operation is under way", out(r))
        self.assertNotIn("target refused", out(r))
        self.assertEqual(self.posts(), [])
        reads = [e for e in self.api.log() if e["method"] == "GET" and e["path"] == "/v1/projects/" + REF]
        self.assertEqual(len(reads), 2)

    def test_an_unhealthy_project_is_a_warning_and_window_shows_the_status(self):
        # During an incident the project may be ACTIVE_UNHEALTHY: the API decides, not a guess of ours.
        self.api.configure(projects={REF: self.project(status="ACTIVE_UNHEALTHY")})
        r = self.run_pitr("plan", "--to", "20m ago")
        self.assertExit(r, 0)
        self.assertIn("is ACTIVE_UNHEALTHY, not ACTIVE_HEALTHY: the Management API may refuse the restore", r.stderr)
        r = self.run_pitr("window", "--json")
        self.assertExit(r, 0)
        self.assertEqual(r.outputs["project-status"], "ACTIVE_UNHEALTHY")
        self.assertEqual(r.json()["window"]["project_status"], "ACTIVE_UNHEALTHY")
        # window and plan take --verify-sql without a database (only restore runs it).
        self.assertExit(self.run_pitr("window", "--verify-sql", "SELECT 1"), 0)

    def test_restore_points_not_enabled_refuse_a_restore_point(self):
        # The list answers 404 when restore points are not enabled: the plan passed, then /undo was
        # sent blind and its 404 read as "no such project".
        self.api.configure(projects={REF: self.project()})
        for args in (["plan", "--restore-point", "avant-migration"],
                     ["restore", "--restore-point", "avant-migration", "--confirm", REF]):
            with self.subTest(command=args[0]):
                r = self.run_pitr(*args)
                self.assertExit(r, 2)
                self.assertIn("restore point 'avant-migration' cannot be used", out(r))
                self.assertIn("not enabled", out(r))
                self.assertIn("--to", out(r))
        self.assertEqual(self.posts(), [])

    def test_verify_sql_without_a_database_is_refused_before_the_restore(self):
        r = self.run_pitr("restore", "--to", "15m ago", "--confirm", REF, "--verify-sql", "SELECT 1 FROM orders LIMIT 1")
        self.assertExit(r, 2)
        self.assertIn("--verify-sql with --provider supabase needs --database-url", out(r))
        self.assertEqual(self.posts(), [])

    def test_a_token_pasted_with_its_newline(self):
        # A trailing newline went out inside the Authorization header (a blank line ending the
        # headers early); a line break inside forged a header of its own.
        r = self.run_pitr("window", token=TOKEN + "\n")
        self.assertExit(r, 0)
        self.assertTrue(all(e["authorization"] == "Bearer " + TOKEN for e in self.api.log()))
        before = len(self.api.log())
        r = self.run_pitr("window", token=TOKEN + "\r\nX-Injected: evil")
        self.assertExit(r, 2)
        self.assertIn("SUPABASE_ACCESS_TOKEN contains a control character", out(r))
        self.assertNotIn("evil", "\n".join(l for l in out(r).split("\n") if not l.startswith("::add-mask::")))
        self.assertEqual(len(self.api.log()), before)  # nothing sent

    def test_an_unreadable_window_is_called_unreadable(self):
        self.api.configure(projects={REF: self.project(latest="abc")})
        r = self.run_pitr("window")
        self.assertExit(r, 1)
        self.assertIn("cannot read (not Unix times)", out(r))
        self.assertNotIn("no recovery window yet", out(r))

    def test_api_refusals(self):
        cases = [({"refuse_restore": True}, TOKEN, 2, "answered 400"),
                 ({}, "sbp_wrong", 3, "not accepted: mistyped, expired or revoked"),
                 ({"forbidden": True}, TOKEN, 3, "owner or administrator")]
        for extra, token, code, text in cases:
            with self.subTest(text=text):
                self.api.configure(projects={REF: self.project(**extra)})
                r = self.run_pitr("restore", "--to", "15m ago", "--confirm", REF, token=token)
                self.assertExit(r, code)
                self.assertIn(text, out(r))
                self.assertIn("nothing was changed", out(r))
                if code == 3:
                    self.assertEqual(self.posts(), [])  # refused on the first read: no restore asked for
        self.api.configure(projects={})
        r = self.run_pitr("window")
        self.assertExit(r, 2)
        self.assertIn("answered 404", out(r))

    def test_hostile_answers(self):
        # Not JSON, invalid UTF-8, large: a clear environment error, never a crash.
        self.api.configure(projects={REF: self.project(garbage=True)})
        r = self.run_pitr("window")
        self.assertExit(r, 3)
        self.assertIn("not a JSON object", out(r))
        # An error message in French that tries to inject a workflow command: escaped, reported.
        self.api.configure(projects={REF: self.project(refuse_restore="fr")})
        r = self.run_pitr("restore", "--to", "15m ago", "--confirm", REF)
        self.assertExit(r, 2)
        self.assertIn("cible hors de la fenêtre", out(r))
        for line in (r.stdout + r.stderr).split("\n"):
            self.assertFalse(line.startswith("::error::cible"), line)

    def test_a_restore_that_may_have_been_carried_out_is_never_sent_twice(self):
        # A gateway's 502/504, or a connection dropped after the API acted: the outcome is unknown.
        # It used to be sent 5 times, then reported as "nothing was changed" (exit 3).
        for fault, accepted in (({"status": 502, "accept": True}, True), ({"status": 504, "accept": False}, False),
                                ({"reset": True, "accept": True}, True)):
            with self.subTest(fault=fault):
                self.api.configure(projects={REF: self.project(restore_seconds=60)}, restore_answer=fault)
                r = self.run_pitr("restore", "--to", "15m ago", "--confirm", REF, "--json")
                self.assertExit(r, 4)
                self.assertEqual(len(self.posts()), 1, self.posts())
                text = out(r)
                self.assertNotIn("nothing was changed", text)
                self.assertIn("may have been carried out", text)
                self.assertIn("is RESTORING right after" if accepted else "is ACTIVE_HEALTHY right after", text)
                self.assertIn("do not request another restore", text)
        # The same for undo (a named restore point).
        self.api.configure(projects={REF: self.project(restore_points_enabled=True, restore_points=["before-release"])},
                           restore_answer={"status": 502, "accept": True})
        r = self.run_pitr("restore", "--restore-point", "before-release", "--confirm", REF)
        self.assertExit(r, 4)
        self.assertEqual(len(self.posts()), 1)

    def test_a_token_in_a_long_error_message_is_redacted_before_the_cut(self):
        # The message is cut to 300 characters: cut first, the token's first 42 characters showed.
        self.api.configure(projects={REF: self.project(refuse_restore="leak")})
        r = self.run_pitr("restore", "--to", "15m ago", "--confirm", REF, "--json")
        self.assertExit(r, 2)
        self.assertIn("x" * 40, out(r))
        for text in (r.stdout, r.stderr, r.summary, repr(r.outputs)):
            shown = "\n".join(l for l in text.split("\n") if not l.startswith("::add-mask::"))
            self.assertNotIn(TOKEN[:8], shown)

    def test_a_hanging_status_poll_does_not_outlast_the_deadline(self):
        # Each poll used to wait the full 30 s request timeout, and the deadline was judged before
        # it: --timeout 5s gave up after 61 s. Now a poll never waits past the deadline.
        self.api.configure(projects={REF: self.project()}, status_delay=40)
        start = time.monotonic()
        r = self.run_pitr("restore", "--to", "15m ago", "--confirm", REF, "--timeout", "5s")
        took = time.monotonic() - start
        self.assertExit(r, 4)
        self.assertIn("not answering 5s after the restore was requested", out(r))
        self.assertLess(took, 20, "gave up %.1fs after starting, for a 5s deadline" % took)
        self.assertIn("progress: status poll failed", r.stderr)

    def test_429_retry_after_is_honoured(self):
        self.api.configure(projects={REF: self.project()}, throttle_next=2, retry_after=1)
        r = self.run_pitr("window")
        self.assertExit(r, 0)
        log = self.api.log()
        self.assertGreaterEqual(len(log), 3)
        self.assertGreaterEqual(log[2]["at"] - log[0]["at"], 1.8)  # two Retry-After: 1 waits
        # Throttled for the whole minute: a clear failure, not a silent give-up.
        self.api.configure(projects={REF: self.project()}, rate_limit_after=0, retry_after=1)
        r = self.run_pitr("window")
        self.assertExit(r, 3)
        self.assertIn("429", out(r))
        self.assertIn("60 requests a minute", out(r))

    def test_progress_line_every_10s_through_a_429_storm_while_restoring(self):
        # Polls throttled for the rest of the minute with Retry-After: 15: the wait is honoured (no
        # poll before it), yet a progress line still comes at least every 10 s (timed as it arrives).
        self.api.configure(projects={REF: self.project(restore_seconds=2)}, rate_limit_after=6, retry_after=15)
        env = dict(os.environ, SUPABASE_ACCESS_TOKEN=TOKEN, CI="true")
        proc = subprocess.Popen([os.path.join(BIN, "pitr-restore"), "restore", "--provider", "supabase", "--project-ref", REF,
                                 "--api-url", self.api.url, "--poll-interval", "5s", "--to", "15m ago", "--confirm", REF],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        lines, deadline = [], time.monotonic() + 150
        try:
            for line in proc.stderr:
                lines.append((time.monotonic(), line))
                self.assertLess(time.monotonic(), deadline, "bounded")
            proc.wait(timeout=10)
        finally:
            proc.kill()
            proc.stderr.close()
        self.assertEqual(proc.returncode, 0, "".join(l for _, l in lines))
        self.assertNotIn(TOKEN, "".join(l for _, l in lines))
        progress = [t for t, l in lines if "progress:" in l]
        self.assertGreaterEqual(len(progress), 5)
        gaps = [b - a for a, b in zip(progress, progress[1:])]
        self.assertLessEqual(max(gaps), 11, gaps)
        self.assertTrue(any("Retry-After" in l for _, l in lines))
        polls = [e["at"] for e in self.api.log() if e["method"] == "GET" and e["path"] == "/v1/projects/" + REF]
        throttled_gaps = [b - a for a, b in zip(polls, polls[1:])]
        self.assertGreaterEqual(max(throttled_gaps), 14.5, throttled_gaps)  # Retry-After honoured

    def test_project_that_never_comes_back(self):
        self.api.configure(projects={REF: self.project(never_back=True)})
        r = self.run_pitr("restore", "--to", "15m ago", "--confirm", REF, "--timeout", "4s")
        self.assertExit(r, 4)
        self.assertIn("still RESTORING", out(r))
        self.assertIn("do not request another restore", out(r))
        self.assertEqual(len(self.posts()), 1)

    def on_terminal(self, answer, *args):
        """Runs pitr-restore with stdin and stderr on a terminal (outside CI) and types `answer` at its prompt."""
        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS") and not k.startswith(("INPUT_", "GITHUB_"))}
        env["SUPABASE_ACCESS_TOKEN"] = TOKEN
        proc = subprocess.Popen([os.path.join(BIN, "pitr-restore"), *args], stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        seen, answered, deadline = b"", False, time.time() + 60
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and b"to go ahead:" in seen:
                os.write(master, (answer + "\n").encode())
                answered = True
            if proc.poll() is not None and not ready:
                break
        proc.wait(timeout=60)
        proc.stdout.close()
        os.close(master)
        return proc.returncode, seen.decode("utf-8", "replace"), answered

    def test_confirmation_typed_on_a_terminal(self):
        args = ["restore", "--provider", "supabase", "--project-ref", REF, "--api-url", self.api.url, "--poll-interval", "1s",
                "--to", "15m ago"]
        code, text, answered = self.on_terminal("not-the-ref", *args)
        self.assertTrue(answered, text)
        self.assertEqual(code, 2, text)
        self.assertEqual(self.posts(), [])
        code, text, answered = self.on_terminal(REF, *args)
        self.assertTrue(answered, text)
        self.assertEqual(code, 0, text)
        self.assertEqual(len(self.posts()), 1)

    def test_bad_inputs_send_no_restore(self):
        port = free_port()
        cases = [
            (["restore", "--to", "15m ago"], 2, "needs --confirm " + REF),
            (["restore", "--to", "15m ago", "--confirm", "zyxwvutsrqponmlkjihg"], 2, "does not name"),
            (["restore", "--to", "2099-01-01T00:00:00Z", "--confirm", REF], 2, "in the future"),
            (["restore", "--to", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 8 * 86400)), "--confirm", REF], 2,
             "before the earliest base backup"),
            (["restore", "--to", "30s ago", "--confirm", REF], 2, "after the latest recoverable moment"),
            # A second ahead (whole seconds, at least half a second after now when it runs).
            (["restore", "--to", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1.5)), "--confirm", REF], 2,
             "in the future"),
            (["restore", "--to", "2026-11-28T23:00:00", "--confirm", REF], 2, "no UTC offset: add Z or +HH:MM"),
            (["restore", "--lsn", "0/3000028", "--confirm", REF], 2, "not to a WAL location"),
            (["rehearse", "--to", "15m ago"], 2, "self-managed provider"),
        ]
        for args, code, text in cases:
            with self.subTest(args=args):
                r = self.run_pitr(*args)
                self.assertExit(r, code)
                self.assertIn(text, out(r))
        self.assertEqual(self.posts(), [])
        r = self.run_pitr("window", token=None)
        self.assertExit(r, 2)
        self.assertIn("SUPABASE_ACCESS_TOKEN is not set", out(r))
        r = pitr("window", "--provider", "supabase", "--project-ref", "Not-A-Ref", env={"SUPABASE_ACCESS_TOKEN": TOKEN})
        self.assertExit(r, 2)
        r = pitr("window", "--provider", "supabse", "--project-ref", REF, env={"SUPABASE_ACCESS_TOKEN": TOKEN})
        self.assertExit(r, 2)
        self.assertIn("did you mean supabase?", out(r))
        r = pitr("window", "--provider", "supabase", "--project-ref", REF, "--api-url", "http://127.0.0.1:%d" % port,
                 env={"SUPABASE_ACCESS_TOKEN": TOKEN}, timeout=120)
        self.assertExit(r, 3)
        self.assertIn("connect", out(r))


class SupabaseBeforeMigration(PitrTest):
    """--before-migration on Supabase: the restore point migrate-guard created when the project has
    them, else _prisma_migrations.started_at (read from a real PostgreSQL standing in for the project's database)."""

    @classmethod
    def setUpClass(cls):
        cls.api = StandIn()
        cls.pg = Postgres(password="pw-Sb-Ledger-7")
        cls.pg.create_database("app")
        cls.pg.sql("app", "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, "
                          "finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, "
                          "started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0)")
        cls.pg.sql("app", "INSERT INTO _prisma_migrations VALUES ('1', 'x', '2026-11-01 00:00:00+00', '20261101000000_init', NULL, NULL, "
                          "'2026-11-01 00:00:00+00', 1), ('2', 'y', now() - interval '10 minutes', '20261128000000_drop_orders', NULL, NULL, "
                          "'2026-11-28 00:00:05.123456+00'::timestamptz, 1), ('3', 'z', now(), '20261128000100_after', NULL, NULL, "
                          "now() - interval '5 minutes', 1)")

    @classmethod
    def tearDownClass(cls):
        cls.api.stop()
        cls.pg.stop()

    def run_plan(self, *args):
        return pitr("plan", "--provider", "supabase", "--project-ref", REF, "--api-url", self.api.url,
                    "--database-url", self.pg.url("app"), *args, "--json", env={"SUPABASE_ACCESS_TOKEN": TOKEN})

    def test_an_unreachable_database_is_not_called_missing(self):
        # The hint said "give --database-url" when it had been given and only could not be reached.
        self.api.configure(token=TOKEN, projects={REF: {"earliest": 1700000000, "latest": int(time.time()) - 60}})
        r = pitr("plan", "--provider", "supabase", "--project-ref", REF, "--api-url", self.api.url, "--before-migration",
                 "20261128000000_drop_orders", "--database-url", "postgresql://postgres:pw-Sb-Ledger-7@127.0.0.1:1/app",
                 "--connect-timeout", "1s", env={"SUPABASE_ACCESS_TOKEN": TOKEN})
        self.assertExit(r, 3)
        self.assertIn("check that --database-url is right and the database is reachable", out(r))
        self.assertNotIn("give --database-url", out(r))
        r = pitr("plan", "--provider", "supabase", "--project-ref", REF, "--api-url", self.api.url, "--before-migration",
                 "20261128000000_drop_orders", env={"SUPABASE_ACCESS_TOKEN": TOKEN})
        self.assertIn("give --database-url", out(r))
        # A URL that came from the action's input is named as such.
        r = pitr("plan", "--provider", "supabase", "--project-ref", REF, "--api-url", self.api.url, "--before-migration",
                 "20261128000000_drop_orders", env={"SUPABASE_ACCESS_TOKEN": TOKEN,
                                                    "INPUT_DATABASE-URL": "postgresql://postgres@127.0.0.1:1/app?sslmode=bogus"})
        self.assertExit(r, 2)
        self.assertIn("INPUT_DATABASE-URL", out(r))

    def test_restore_point_wins_then_started_at(self):
        now = int(time.time())
        marker = "migrate-guard-20261128T000004Z-20261128000000_drop_orders"
        self.api.configure(token=TOKEN, projects={REF: {"earliest": 1700000000, "latest": now - 60, "restore_points_enabled": True,
                                                        "restore_points": ["migrate-guard-20261127T000000Z-other", marker]}})
        r = self.run_plan("--before-migration", "20261128000000_drop_orders")
        self.assertExit(r, 0)
        plan = r.json()["plan"]
        self.assertEqual(plan["target"]["kind"], "restore-point")
        self.assertEqual(plan["target"]["name"], marker)
        self.assertEqual(plan["migrations_lost"], ["20261128000000_drop_orders", "20261128000100_after"])
        self.assertTrue(plan["steps"][0]["action"].endswith("/database/backups/undo"))
        self.api.configure(token=TOKEN, projects={REF: {"earliest": 1700000000, "latest": now - 60}})
        r = self.run_plan("--before-migration", "20261128000000_drop_orders")
        self.assertExit(r, 0)
        plan = r.json()["plan"]
        self.assertEqual(plan["target"]["kind"], "time")
        self.assertEqual(plan["target"]["time"], "2026-11-28T00:00:05Z")  # the API takes whole seconds, rounded down
        self.assertIn("started_at", plan["target"]["source"])
        self.assertIn("recovery_time_target_unix %d" % calendar.timegm((2026, 11, 28, 0, 0, 5)), plan["steps"][0]["detail"])
        r = self.run_plan("--before-migration", "20261128999999_unknown")
        self.assertExit(r, 2)
        self.assertIn("20261128000100_after", out(r))


if __name__ == "__main__":
    unittest.main()
