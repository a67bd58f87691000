#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine and runs every suite:
#   system packages (ngspice, PostgreSQL, Redis, Chromium), npm packages, the build, the Python venv,
#   the real servers, then jest (solver, kernel, server) and the browser/notebook suites.
# Ends with one line "N passed, N failed" summing all suites; exits non-zero if anything failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/.test-results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

step() { printf '\n== %s (at %ds)\n' "$*" "$SECONDS"; }
die() { echo "test.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

step "system packages"
bash scripts/system-packages.sh || die "could not install system packages"

step "npm packages"
if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund; fi ||
  die "npm install failed"

step "Python environment (JupyterLab)"
bash scripts/setup-python.sh || die "Python environment setup failed"

step "build"
npm run build || die "build failed"

step "permissions"
bash scripts/traversable.sh

step "servers"
eval "$(bash scripts/services.sh)"
export SPICESIM_REPO_ROOT="$ROOT"

step "type check"
typecheck_failed=0
npm run typecheck || typecheck_failed=1

step "lint"
lint_failed=0
npx eslint . || lint_failed=1
npx prettier --check . || lint_failed=1

step "jest: solver, kernel, server"
npx jest --ci --json --outputFile="$RESULTS/jest.json" 2>&1 | tail -n 400
node -e '
  const r = require(process.argv[1]);
  const failedSuites = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
  const out = { passed: r.numPassedTests, failed: r.numFailedTests + failedSuites };
  require("fs").writeFileSync(process.argv[2], JSON.stringify(out));
' "$RESULTS/jest.json" "$RESULTS/jest.summary.json" || echo '{"passed":0,"failed":1}' > "$RESULTS/jest.summary.json"

# Further suites (browser tests, notebooks) each write .test-results/<name>.summary.json {passed, failed}.
for suite in scripts/test-suites/*.sh; do
  [[ -e "$suite" ]] || continue
  name="$(basename "$suite" .sh)"
  step "suite: $name"
  if ! bash "$suite" "$RESULTS/$name.summary.json"; then
    [[ -f "$RESULTS/$name.summary.json" ]] || echo '{"passed":0,"failed":1}' > "$RESULTS/$name.summary.json"
  fi
  [[ -f "$RESULTS/$name.summary.json" ]] || echo '{"passed":0,"failed":1}' > "$RESULTS/$name.summary.json"
done

step "summary"
node -e '
  const fs = require("fs");
  const dir = process.argv[1];
  const typecheckFailed = Number(process.argv[2]), lintFailed = Number(process.argv[3]);
  let passed = 0, failed = typecheckFailed + lintFailed;
  console.log(`type check: ${typecheckFailed ? "FAILED (counted as 1 failure)" : "clean"}`);
  console.log(`lint: ${lintFailed ? "FAILED (counted as 1 failure)" : "clean"}`);
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".summary.json")).sort()) {
    const s = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8"));
    console.log(`${f.replace(".summary.json", "")}: ${s.passed} passed, ${s.failed} failed`);
    passed += s.passed; failed += s.failed;
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
' "$RESULTS" "$typecheck_failed" "$lint_failed"
