// Reads eas.json files with the pinned eas-cli's own reader (@expo/eas-json: JSON, then JSON5) and
// prints, per file, whether eas accepts it and the channel each build profile resolves to.
// Usage: node tests/tools/eas-json-check.cjs FILE...   (offline; EAS_CLI_ROOT as in eas-parse.cjs)
const fs = require("fs");
const path = require("path");

const root = process.env.EAS_CLI_ROOT || path.join(__dirname, "eas-cli", "node_modules", "eas-cli");
const { EasJsonAccessor, EasJsonUtils } = require(require.resolve("@expo/eas-json", { paths: [root] }));

(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    const accessor = EasJsonAccessor.fromRawString(fs.readFileSync(file, "utf8"));
    try {
      await accessor.readAsync();
      const channels = {};
      for (const name of await EasJsonUtils.getBuildProfileNamesAsync(accessor)) {
        const profile = await EasJsonUtils.getBuildProfileAsync(accessor, "android", name);
        channels[name] = profile.channel ?? null;
      }
      out[file] = { accepted: true, channels };
    } catch (e) {
      out[file] = { accepted: false, error: String(e.message).split("\n")[0] };
    }
  }
  process.stdout.write(JSON.stringify(out) + "\n");
})().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(2);
});
