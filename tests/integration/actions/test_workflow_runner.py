"""tests/support/workflow_runner.py follows GitHub's documented semantics where the workflows rely on
them: expressions (loose equality, case-insensitive strings, && / || returning operands, missing
properties as null, format/contains/fromJSON), implicit success() in `if:`, status functions after a
failure, continue-on-error, needs/job results and outputs, GITHUB_OUTPUT / GITHUB_ENV files, and a
third-party step without a stand-in failing loudly instead of being skipped."""
import contextlib
import io
import os
import shutil
import tempfile
import unittest

import yaml

from workflow_runner import WorkflowError, WorkflowRunner, condition, evaluate, interpolate

CTX = {"inputs": {"to": "", "steps": "1", "name": "Production", "n": 3},
       "steps": {"promote": {"outcome": "success", "outputs": {"digest": "sha256:ab"}}},
       "needs": {}, "env": {}, "github": {"event": {}}}


class ExpressionTest(unittest.TestCase):
    def test_operators(self):
        self.assertEqual(evaluate("inputs.to == '' && inputs.steps || ''", CTX), "1")
        self.assertEqual(evaluate("inputs.to != '' && inputs.steps || 'none'", CTX), "none")
        self.assertTrue(evaluate("inputs.name == 'production'", CTX))          # strings: case-insensitive
        self.assertTrue(evaluate("inputs.n == '3'", CTX))                      # loose: number vs string
        self.assertTrue(evaluate("inputs.n > 2 && !(inputs.n >= 4)", CTX))
        self.assertIsNone(evaluate("steps.nope.outputs.digest", CTX))         # missing -> null
        self.assertIsNone(evaluate("github.event.pull_request.base.sha", CTX))
        self.assertEqual(evaluate("github.event.pull_request.base.sha || 'x'", CTX), "x")

    def test_functions(self):
        self.assertEqual(evaluate("format('{0}@{1}', 'repo', steps.promote.outputs.digest)", CTX), "repo@sha256:ab")
        self.assertTrue(evaluate("contains(fromJSON('[\"api\", \"app\"]'), 'API')", CTX))
        self.assertFalse(evaluate("contains(fromJSON('[\"api\", \"app\"]'), 'db')", CTX))
        self.assertTrue(evaluate("startsWith('refs/tags/v1', 'refs/tags/')", CTX))
        self.assertEqual(interpolate("a ${{ inputs.steps }} b ${{ inputs.to }}c", CTX), "a 1 b c")
        with self.assertRaises(WorkflowError):
            evaluate("nosuchcontext.x", CTX)

    def test_conditions(self):
        # No status function: success() is implied.
        self.assertFalse(condition("steps.promote.outcome == 'success'", CTX, {"success": False, "failure": True}))
        self.assertTrue(condition("failure() && steps.promote.outcome == 'success'", CTX,
                                  {"success": False, "failure": True}))
        self.assertTrue(condition("${{ always() }}", CTX, {"always": True}))
        self.assertTrue(condition(None, CTX, {"success": True}))
        self.assertFalse(condition(None, CTX, {"success": False}))


class RunTest(unittest.TestCase):
    def run_yaml(self, wf, **kw):
        tmp = tempfile.mkdtemp(prefix="yonima-runner-")
        self.addCleanup(shutil.rmtree, tmp, True)
        path = os.path.join(tmp, "wf.yml")
        with open(path, "w") as f:
            yaml.safe_dump(wf, f)
        runner = WorkflowRunner(path, tmp, **kw)
        try:
            return runner.run()
        finally:
            runner.close()

    def test_steps_jobs_and_outputs(self):
        wf = {"on": {"workflow_call": {"inputs": {"who": {"type": "string", "default": "world"}}}}, "jobs": {
            "a": {"runs-on": "x", "outputs": {"greeting": "${{ steps.say.outputs.text }}"}, "steps": [
                {"id": "say", "run": "echo \"text=hello ${{ inputs.who }}\" >> \"$GITHUB_OUTPUT\"; echo \"FROM_ENV=1\" >> \"$GITHUB_ENV\""},
                {"id": "env", "run": "test \"$FROM_ENV\" = 1"},
                {"id": "boom", "run": "exit 3", "continue-on-error": True},
                {"id": "after", "run": "true"},
                {"id": "fail", "run": "exit 1"},
                {"id": "skipped", "run": "true"},
                {"id": "cleanup", "if": "always()", "run": "true"},
                {"id": "onfail", "if": "failure()", "run": "true"}]},
            "b": {"needs": "a", "runs-on": "x", "steps": [{"run": "true"}]},
            "c": {"needs": "a", "if": "always() && needs.a.result == 'failure'", "runs-on": "x", "steps": [
                {"id": "got", "run": "test '${{ needs.a.outputs.greeting }}' = 'hello there'"}]}}}
        r = self.run_yaml(wf, inputs={"who": "there"})
        a = r["a"]
        self.assertEqual(a.result, "failure")
        self.assertEqual(a.outputs["greeting"], "hello there")
        self.assertEqual([(s.name, s.outcome, s.conclusion) for s in a.steps], [
            ("say", "success", "success"), ("env", "success", "success"), ("boom", "failure", "success"),
            ("after", "success", "success"), ("fail", "failure", "failure"), ("skipped", "skipped", "skipped"),
            ("cleanup", "success", "success"), ("onfail", "success", "success")])
        self.assertEqual(r["b"].result, "skipped")
        self.assertEqual(r["c"].result, "success", r.log())

    def test_a_third_party_step_needs_a_named_stand_in(self):
        wf = {"on": {"workflow_call": {}}, "jobs": {"a": {"runs-on": "x", "steps": [
            {"uses": "someone/action@0123456789012345678901234567890123456789"}]}}}
        with self.assertRaises(WorkflowError):
            self.run_yaml(wf)
        r = self.run_yaml(wf, stubs={"someone/action": lambda ctx: (0, {"out": "v"})})
        self.assertEqual(r["a"].steps[0].outputs, {"out": "v"})

    def test_unknown_inputs_are_refused(self):
        with self.assertRaises(WorkflowError):
            self.run_yaml({"on": {"workflow_call": {}}, "jobs": {}}, inputs={"nope": "1"})


if __name__ == "__main__":
    unittest.main()


class FailureMessageTest(RunTest):
    """A failed step explains itself: the runner prints the tail of its stdout/stderr on stderr,
    secrets masked (a flaky redeploy once failed a test with nothing but 'failure' != 'success')."""

    def test_a_failed_step_prints_the_tail_of_its_output(self):
        wf = {"on": {"workflow_call": {}}, "jobs": {"a": {"runs-on": "x", "steps": [
            {"id": "ok", "run": "echo all fine"},
            {"id": "deploy", "run": "echo starting; echo \"sample-api: did not start, token $T\" >&2; exit 1",
             "env": {"T": "${{ secrets.DEPLOY_TOKEN }}"}}]}}}
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            r = self.run_yaml(wf, secrets={"DEPLOY_TOKEN": "deploy-secret-token"})
        self.assertEqual(r["a"].step("deploy").outcome, "failure")
        text = err.getvalue()
        self.assertIn("[a] deploy: failure", text)
        self.assertIn("    starting", text)
        self.assertIn("sample-api: did not start, token ***", text)
        self.assertNotIn("deploy-secret-token", text)
        self.assertNotIn("all fine", text)  # only failing steps
