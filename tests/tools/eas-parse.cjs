// Feeds command lines to the pinned eas-cli's own oclif parser, offline, without running them.
// Usage: node tests/tools/eas-parse.cjs < argvs.json   (a JSON array of argv arrays, each starting
// with the command id, e.g. ["update:republish", "--group=...", "--json"])
// Prints a JSON array: {argv, ok, error?, flags?, args?} per command line. EAS_CLI_ROOT: where
// eas-cli is installed (default: tests/tools/eas-cli/node_modules/eas-cli).
const fs = require("fs");
const path = require("path");

const root = process.env.EAS_CLI_ROOT || path.join(__dirname, "eas-cli", "node_modules", "eas-cli");
const { Config, Parser } = require(require.resolve("@oclif/core", { paths: [root] }));

(async () => {
  const config = await Config.load(root);
  const argvs = JSON.parse(fs.readFileSync(0, "utf8"));
  const results = [];
  for (const argv of argvs) {
    const found = config.findCommand(argv[0]);
    if (!found) {
      results.push({ argv, ok: false, error: `eas-cli ${config.version} has no command ${argv[0]}` });
      continue;
    }
    const command = await found.load();
    try {
      const out = await Parser.parse(argv.slice(1), {
        flags: command.flags,
        args: command.args,
        strict: command.strict !== false,
      });
      results.push({ argv, ok: true, flags: out.flags, args: out.args });
    } catch (e) {
      results.push({ argv, ok: false, error: String(e.message).replace(/\s*\n\s*/g, " ") });
    }
  }
  process.stdout.write(JSON.stringify({ version: config.version, results }) + "\n");
})().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(2);
});
