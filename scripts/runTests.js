#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner. Suites that need an optional
// capability (the Pulumi engine, network namespaces) decide for themselves whether to skip.
"use strict";
const { spawnSync } = require("node:child_process");
const { globSync } = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const filter = process.argv.slice(2);
let files = globSync("dist/tests/**/*.test.js", { cwd: root }).sort();
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error("no test files found under dist/tests (did the build run?)");
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ["--test", "--test-reporter=spec", "--test-concurrency=2", ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(r.status ?? 1);
