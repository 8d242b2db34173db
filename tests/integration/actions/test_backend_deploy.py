"""workflows/backend-deploy.yml run for real through tests/support/workflow_runner.py: its `if:`
conditions, job order and outputs, its `run:` steps with bash, our actions with the shipped
binaries, against a real registry (HTTPS, docker-registry) and PostgreSQL + PostGIS. Third-party
steps are stand-ins (tests/support/backend_scenario.py says what each does).

Each scenario is also run on the workflow as it was before issue 12 (fixtures/
backend-deploy.before.yml) to show the test catches what was wrong with it."""
import os
import unittest

from backend_scenario import BackendWorld, DRILL

HERE = os.path.dirname(os.path.abspath(__file__))
BEFORE = os.path.join(HERE, "fixtures", "backend-deploy.before.yml")
# The old workflow's health gate probes every 5s and then watches for a minute: the same logic
# with test timings.
BEFORE_TIMINGS = {"Health gate": {"interval": "200ms", "successes": "2", "timeout": "5s", "observe": ""}}
C_MIGRATION = ("-- release 1.2.0 adds a column\nSET lock_timeout = '5s';\n"
               "ALTER TABLE \"Place\" ADD COLUMN \"openingHours\" TEXT;\n")


class RefusedReleaseTest(unittest.TestCase):
    """A, then B promoted; C refused by the scan gate: production must stay on B, and C's
    migration must never reach the database."""

    def scenario(self, workflow=None):
        w = BackendWorld()
        self.addCleanup(w.stop)
        w.release("1.0.0", migration="20261101000000_init")
        w.release("1.1.0", migration="20261120000000_place_rating")
        w.release("1.2.0", vulnerable=True, migration="20261125000000_opening_hours", sql=C_MIGRATION)
        kw = {"workflow": workflow} if workflow else {}
        if workflow:  # the old workflow has no inputs for these
            kw.update({"require-extensions": "postgis", "extension-schema": "public", "with_overrides": BEFORE_TIMINGS})
        for v in ("1.0.0", "1.1.0"):
            r = w.run(v, **kw)
            self.assertEqual(r["deploy"].result, "success", r.log())
            self.assertEqual(w.production_version(), v)
        return w, w.run("1.2.0", **kw)

    def test_a_refused_release_moves_nothing(self):
        w, r = self.scenario()
        self.assertEqual(r["scan"].result, "failure", r.log())
        self.assertEqual(r["scan"].step("Gate on the scan").outcome, "failure")
        # Gate first: nothing touched production.
        self.assertEqual(r["migrate"].result, "skipped")
        self.assertEqual(r["deploy"].result, "skipped")
        self.assertEqual(w.production_version(), "1.1.0")
        self.assertEqual(w.served_version(), "1.1.0")
        self.assertNotIn("20261125000000_opening_hours", w.applied_migrations())

    def test_the_workflow_before_issue_12_rolled_production_one_release_too_far(self):
        w, r = self.scenario(workflow=BEFORE)
        # The refused promote failed the deploy job, and the bare `if: failure()` rollback ran.
        self.assertEqual(r["deploy"].step("Promote the scanned digest").outcome, "failure", r.log())
        self.assertEqual(r["deploy"].step("Roll the image back").outcome, "success")
        self.assertEqual(w.production_version(), "1.0.0")  # B -> A: the bug
        # ... and C's migration was applied before the gate said no.
        self.assertIn("20261125000000_opening_hours", w.applied_migrations())

    def test_a_deploy_freeze_stops_before_the_database_and_production(self):
        """During an emergency (a restore, a rollback being finished) YONIMA_DEPLOY_FREEZE stops the
        next push before its migrations and its promotion."""
        w = BackendWorld()
        self.addCleanup(w.stop)
        w.release("1.0.0", migration="20261101000000_init")
        w.release("1.1.0", migration="20261120000000_place_rating")
        self.assertEqual(w.run("1.0.0")["deploy"].result, "success")
        r = w.run("1.1.0", **{"deploy-freeze": "database restored at 03:10, reverting 20261120000000"})
        self.assertEqual(r["migrate"].result, "failure", r.log())
        self.assertIn("deploys frozen", r["migrate"].steps[0].log)
        self.assertIn("reverting 20261120000000", r["migrate"].steps[0].log)
        self.assertFalse(r["migrate"].ran("deploy"))
        self.assertEqual(r["deploy"].result, "skipped")
        self.assertNotIn("20261120000000_place_rating", w.applied_migrations())
        self.assertEqual(w.production_version(), "1.0.0")

    def test_promote_refused_at_deploy_time_rolls_nothing_back(self):
        """The scan job passes but the promote step itself refuses (the report handed to it is of
        another image): the rollback does not run, as this run moved nothing."""
        w = BackendWorld()
        self.addCleanup(w.stop)
        w.release("1.0.0", migration="20261101000000_init")
        w.release("1.1.0")
        w.release("1.2.0")
        for v in ("1.0.0", "1.1.0"):
            self.assertEqual(w.run(v)["deploy"].result, "success")
        w.mislabelled.add("1.2.0")
        r = w.run("1.2.0")
        d = r["deploy"]
        self.assertEqual(r["scan"].result, "success", r.log())
        self.assertEqual(d.step("promote").outcome, "failure", r.log())
        self.assertEqual(d.step("rollback").outcome, "skipped")
        self.assertEqual(d.step("redeploy").outcome, "skipped")
        self.assertEqual(w.production_version(), "1.1.0")
        self.assertEqual(w.served_version(), "1.1.0")
        self.assertEqual(d.outputs["rolled-back"], "false")


