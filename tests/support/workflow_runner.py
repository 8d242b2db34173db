"""Runs the logic of a GitHub Actions workflow file on this machine, for tests and the drill.

What it does as GitHub does:
- jobs in `needs` order; a job runs when its `if:` holds (default `success()`: every job it needs
  succeeded); `needs.<job>.result` / `.outputs`, job `outputs:` evaluated after its steps;
- steps in order; `if:` evaluated with `success()`, `failure()`, `always()`, `cancelled()`
  (a condition without a status function means `success() && (...)`), `steps.<id>.outcome` /
  `.conclusion` / `.outputs`, `inputs`, `secrets`, `env`, `github`, `vars`, `needs`, `job`,
  `runner`, `matrix`; `continue-on-error`; `${{ }}` substituted in `run:`, `with:`, `env:`,
  `working-directory`, `outputs:` (literally, as GitHub does: that is why the workflows pass
  untrusted values through `env:`);
- `run:` steps with `bash --noprofile --norc -eo pipefail` in the workspace, with `GITHUB_OUTPUT`,
  `GITHUB_ENV`, `GITHUB_STEP_SUMMARY` files read back;
- our container actions (`uses: ./actions/<tool>`, `./`, `yonima/yonima-deploy/actions/<tool>@REF`,
  `yonima/yonima-deploy@REF`) run the shipped binary (build/bin) with `INPUT_<NAME>` for every
  input the action.yml declares (`with:` value, else the declared default), as the runner does for
  a `runs: using: docker` action; the umbrella action runs build/bin/yonima-deploy, which picks the
  tool from its `tool` input as the umbrella image's entrypoint does.

What it does not do: run third-party actions. Each `uses: owner/repo@sha` step is handed to a
stub the test names explicitly (`stubs={"docker/build-push-action": fn}`); a step without a stub
fails the run loudly, so nothing is silently skipped. Matrices, services and containers are not
modelled; `jobs_stubbed={"validate": "success"}` marks a job as done without running it (a test
says why when it does); `with_overrides={"step name or id": {"interval": "200ms"}}` replaces
`with:` values of a step (timings, so a health gate that watches for a minute is tested in
seconds, or the address of a stand-in that replaces an unreachable API). A composite action of
ours (ota-publish) runs its binary the way its run.sh does: INPUT_* for every declared input.""" 
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import yaml

from yonima_test import parse_github_output

SUPPORT = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(SUPPORT, "..", ".."))
BIN = os.environ.get("YONIMA_BIN", os.path.join(ROOT, "build", "bin"))
OURS = "yonima/yonima-deploy"


class WorkflowError(Exception):
    """The workflow cannot be run here (syntax this runner does not model, a missing stub)."""


# --- expressions ----------------------------------------------------------------------------

_TOKEN = re.compile(r"""\s*(?:
    (?P<num>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))(?![\w-])
  | (?P<str>'(?:[^']|'')*')
  | (?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\].,*])
  | (?P<id>[A-Za-z_][A-Za-z0-9_-]*)
)""", re.X)

_STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")


def tokenize(text):
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise WorkflowError("cannot parse expression at %r" % text[pos:pos + 30])
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "num":
            value = int(value, 16) if value.lower().startswith(("0x", "-0x")) else float(value)
        elif kind == "str":
            value = value[1:-1].replace("''", "'")
        out.append((kind, value))
    return out


def _to_number(v):
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        if s == "":
            return 0.0
        try:
            return float(int(s, 16)) if s.lower().startswith("0x") else float(s)
        except ValueError:
            return float("nan")
    return float("nan")


def truthy(v):
    if v is None or v is False:
        return False
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v == v and v != 0
    if isinstance(v, str):
        return v != ""
    return True


def _equal(a, b):
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
            return False
        return _to_number(a) == _to_number(b)
    if isinstance(a, str):
        return a.lower() == b.lower()
    if isinstance(a, (dict, list)):
        return a is b
    return a == b


