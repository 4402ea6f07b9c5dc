// Drives a built pack bundle through the Coda Packs SDK's development harness, step by step,
// against the live service (or a stub fetcher that records what the pack sends).
// Usage: node pack_harness.js <bundle.js> <pack.ts> <plan.json>   -> JSON on stdout
//
// plan.json: {"steps": [step, ...]}; the answer: {"results": [result, ...]}, one per step, in order.
// Steps (each may carry "timezone" for the doc's timezone and "stub" for a stub fetcher, below):
//   {"op": "sync", "table": T, "raw": false}   every page of a sync table, the SDK's schema check on;
//        "raw": true gives the rows in the pack's own keys (what Coda hands to executeUpdate)
//   {"op": "update", "table": T, "updates": [{previousValue, newValue, updatedFields}]}   executeUpdate
//   {"op": "formula", "name": F, "params": [...]}   a formula or an action, params and result checked;
//        a param {"$date": "2026-11-18T00:00:00-08:00"} is passed as a Date (what Coda passes), and
//        null as undefined (an optional parameter left out)
//   {"op": "autocomplete", "name": F, "param": P, "search": S}   a parameter's autocomplete
// "stub": [{"status": 200, "body": {...}}, ...]: answers in turn instead of the network; the
//   result then carries "requests": [{method, url, headers, body}] as the pack sent them.
"use strict";
const path = require("path");
const fs = require("fs");

function loadSdk(manifestPath) {
  const sdkRoot = path.dirname(require.resolve("@codahq/packs-sdk/package.json", { paths: [path.dirname(manifestPath)] }));
  return require(path.join(sdkRoot, "dist", "development.js"));
}

// A fetcher that answers from `answers` in turn and records each request. A 4xx/5xx is thrown
// the way the SDK's own fetcher throws it (request-promise's StatusCodeError).
function stubFetcher(answers, requests) {
  let next = 0;
  return {
    fetch: async (request) => {
      requests.push({
        method: request.method,
        url: request.url,
        headers: request.headers || {},
        body: request.body === undefined ? null : JSON.parse(request.body),
      });
      const answer = answers[Math.min(next++, answers.length - 1)];
      if (answer.status >= 400) {
        const error = new Error(`${answer.status} - ${JSON.stringify(answer.body)}`);
        error.name = "StatusCodeError";
        error.statusCode = answer.status;
        error.error = answer.body;
        throw error;
      }
      return { status: answer.status, headers: {}, body: answer.body };
    },
  };
}

// A parameter as Coda passes it: null stands for a parameter left out (undefined), and
// {"$date": iso} for a Date.
function revive(value) {
  if (value === null) return undefined;
  if (value && typeof value === "object" && !Array.isArray(value) && typeof value.$date === "string") {
    return new Date(value.$date);
  }
  return value;
}

// An error as JSON: its message, and whether it is a UserVisibleError (the harness wraps what the
// pack throws in a DeveloperError whose cause is the pack's own error).
function errorResult(error) {
  const own = error && error.cause ? error.cause : error;
  return { ok: false, error: String(own && own.message), userVisible: Boolean(own && own.isUserVisible) };
}

async function runStep(dev, pack, manifestPath, step) {
  const context = step.op === "sync" || step.op === "update"
    ? dev.newRealFetcherSyncExecutionContext(pack, manifestPath)
    : dev.newRealFetcherExecutionContext(pack, manifestPath);
  if (step.timezone) context.timezone = step.timezone;
  const requests = [];
  if (step.stub) context.fetcher = stubFetcher(step.stub, requests);
  const withRequests = (result) => (step.stub ? { ...result, requests } : result);
  const checked = { validateParams: true, validateResult: true };
  try {
    switch (step.op) {
      case "sync": {
        const options = step.raw
          ? { validateParams: true, validateResult: false, useDeprecatedResultNormalization: false }
          : checked;
        const rows = await dev.executeSyncFormulaFromPackDef(pack, step.table, [], context, options);
        return withRequests({ ok: true, rows });
      }
      case "update": {
        // 1.17.5 ignores useRealFetcher here unless a context is passed (design §7).
        const answer = await dev.executeUpdateFormulaFromPackDef(pack, step.table, [], context, step.updates, checked);
        const results = answer.result.map((one) =>
          one.outcome === "success"
            ? { ok: true, row: one.finalValue }
            : errorResult(one.error),
        );
        return withRequests({ ok: true, results });
      }
      case "formula": {
        const params = step.params.map(revive);
        const result = await dev.executeFormulaFromPackDef(pack, step.name, params, context, checked);
        return withRequests({ ok: true, result: result === undefined ? null : result });
      }
      case "autocomplete": {
        const formula = pack.formulas.find((f) => f.name === step.name);
        const param = formula && formula.parameters.find((p) => p.name === step.param);
        if (!param || !param.autocomplete) throw new Error(`${step.name}.${step.param} has no autocomplete`);
        const result = await dev.executeMetadataFormula(param.autocomplete, { search: step.search }, context);
        return withRequests({ ok: true, result });
      }
      default:
        throw new Error(`unknown step ${JSON.stringify(step.op)}`);
    }
  } catch (error) {
    return withRequests(errorResult(error));
  }
}

async function main() {
  const [bundlePath, manifestPath, planPath] = process.argv.slice(2);
  const dev = loadSdk(manifestPath);
  const { pack } = require(path.resolve(bundlePath));
  const plan = JSON.parse(fs.readFileSync(planPath, "utf8"));
  const results = [];
  for (const step of plan.steps) {
    results.push(await runStep(dev, pack, path.resolve(manifestPath), step));
  }
  process.stdout.write(JSON.stringify({ results }));
}

main().catch((error) => {
  process.stderr.write(String((error && error.stack) || error) + "\n");
  process.exit(1);
});
