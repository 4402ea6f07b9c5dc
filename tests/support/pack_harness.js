// Runs every sync table and formula of a built pack bundle through the Coda Packs SDK's
// development harness, against the live service, with parameter and result checking on.
// Usage: node pack_harness.js <bundle.js> <pack.ts> <plan.json>   -> JSON on stdout
"use strict";
const path = require("path");
const fs = require("fs");

async function main() {
  const [bundlePath, manifestPath, planPath] = process.argv.slice(2);
  const sdkRoot = path.dirname(require.resolve("@codahq/packs-sdk/package.json", { paths: [path.dirname(manifestPath)] }));
  const dev = require(path.join(sdkRoot, "dist", "development.js"));
  const { pack } = require(path.resolve(bundlePath));
  const plan = JSON.parse(fs.readFileSync(planPath, "utf8"));
  const context = { useRealFetcher: true, manifestPath: path.resolve(manifestPath) };
  const options = { validateParams: true, validateResult: true };
  const out = { tables: {}, formulas: [] };
  for (const table of plan.tables) {
    try {
      out.tables[table] = { ok: true, rows: await dev.executeSyncFormulaFromPackDef(pack, table, [], undefined, options, context) };
    } catch (error) {
      out.tables[table] = { ok: false, error: String(error && error.message) };
    }
  }
  for (const call of plan.formulas) {
    try {
      const result = await dev.executeFormulaFromPackDef(pack, call.name, call.params, undefined, options, context);
      out.formulas.push({ ...call, ok: true, result: result === undefined ? null : result });
    } catch (error) {
      out.formulas.push({ ...call, ok: false, error: String(error && error.message), type: error && error.name });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String((error && error.stack) || error) + "\n");
  process.exit(1);
});