def _compare(a, b, op):
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.lower(), b.lower()
    else:
        a, b = _to_number(a), _to_number(b)
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def to_string(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else repr(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, indent=2)
    return str(v)


class _Parser:
    """Recursive descent over GitHub's expression grammar: || < && < ==,!= < <,>,<=,>= < ! < access."""

    def __init__(self, tokens, context, functions):
        self.t, self.i, self.ctx, self.fn = tokens, 0, context, functions

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise WorkflowError("expected %r, got %r" % (value, tok[1]))
        self.i += 1
        return tok

    def parse(self):
        v = self.or_()
        if self.i != len(self.t):
            raise WorkflowError("unexpected %r" % (self.peek()[1],))
        return v

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            rhs = self.and_()
            v = v if truthy(v) else rhs
        return v

    def and_(self):
        v = self.eq()
        while self.peek() == ("op", "&&"):
            self.take()
            rhs = self.eq()
            v = rhs if truthy(v) else v
        return v

    def eq(self):
        v = self.cmp()
        while self.peek()[1] in ("==", "!=") and self.peek()[0] == "op":
            op = self.take()[1]
            rhs = self.cmp()
            v = _equal(v, rhs) if op == "==" else not _equal(v, rhs)
        return v

    def cmp(self):
        v = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("<", ">", "<=", ">="):
            op = self.take()[1]
            v = _compare(v, self.unary(), op)
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.access()

    def access(self):
        v = self.primary()
        while True:
            tok = self.peek()
            if tok == ("op", "."):
                self.take()
                kind, name = self.take()
                if kind == "op" and name == "*":
                    v = list(v.values()) if isinstance(v, dict) else (v if isinstance(v, list) else [])
                    continue
                if kind not in ("id", "num"):
                    raise WorkflowError("bad property %r" % name)
                v = _prop(v, to_string(name) if kind == "num" else name)
            elif tok == ("op", "["):
                self.take()
                key = self.or_()
                self.take("]")
                if isinstance(v, list) and isinstance(key, (int, float)) and not isinstance(key, bool):
                    v = v[int(key)] if 0 <= int(key) < len(v) else None
                else:
                    v = _prop(v, to_string(key))
            else:
                return v

    def primary(self):
        kind, value = self.take()
        if kind in ("num", "str"):
            return value
        if kind == "op" and value == "(":
            v = self.or_()
            self.take(")")
            return v
        if kind == "id":
            low = value.lower()
            if low in ("true", "false"):
                return low == "true"
            if low == "null":
                return None
            if self.peek() == ("op", "("):
                self.take()
                args = []
                while self.peek() != ("op", ")"):
                    args.append(self.or_())
                    if self.peek() == ("op", ","):
                        self.take()
                self.take(")")
                fn = self.fn.get(low)
                if fn is None:
                    raise WorkflowError("unknown function %s()" % value)
                return fn(*args)
            if low not in self.ctx:
                raise WorkflowError("unknown context %r" % value)
            return self.ctx[low]
        raise WorkflowError("unexpected %r" % (value,))


def _prop(v, name):
    if isinstance(v, list):  # filtered object: a.*.b
        return [_prop(x, name) for x in v]
    if not isinstance(v, dict):
        return None
    if name in v:
        return v[name]
    for k in v:  # contexts are case-insensitive
        if isinstance(k, str) and k.lower() == name.lower():
            return v[k]
    return None


def _format(fmt, *args):
    out = re.sub(r"\{(\d+)\}", lambda m: to_string(args[int(m.group(1))]), to_string(fmt).replace("{{", "\0").replace("}}", "\1"))
    return out.replace("\0", "{").replace("\1", "}")


def _contains(hay, needle):
    if isinstance(hay, list):
        return any(_equal(x, needle) for x in hay)
    return to_string(needle).lower() in to_string(hay).lower()


BASE_FUNCTIONS = {
    "contains": _contains,
    "startswith": lambda a, b: to_string(a).lower().startswith(to_string(b).lower()),
    "endswith": lambda a, b: to_string(a).lower().endswith(to_string(b).lower()),
    "format": _format,
    "join": lambda a, sep=",": to_string(sep).join(to_string(x) for x in a) if isinstance(a, list) else to_string(a),
    "tojson": lambda v: json.dumps(v, indent=2),
    "fromjson": lambda s: json.loads(to_string(s)),
    "hashfiles": lambda *a: "",
}


def evaluate(expr, context, status=None):
    """Evaluates one expression (without ${{ }}); status: dict of the status functions' results."""
    fns = dict(BASE_FUNCTIONS)
    status = status or {}
    for name in _STATUS_FUNCTIONS:
        fns[name] = (lambda n: lambda: status.get(n, False))(name)
    return _Parser(tokenize(expr), context, fns).parse()


def uses_status_function(expr):
    return any(kind == "id" and value.lower() in _STATUS_FUNCTIONS for kind, value in tokenize(expr))


def interpolate(text, context):
    """Substitutes every ${{ expr }} in a string (values of other types are returned as they are)."""
    if not isinstance(text, str):
        return text
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: to_string(evaluate(m.group(1), context)), text, flags=re.S)