class BrokenReleaseTest(unittest.TestCase):
    """A healthy, then B broken (503): this run rolls its own promotion back, redeploys A and
    health-gates A again; the summary reports both."""

    def test_broken_release_is_rolled_back_and_the_previous_one_checked(self):
        w = BackendWorld()
        self.addCleanup(w.stop)
        w.release("1.0.0", migration="20261101000000_init")
        w.release("1.1.0", health="broken", migration="20261120000000_place_rating")
        self.assertEqual(w.run("1.0.0")["deploy"].result, "success")
        markers = []

        def sentry(ctx):  # stand-in for getsentry/action-release: records the marker asked for
            markers.append((ctx.with_.get("release"), ctx.with_.get("environment"), ctx.env.get("SENTRY_ORG")))
            return 0
        r = w.run("1.1.0", extra_stubs={"getsentry/action-release": sentry},
                  **{"sentry-org": "acme", "sentry-project": "api"})
        d = r["deploy"]
        self.assertEqual(d.result, "failure", r.log())
        # Sentry: the bad release's deploy marker, then the previous release's after the rollback.
        self.assertEqual(r["sentry"].result, "success", r.log())
        self.assertEqual(markers, [("1.1.0", "production", "acme"), ("1.0.0", "production", "acme")])
        self.assertEqual(d.step("promote").outcome, "success")
        self.assertEqual(d.step("health").outcome, "failure")
        self.assertIn("503", d.step("health").outputs.get("reason", ""))
        self.assertEqual(d.step("rollback").outcome, "success", d.step("rollback").log)
        self.assertEqual(d.step("redeploy").outcome, "success", d.step("redeploy").log)
        self.assertEqual(d.step("health-previous").outcome, "success", d.step("health-previous").log)
        self.assertEqual(d.step("health-previous").outputs.get("served-version"), "1.0.0")
        # The version waited for is the label of the image rolled back to.
        self.assertEqual(d.step("inspect-previous").outputs.get("image-version"), "1.0.0")
        self.assertNotIn("status-only", d.step("Report").log)
        self.assertEqual(d.outputs["rolled-back"], "true")
        self.assertEqual(d.outputs["rollback-verified"], "true")
        self.assertEqual(w.production_version(), "1.0.0")
        self.assertEqual(w.served_version(), "1.0.0")
        self.assertIn("| health gate, new release 1.1.0 | failure |", d.summary)
        self.assertIn("| health gate, previous release 1.0.0 | success |", d.summary)
        # The version went into the image: build-arg and OCI label.
        self.assertIn("APP_VERSION=1.1.0", w.baked["1.1.0"]["build-args"])
        self.assertIn("org.opencontainers.image.version=1.1.0", w.baked["1.1.0"]["labels"])
        # The schema is never rolled back automatically; the summary names the restore point.
        self.assertIn("20261120000000_place_rating", w.applied_migrations())

    def test_a_release_whose_version_never_shows_up_is_rolled_back(self):
        """The platform keeps serving the old release (the deploy did nothing): without
        expect-version the gate would have passed on the old instances."""
        w = BackendWorld()
        self.addCleanup(w.stop)
        w.release("1.0.0", migration="20261101000000_init")
        w.release("1.1.0")
        self.assertEqual(w.run("1.0.0")["deploy"].result, "success")
        r = w.run("1.1.0", **{"deploy-command": "true"})
        d = r["deploy"]
        self.assertEqual(d.step("health").outcome, "failure", r.log())
        self.assertEqual(d.step("rollback").outcome, "success")
        self.assertEqual(w.production_version(), "1.0.0")

    def test_a_promote_that_moved_nothing_rolls_nothing_back(self):
        """A re-run of 1.1.0's pipeline (the tag already holds 1.1.0) while the service is down: this
        run moved nothing, so rolling back would take production to 1.0.0, a release this run never
        displaced. The tag stays; the Report says so and how to roll 1.1.0 back by hand."""
        w = BackendWorld()
        self.addCleanup(w.stop)
        w.release("1.0.0", migration="20261101000000_init")
        w.release("1.1.0")
        for v in ("1.0.0", "1.1.0"):
            self.assertEqual(w.run(v)["deploy"].result, "success")
        down = "bash %s stop %s" % (os.path.join(DRILL, "sample-api.sh"), w.work)
        r = w.run("1.1.0", **{"deploy-command": down})
        d = r["deploy"]
        self.assertEqual(d.step("promote").outcome, "success", r.log())
        self.assertEqual(d.step("promote").outputs["previous-digest"], w.digests["1.1.0"])
        self.assertEqual(d.step("health").outcome, "failure")
        self.assertEqual(d.step("rollback").outcome, "skipped")
        self.assertEqual(d.outputs["rolled-back"], "false")
        self.assertEqual(w.production_version(), "1.1.0")
        report = d.step("Report").log
        self.assertIn("already held %s before this run" % w.digests["1.1.0"], report)
        self.assertIn("expect-current: %s" % w.digests["1.1.0"], report)

    def test_a_rollback_whose_redeploy_failed_is_reported_half_done(self):
        """1.1.0 is broken; the tag moves back to 1.0.0 but the platform refuses the redeploy: the
        run must not claim the previous release runs (no Sentry marker for it, rollback-verified
        false) and must say how to finish."""
        w = BackendWorld()
        self.addCleanup(w.stop)
        w.release("1.0.0", migration="20261101000000_init")
        w.release("1.1.0", health="broken")
        self.assertEqual(w.run("1.0.0")["deploy"].result, "success")
        markers = []

        def sentry(ctx):  # stand-in for getsentry/action-release
            markers.append(ctx.with_.get("release"))
            return 0
        only_new = '[ "$IMAGE_VERSION" = 1.1.0 ] && bash %s %s' % (os.path.join(DRILL, "deploy.sh"), w.work)
        r = w.run("1.1.0", extra_stubs={"getsentry/action-release": sentry},
                  **{"deploy-command": only_new, "sentry-org": "acme", "sentry-project": "api"})
        d = r["deploy"]
        self.assertEqual(d.step("rollback").outcome, "success", r.log())
        self.assertEqual(d.step("redeploy").outcome, "failure")
        self.assertEqual(d.outputs["rolled-back"], "true")
        self.assertEqual(d.outputs["previous-redeployed"], "false")
        self.assertEqual(d.outputs["rollback-verified"], "false")
        self.assertEqual(w.production_version(), "1.0.0")
        self.assertEqual(w.served_version(), "1.1.0")
        self.assertEqual(markers, ["1.1.0"])
        self.assertIn("| redeploy `%s` | failure |" % w.digests["1.0.0"], d.summary)
        self.assertIn("rollback half-done", d.step("Report").log)

    def test_the_workflow_before_issue_12_passes_a_release_that_never_shipped(self):
        w = BackendWorld()
        self.addCleanup(w.stop)
        w.release("1.0.0", migration="20261101000000_init")
        w.release("1.1.0")
        kw = {"workflow": BEFORE, "require-extensions": "postgis", "extension-schema": "public",
              "with_overrides": BEFORE_TIMINGS}
        self.assertEqual(w.run("1.0.0", **kw)["deploy"].result, "success")
        r = w.run("1.1.0", **dict(kw, **{"deploy-command": "true"}))
        # The old instance (1.0.0) answered ok and the gate, which checks no version, passed.
        self.assertEqual(r["deploy"].result, "success", r.log())
        self.assertEqual(w.served_version(), "1.0.0")


if __name__ == "__main__":
    unittest.main()
