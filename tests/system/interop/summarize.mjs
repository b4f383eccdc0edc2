#!/usr/bin/env node
// Independent interop client for Précis: built only from protos/precis/v1/precis.proto (loaded at
// run time, no generated code, nothing from the Python package), using @grpc/grpc-js. protos/ is
// the only include folder: the googleapis files the proto imports (google/api/annotations.proto,
// its HTTP routes) ship in protos/google/api/, and proto-loader has protobuf's well-known types.
//
// Usage: node summarize.mjs <host:port>
//
// Calls precis.v1.Summarizer/Summarize with the English corpus article (models/precis_models/corpus)
// and target_languages [en, fr, uk, ru], prints the response as JSON on stdout and exits 0; on any
// error it prints the gRPC status to stderr and exits 1 (2 for bad usage).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PROTO_DIR = `${ROOT}protos`;
const PROTO_FILE = "precis/v1/precis.proto";
const ARTICLE = `${ROOT}models/precis_models/corpus/en.txt`;
const TARGETS = ["en", "fr", "uk", "ru"];
const DEADLINE_MS = 120_000;

function fail(message, code = 1) {
  process.stderr.write(`summarize.mjs: ${message}\n`);
  process.exit(code);
}

const address = process.argv[2];
if (!address || process.argv.length > 3) {
  fail("usage: node summarize.mjs <host:port>", 2);
}

const definition = protoLoader.loadSync(PROTO_FILE, {
  includeDirs: [PROTO_DIR],
  keepCase: true, // proto field names, as in the .proto file
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const precis = grpc.loadPackageDefinition(definition).precis.v1;
const client = new precis.Summarizer(address, grpc.credentials.createInsecure());

const request = {
  text: readFileSync(ARTICLE, "utf8"),
  target_languages: TARGETS,
};
const deadline = new Date(Date.now() + DEADLINE_MS);

client.Summarize(request, { deadline }, (error, response) => {
  client.close();
  if (error) {
    const code = grpc.status[error.code] ?? error.code;
    fail(`Summarize failed: ${code}: ${error.details || error.message}`);
  }
  process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
});
