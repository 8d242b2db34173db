#!/usr/bin/env python3
"""A STAND-IN for the EAS GraphQL API (api.expo.dev is not reachable from here), for running the
real eas-cli 24.8.0 end to end: eas-cli with EXPO_LOCAL=1 talks to http://127.0.0.1:3000/graphql.
It answers the operations eas-cli's channel:view, update:list, update:republish and update
(with --environment: the environment's variables; with --skip-bundler: asset metadata, signed upload specifications whose presigned POSTs come back
to this server at /upload, publish) send, by operationName, from the same state file
as eas_standin.py (channels, branches, update groups), so a test can drive ota-publish with either
and compare. Every request is appended to OTA_GRAPHQL_LOG (operationName, variables, whether an
Authorization: Bearer header came with it and, when OTA_GRAPHQL_EXPECT_TOKEN is set, whether it
carried that token -- never its value). Unknown operations get a GraphQL
error naming them. Usage: graphql_standin.py STATE LOG [PORT]; prints "PORT n" when listening."""
import datetime
import json
import os
import sys
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

STATE, LOG = sys.argv[1], sys.argv[2]
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
APP_ID = "3f1b8c2e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
ACCOUNT = {"__typename": "Account", "id": "acc-1", "name": "yonima",
           "ownerUserActor": None, "viewerUserPermission": {"__typename": "UserPermission", "role": "ADMIN"}}


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def load():
    with open(STATE) as f:
        return json.load(f)


def save(state):
    with open(STATE + ".tmp", "w") as f:
        json.dump(state, f, indent=1)
    os.replace(STATE + ".tmp", STATE)


def branch_by_id(state, bid):
    for name, b in state["branches"].items():
        if b["id"] == bid:
            return name, b
    raise KeyError(bid)


def update(state, bname, g, platform):
    b = state["branches"][bname]
    return {"__typename": "Update", "id": g["ids"][platform], "group": g["group"], "message": g["message"],
            "createdAt": g["createdAt"], "runtime": {"__typename": "Runtime", "id": "rt-" + g["runtimeVersion"],
                                                    "version": g["runtimeVersion"]},
            "platform": platform, "manifestFragment": json.dumps({"launchAsset": {"key": "bundle"}, "assets": []}),
            "isRollBackToEmbedded": g["isRollBackToEmbedded"], "manifestPermalink": "https://u.expo.dev/update/" + g["ids"][platform],
            "gitCommitHash": g.get("gitCommitHash"), "isGitWorkingTreeDirty": False, "environment": None,
            "actor": {"__typename": "Robot", "id": "robot-1", "firstName": "ci"},
            "branch": {"__typename": "UpdateBranch", "id": b["id"], "name": bname},
            "codeSigningInfo": None, "rolloutPercentage": g.get("rolloutPercentage"), "rolloutControlUpdate": None,
            "fingerprint": None, "manifestHostOverride": None, "assetHostOverride": None}


def group_updates(state, bname, g):
    return [update(state, bname, g, p) for p in g["platforms"]]


def channel_obj(state, name, with_groups=True):
    c = state["channels"][name]
    data = [{"branchId": state["branches"][b]["id"], "branchMappingLogic": "true"} for b in c["branches"]]
    branches = []
    for b in c["branches"]:
        groups = state["branches"][b]["groups"]
        branches.append({"__typename": "UpdateBranch", "id": state["branches"][b]["id"], "name": b,
                         "updateGroups": [group_updates(state, b, groups[0])] if groups and with_groups else []})
    return {"__typename": "UpdateChannel", "id": c["id"], "name": name, "updatedAt": now(), "createdAt": now(),
            "branchMapping": json.dumps({"version": 0, "data": data}), "isPaused": False, "isProtected": False,
            "updateBranches": branches}


def app(extra):
    return {"data": {"app": {"__typename": "AppQuery", "byId": dict({"__typename": "App", "id": APP_ID}, **extra)}}}


