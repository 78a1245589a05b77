#!/usr/bin/env node
// Validate AsyncAPI documents with the official parser (@asyncapi/parser, with the Avro schema parser
// registered so Avro payloads are checked too). Usage: node scripts/validate-asyncapi.mjs FILE [FILE...]
// Prints {"FILE": [{severity, code, message, path}, ...], ...} as JSON on stdout; exits 1 when any
// document has an error-severity diagnostic (or cannot be read), 2 on bad usage.
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";
import { AvroSchemaParser } from "@asyncapi/avro-schema-parser";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: validate-asyncapi.mjs FILE [FILE...]");
  process.exit(2);
}
const parser = new Parser();
parser.registerSchemaParser(AvroSchemaParser());
const names = { [DiagnosticSeverity.Error]: "error", [DiagnosticSeverity.Warning]: "warning",
  [DiagnosticSeverity.Information]: "information", [DiagnosticSeverity.Hint]: "hint" };
const out = {};
let failed = false;
for (const file of files) {
  try {
    const text = await readFile(file, "utf8");
    const { diagnostics } = await parser.parse(text, { source: file });
    out[file] = diagnostics.map((d) => ({ severity: names[d.severity] ?? String(d.severity), code: String(d.code ?? ""),
      message: d.message, path: d.path ?? [] }));
    if (diagnostics.some((d) => d.severity === DiagnosticSeverity.Error)) failed = true;
  } catch (err) {
    out[file] = [{ severity: "error", code: "exception", message: String(err?.message ?? err), path: [] }];
    failed = true;
  }
}
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
process.exit(failed ? 1 : 0);