def condition(expr, context, status):
    """A job's or step's `if:` (with or without ${{ }}); a missing one is `success()`."""
    if expr is None:
        expr = "success()"
    if isinstance(expr, bool):
        return expr
    expr = str(expr).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", expr, flags=re.S)
    if m:
        expr = m.group(1)
    if not uses_status_function(expr):
        expr = "success() && (%s)" % expr
    return truthy(evaluate(expr, context, status))


# --- files the runner hands a step ----------------------------------------------------------

# $GITHUB_OUTPUT and $GITHUB_ENV share one format (name=value, name<<DELIM ... DELIM): the
# parser the integration tests already use reads both.
parse_file_command = parse_github_output


def indent(text):
    return "\n".join("    " + line for line in text.splitlines())


def output_tail(log, secrets=(), limit=2000):
    """The last `limit` characters of a step's output, secret values masked as the runner would."""
    for v in secrets:
        if v and len(v) > 3:
            log = log.replace(v, "***")
    return log[-limit:].strip()


class StepResult:
    def __init__(self, name, outcome, conclusion, outputs, log=""):
        self.name, self.outcome, self.conclusion, self.outputs, self.log = name, outcome, conclusion, outputs, log

    def __repr__(self):
        return "<step %s: %s>" % (self.name, self.outcome)


class JobResult:
    def __init__(self, name):
        self.name, self.result, self.outputs, self.steps, self.summary = name, "skipped", {}, [], ""

    def step(self, name_or_id):
        for s in self.steps:
            if s.name == name_or_id:
                return s
        return None

    def ran(self, name_or_id):
        s = self.step(name_or_id)
        return s is not None and s.outcome != "skipped"

    def __repr__(self):
        return "<job %s: %s %s>" % (self.name, self.result, self.steps)


class RunResult:
    def __init__(self):
        self.jobs = {}
        self.order = []
        self.timeline = []   # (job, step, outcome, seconds)

    def __getitem__(self, job):
        return self.jobs[job]

    def log(self):
        return "\n".join("%s / %s: %s\n%s" % (j, s.name, s.outcome, s.log[-4000:])
                         for j in self.order for s in self.jobs[j].steps)


class StubContext:
    """What a stub for a third-party step sees: its evaluated `with:` and `env:`, the workspace,
    and where to put outputs."""

    def __init__(self, job, step, with_, env, workspace, run):
        self.job, self.step, self.with_, self.env, self.workspace, self.run = job, step, with_, env, workspace, run


