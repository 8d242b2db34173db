"""workflows/emergency-rollback.yml run through the workflow runner: target api moves the tag back,
redeploys by digest and health-gates; a wrong confirmation changes nothing and says why."""
import os
import unittest

from backend_scenario import BackendWorld, DRILL

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EMERGENCY = os.path.join(ROOT, "workflows", "emergency-rollback.yml")


class EmergencyRollbackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = BackendWorld()
        try:
            cls.w.release("1.0.0", migration="20261101000000_init")
            cls.w.release("1.1.0")
            for v in ("1.0.0", "1.1.0"):
                r = cls.w.run(v)
                assert r["deploy"].result == "success", r.log()
        except Exception:
            cls.w.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.w.stop()

    def emergency(self, **inputs):
        base = {"image": self.w.image, "health-url": self.w.health_url, "reason": "test",
                "deploy-command": "bash %s %s" % (os.path.join(DRILL, "deploy.sh"), self.w.work)}
        base.update(inputs)
        return self.w.run_workflow(EMERGENCY, base)

    def test_1_wrong_confirmation_changes_nothing(self):
        r = self.emergency(target="api", confirm="rollback please")
        self.assertEqual(r["refuse"].result, "failure")
        self.assertIn("confirm must be ROLLBACK", r["refuse"].steps[0].log)
        self.assertEqual(r["api"].result, "skipped")
        self.assertEqual(self.w.production_version(), "1.1.0")
        r = self.emergency(target="API ", confirm="ROLLBACK")
        self.assertEqual(r["refuse"].result, "failure")
        self.assertIn("target must be api, app or database", r["refuse"].steps[0].log)
        self.assertEqual(r["api"].result, "skipped")

    def test_2_api_rollback(self):
        r = self.emergency(target="api", confirm="ROLLBACK")
        api = r["api"]
        self.assertEqual(api.result, "success", r.log())
        self.assertEqual(r["refuse"].result, "skipped")
        self.assertEqual(self.w.production_version(), "1.0.0")
        self.assertEqual(self.w.served_version(), "1.0.0")
        self.assertEqual(api.step("health").outputs["healthy"], "true")
        self.assertIn("### emergency rollback: api", api.summary)
        self.assertIn("Requested by yonima-bot: test", api.summary)
        for job in ("app", "database-plan", "database-restore"):
            self.assertEqual(r[job].result, "skipped", job)


if __name__ == "__main__":
    unittest.main()