def answer(op, v, state):
    if op == "CurrentUser":
        return {"data": {"meActor": {"__typename": "Robot", "id": "robot-1", "firstName": "ci", "accounts": [ACCOUNT],
                                     "featureGates": {}, "isExpoAdmin": False}}}
    if op == "AppByIdQuery" or op == "AppByIdAsync":
        return app({"fullName": "@yonima/yonima", "slug": "yonima", "name": "yonima", "ownerAccount": ACCOUNT,
                    "githubRepository": None, "githubUrl": None, "icon": None, "iconUrl": None, "privacy": "UNLISTED",
                    "scopeKey": "@yonima/yonima"})
    if op in ("ViewUpdateChannelOnApp", "ViewUpdateChannelBasicInfoOnApp", "GetChannelByNameForApp"):
        name = v.get("channelName")
        if name not in state["channels"]:
            return app({"updateChannelByName": None})
        return app({"updateChannelByName": channel_obj(state, name)})
    if op == "ViewBranchesOnUpdateChannel":
        return app({"updateChannelByName": channel_obj(state, v["channelName"])})
    if op in ("ViewUpdateGroupsOnBranch",):
        bname = v["branchName"]
        b = state["branches"].get(bname)
        if not b:
            return app({"updateBranchByName": None})
        rt = (v.get("filter") or {}).get("runtimeVersions")
        groups = [g for g in b["groups"] if not rt or g["runtimeVersion"] in rt]
        off, lim = v.get("offset", 0), v.get("limit", 25)
        return app({"updateBranchByName": {"__typename": "UpdateBranch", "id": b["id"],
                                           "updateGroups": [group_updates(state, bname, g) for g in groups[off:off + lim]]}})
    if op in ("ViewUpdatesByGroup", "ViewUpdateGroup", "UpdatesByGroup"):
        for bname, b in state["branches"].items():
            for g in b["groups"]:
                if g["group"] == v["groupId"]:
                    return {"data": {"updatesByGroup": group_updates(state, bname, g)}}
        return {"data": {"updatesByGroup": []}}
    if op == "StatuspageServiceByServiceNamesQuery":  # eas asks whether EAS has an incident
        return {"data": {"statuspageService": {"__typename": "StatuspageServiceQuery", "byServiceNames": []}}}
    if op == "ViewBranch":
        b = state["branches"].get(v["name"])
        return app({"updateBranchByName": {"__typename": "UpdateBranch", "id": b["id"], "name": v["name"]} if b else None})
    if op == "EnvironmentVariablesIncludingSensitiveByAppId":
        # eas update --environment E loads E's server-side variables before bundling (state "env":
        # {environment: {name: value}}); EXPO_PUBLIC_* among them reach the bundle.
        env = (state.get("env") or {}).get(str(v.get("environment", "")).lower(), {})
        return app({"environmentVariablesIncludingSensitive": [
            {"__typename": "EnvironmentVariableWithSecret", "id": "var-%s" % name, "name": name, "value": value,
             "environments": [v.get("environment")], "visibility": "PUBLIC", "scope": "PROJECT", "type": "STRING",
             "isGlobal": False, "fileName": None, "createdAt": now(), "updatedAt": now()} for name, value in sorted(env.items())]})
    if op == "GetAssetLimitPerUpdateGroupForApp":
        return app({"assetLimitPerUpdateGroup": 1400})
    if op == "GetAssetMetadataQuery":
        # An asset exists once an upload arrived after eas first asked about it (the stand-in's
        # "storage" cannot recompute eas's storage keys, so uploads finalize what is pending).
        assets = state.setdefault("assets", {})
        for key in v["storageKeys"]:
            assets.setdefault(key, "pending")
        if state.get("uploads", 0) > 0:
            for key in v["storageKeys"]:
                assets[key] = "EXISTS"
        save(state)
        return {"data": {"asset": {"__typename": "AssetQuery", "metadata": [
            {"__typename": "AssetMetadataResult", "storageKey": k, "status": "EXISTS" if assets[k] == "EXISTS" else "DOES_NOT_EXIST"}
            for k in v["storageKeys"]]}}}
    if op == "GetSignedUploadMutation":
        specs = [json.dumps({"url": "http://127.0.0.1:%d/upload" % PORT, "fields": {"key": str(uuid.uuid4()), "Content-Type": t}})
                 for t in v["contentTypes"]]
        return {"data": {"asset": {"__typename": "AssetMutation", "getSignedAssetUploadSpecifications": {
            "__typename": "GetSignedAssetUploadSpecificationsResult", "specifications": specs}}}}
    if op == "UpdatePublishMutation":
        out = []
        for info in v["publishUpdateGroupsInput"]:
            bname, b = branch_by_id(state, info["branchId"])
            platforms = sorted((info.get("updateInfoGroup") or {}).keys()) or sorted(
                (info.get("rollBackToEmbeddedInfoGroup") or {}).keys())
            g = {"group": str(uuid.uuid4()), "runtimeVersion": info["runtimeVersion"], "message": info.get("message", ""),
                 "platforms": platforms, "isRollBackToEmbedded": bool(info.get("rollBackToEmbeddedInfoGroup")),
                 "createdAt": now(), "copy_of": None, "ids": {p: str(uuid.uuid4()) for p in platforms},
                 "gitCommitHash": info.get("gitCommitHash")}
            b["groups"].insert(0, g)
            out += group_updates(state, bname, g)
        save(state)
        return {"data": {"updateBranch": {"__typename": "UpdateBranchMutation", "publishUpdateGroups": out}}}
    return None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, obj, status=200):
        out = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/upload":  # the presigned POST of an asset (S3's part)
            state = load()
            state["uploads"] = state.get("uploads", 0) + 1
            save(state)
            with open(LOG, "a") as f:
                f.write(json.dumps({"path": self.path, "operation": None, "bytes": len(body)}) + "\n")
            self.send_response(204)
            self.end_headers()
            return
        try:
            req = json.loads(body)
        except ValueError:
            return self.reply({"errors": [{"message": "not JSON"}]}, 400)
        op, v = req.get("operationName"), req.get("variables") or {}
        auth = self.headers.get("authorization", "")
        with open(LOG, "a") as f:
            expected = os.environ.get("OTA_GRAPHQL_EXPECT_TOKEN")
            f.write(json.dumps({"path": self.path, "operation": op, "variables": v, "bearer": auth.startswith("Bearer "),
                                "token_ok": bool(expected) and auth == "Bearer " + expected}) + "\n")
        state = load()
        out = answer(op, v, state)
        if out is None:
            out = {"errors": [{"message": "stand-in: unknown operation %s" % op}], "data": None}
            sys.stderr.write("unknown operation %s\n%s\n" % (op, req.get("query", "")[:4000]))
        self.reply(out)

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": self.path, "operation": None, "method": "GET"}) + "\n")
        self.reply({"errors": [{"message": "stand-in: GET %s" % self.path}]}, 404)


if __name__ == "__main__":
    HTTPServer.allow_reuse_address = True
    server = HTTPServer(("127.0.0.1", PORT), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()