class WorkflowRunner:
    def __init__(self, workflow, workspace, inputs=None, secrets=None, vars=None, github=None, stubs=None,
                 jobs_stubbed=None, with_overrides=None, machine_env=None, bin_dir=None, repo_root=ROOT, event="workflow_call",
                 step_timeout=600, echo=False):
        with open(workflow) as f:
            self.wf = yaml.safe_load(f)
        self.path = workflow
        self.workspace = os.path.abspath(workspace)
        self.secrets = dict(secrets or {})
        self.vars = dict(vars or {})
        self.stubs = dict(stubs or {})
        self.jobs_stubbed = dict(jobs_stubbed or {})
        self.with_overrides = dict(with_overrides or {})
        self.bin = bin_dir or BIN
        self.repo_root = repo_root
        self.step_timeout = step_timeout
        self.echo = echo
        self.machine_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
                            "LANG": "C.UTF-8"}
        self.machine_env.update(machine_env or {})
        on = self.wf.get(True, self.wf.get("on")) or {}
        trigger = on.get(event) if isinstance(on, dict) else None
        declared = (trigger or {}).get("inputs") or {}
        self.inputs = {}
        for name, spec in declared.items():
            spec = spec or {}
            value = (inputs or {}).get(name, spec.get("default"))
            if value is None:
                if spec.get("required"):
                    raise WorkflowError("input %s is required" % name)
                value = False if spec.get("type") == "boolean" else ("" if spec.get("type") != "number" else 0)
            if spec.get("type") == "boolean" and isinstance(value, str):
                value = value.lower() == "true"
            self.inputs[name] = value
        unknown = set(inputs or {}) - set(declared)
        if unknown:
            raise WorkflowError("%s declares no input %s" % (os.path.basename(workflow), sorted(unknown)))
        self.github = {"sha": "0" * 40, "ref": "refs/heads/main", "ref_name": "main", "repository": "yonima/app",
                       "repository_owner": "yonima", "actor": "yonima-bot", "event_name": event, "run_id": "1",
                       "run_number": "1", "run_attempt": "1", "server_url": "https://github.com", "workspace": self.workspace,
                       "event": {}, "token": self.secrets.get("GITHUB_TOKEN", "")}
        self.github.update(github or {})
        self.tmp = tempfile.mkdtemp(prefix="yonima-wf-")

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- jobs -----------------------------------------------------------------------------
    def run(self):
        jobs = self.wf.get("jobs") or {}
        result = RunResult()
        pending = list(jobs)
        while pending:
            ready = [j for j in pending if all(n in result.jobs for n in _as_list(jobs[j].get("needs")))]
            if not ready:
                raise WorkflowError("jobs with unmet or circular needs: %s" % pending)
            name = ready[0]
            pending.remove(name)
            result.jobs[name] = self._run_job(name, jobs[name], result)
            result.order.append(name)
        return result

    def _context(self, needs_results, job_env, steps, job_status="success"):
        return {"inputs": self.inputs, "secrets": self.secrets, "vars": self.vars, "github": self.github,
                "env": job_env, "steps": steps, "needs": needs_results, "job": {"status": job_status},
                "runner": {"os": "Linux", "arch": "X64", "temp": self.tmp}, "matrix": {}, "strategy": {}}

    def _run_job(self, name, job, result):
        jr = JobResult(name)
        needs = _as_list(job.get("needs"))
        needs_ctx = {n: {"result": result.jobs[n].result, "outputs": result.jobs[n].outputs} for n in needs}
        # A job's status functions look at the whole chain of jobs it needs.
        chain = self._ancestors(name)
        chain_results = [result.jobs[n].result for n in chain if n in result.jobs]
        status = {"success": all(r == "success" for r in chain_results), "failure": any(r == "failure" for r in chain_results),
                  "always": True, "cancelled": False}
        env = self._evaluated_env(self.wf.get("env"), self._context(needs_ctx, {}, {}))
        if not condition(job.get("if"), self._context(needs_ctx, env, {}), status):
            jr.result = "skipped"
            return jr
        if name in self.jobs_stubbed:
            jr.result = self.jobs_stubbed[name]
            jr.steps.append(StepResult("(job stubbed by the test)", jr.result, jr.result, {}))
            return jr
        if "uses" in job:
            raise WorkflowError("job %s calls a reusable workflow: not modelled" % name)
        env.update(self._evaluated_env(job.get("env"), self._context(needs_ctx, env, {})))
        steps_ctx = {}
        failed = False
        defaults = ((job.get("defaults") or {}).get("run") or {})
        for index, step in enumerate(job.get("steps") or []):
            sid = step.get("id") or "__step%d" % index
            label = step.get("name") or step.get("id") or step.get("uses") or (step.get("run") or "").split("\n")[0]
            ctx = self._context(needs_ctx, dict(env), steps_ctx, "failure" if failed else "success")
            st = {"success": not failed, "failure": failed, "always": True, "cancelled": False}
            if not condition(step.get("if"), ctx, st):
                sr = StepResult(sid if step.get("id") else label, "skipped", "skipped", {})
                steps_ctx[sid] = {"outcome": "skipped", "conclusion": "skipped", "outputs": {}}
                jr.steps.append(sr)
                result.timeline.append((name, label, "skipped", 0.0))
                continue
            start = time.monotonic()
            outcome, outputs, log, env_add, summary = self._run_step(name, step, ctx, env, defaults)
            seconds = time.monotonic() - start
            conclusion = "success" if outcome == "failure" and truthy(interpolate(step.get("continue-on-error", False), ctx)) else outcome
            if conclusion == "failure":
                failed = True
            env.update(env_add)
            steps_ctx[sid] = {"outcome": outcome, "conclusion": conclusion, "outputs": outputs}
            jr.steps.append(StepResult(sid if step.get("id") else label, outcome, conclusion, outputs, log))
            if outcome == "failure":
                # Always on stderr, not only with echo: a test that fails on a loaded CI machine
                # then shows why the step failed (unittest's assertEqual shortens long reprs).
                print("workflow-runner: [%s] %s: failure; the tail of its stdout/stderr:\n%s"
                      % (name, label, indent(output_tail(log, self._secret_values()))), file=sys.stderr, flush=True)
            jr.summary += summary
            result.timeline.append((name, label, outcome, seconds))
            if self.echo:
                print("  [%s] %s: %s (%.1fs)" % (name, label, outcome, seconds), flush=True)
        jr.result = "failure" if failed else "success"
        ctx = self._context(needs_ctx, env, steps_ctx, jr.result)
        jr.outputs = {k: interpolate(v, ctx) for k, v in (job.get("outputs") or {}).items()}
        return jr

    def _ancestors(self, name):
        jobs = self.wf.get("jobs") or {}
        seen, todo = [], list(_as_list(jobs[name].get("needs")))
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.append(n)
                todo += _as_list(jobs[n].get("needs"))
        return seen

    @staticmethod
    def _evaluated_env(env, ctx):
        return {k: to_string(interpolate(v, ctx)) if not isinstance(v, str) else interpolate(v, ctx)
                for k, v in (env or {}).items()}

    # --- steps ----------------------------------------------------------------------------
    def _files(self):
        d = os.path.join(self.tmp, uuid.uuid4().hex)
        os.mkdir(d)
        files = {k: os.path.join(d, k.lower()) for k in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY", "GITHUB_PATH")}
        for p in files.values():
            open(p, "w").close()
        return files

    def _base_env(self, files):
        env = dict(self.machine_env)
        env.update(files)
        env.update({"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": self.workspace, "RUNNER_TEMP": self.tmp,
                    "GITHUB_SHA": self.github["sha"], "GITHUB_REF": self.github["ref"],
                    "GITHUB_REF_NAME": self.github["ref_name"], "GITHUB_REPOSITORY": self.github["repository"],
                    "GITHUB_ACTOR": self.github["actor"], "GITHUB_RUN_ID": str(self.github["run_id"]),
                    "GITHUB_SERVER_URL": self.github["server_url"], "GITHUB_EVENT_NAME": self.github["event_name"]})
        return env

    def _run_step(self, job, step, ctx, job_env, defaults):
        files = self._files()
        env = self._base_env(files)
        env.update(job_env)
        step_env = self._evaluated_env(step.get("env"), ctx)
        env.update(step_env)
        ctx = dict(ctx, env=dict(job_env, **step_env))
        if "run" in step:
            script = interpolate(step["run"], ctx)
            wd = interpolate(step.get("working-directory") or defaults.get("working-directory") or ".", ctx)
            cwd = os.path.join(self.workspace, wd)
            code, log = self._exec(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], env, cwd)
        elif "uses" in step:
            uses = step["uses"]
            with_ = {k: to_string(interpolate(v, ctx)) if not isinstance(v, str) else interpolate(v, ctx)
                     for k, v in (step.get("with") or {}).items()}
            for key in (step.get("id"), step.get("name")):
                if key in self.with_overrides:
                    with_.update(self.with_overrides[key])
            tool_action = self._our_action(uses)
            if tool_action:
                code, log = self._run_our_action(tool_action, with_, env)
            else:
                name = uses.split("@")[0]
                stub = self.stubs.get(name)
                if stub is None:
                    raise WorkflowError("no stub for third-party step %r in job %s (give one in stubs=)" % (uses, job))
                sc = StubContext(job, step, with_, env, self.workspace, self)
                try:
                    ret = stub(sc)
                except Exception as e:  # a stub that raises is a failed step, as a crashing action is
                    ret = (1, "stub raised: %r" % e)
                code, outputs_or_log = (ret if isinstance(ret, tuple) else (0 if ret is None else ret, ""))
                log = outputs_or_log if isinstance(outputs_or_log, str) else ""
                if isinstance(outputs_or_log, dict):
                    with open(files["GITHUB_OUTPUT"], "a") as f:
                        for k, v in outputs_or_log.items():
                            f.write("%s=%s\n" % (k, v))
        else:
            raise WorkflowError("step without run or uses in job %s" % job)
        with open(files["GITHUB_OUTPUT"]) as f:
            outputs = parse_file_command(f.read())
        with open(files["GITHUB_ENV"]) as f:
            env_add = parse_file_command(f.read())
        with open(files["GITHUB_STEP_SUMMARY"]) as f:
            summary = f.read()
        return ("success" if code == 0 else "failure"), outputs, log, env_add, summary

    def _secret_values(self):
        return [v for v in self.secrets.values() if isinstance(v, str)]

    def _exec(self, argv, env, cwd):
        os.makedirs(cwd, exist_ok=True)
        try:
            p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, errors="replace",
                               timeout=self.step_timeout)
        except subprocess.TimeoutExpired as e:
            return 124, "step timed out after %ss: %s" % (self.step_timeout, e)
        if self.echo and (p.stdout or p.stderr):
            print((p.stdout + p.stderr).rstrip()[-3000:], flush=True)
        return p.returncode, p.stdout + p.stderr

    def _our_action(self, uses):
        """The action.yml of one of our actions, or None for a third-party action."""
        if uses.startswith("./"):
            path = os.path.join(self.repo_root, uses[2:], "action.yml")
        elif uses.split("@")[0] == OURS or uses.startswith(OURS + "/"):
            sub = uses.split("@")[0][len(OURS):].lstrip("/")
            path = os.path.join(self.repo_root, sub, "action.yml")
        else:
            return None
        if not os.path.exists(path):
            raise WorkflowError("%s: no action at %s" % (uses, path))
        return path

    def _run_our_action(self, action_yml, with_, env):
        with open(action_yml) as f:
            action = yaml.safe_load(f)
        declared = action.get("inputs") or {}
        unknown = set(with_) - set(declared)
        if unknown:
            return 1, "the action declares no input(s) %s (GitHub warns and the tool never sees them)" % sorted(unknown)
        env = {k: v for k, v in env.items() if not k.startswith("INPUT_")}
        for name, spec in declared.items():
            value = with_.get(name, to_string((spec or {}).get("default", "")))
            if (spec or {}).get("required") and value == "":
                return 1, "input required and not supplied: %s" % name
            env["INPUT_" + name.replace(" ", "_").upper()] = value
        image = ((action.get("runs") or {}).get("image") or "")
        tool = os.path.basename(os.path.dirname(action_yml))
        if "tool" in declared:  # the umbrella action: its image runs yonima-deploy, which reads INPUT_TOOL
            umbrella = os.path.join(self.bin, "yonima-deploy")
            if not os.path.exists(umbrella):
                return 1, "no umbrella binary %s for action %s (image %s)" % (umbrella, action_yml, image)
            return self._exec([umbrella], env, self.workspace)
        if not re.fullmatch(r"[a-z][a-z-]*", tool or "") or not os.path.exists(os.path.join(self.bin, tool)):
            return 1, "no binary for action %s (image %s, tool %r)" % (action_yml, image, tool)
        return self._exec([os.path.join(self.bin, tool)], env, self.workspace)


def _as_list(v):
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)
