// Reads one asset with the C2PA reference implementation (c2pa-rs built to
// WebAssembly, npm @contentauth/c2pa-wasm) and prints one JSON object:
//   {"found": bool, "active_label": ..., "validation_state": ...,
//    "validation_status": [...], "failures": [codes], "error": ...}
// Usage: node c2pa_validate.mjs FILE [--trust CA.pem] [--format video/mp4]
// Offline: the wasm module is read from node_modules, nothing is fetched.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, 'node_modules', '@contentauth', 'c2pa-wasm', 'pkg');
const wasm = await import(join(pkgDir, 'c2pa.js'));
wasm.initSync({ module: readFileSync(join(pkgDir, 'c2pa_bg.wasm')) });
void createRequire;

const args = process.argv.slice(2);
let file = null;
let trust = null;
let format = 'video/mp4';
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--trust') trust = args[++i];
  else if (args[i] === '--format') format = args[++i];
  else file = args[i];
}
if (!file) {
  console.error('usage: node c2pa_validate.mjs FILE [--trust CA.pem] [--format MIME]');
  process.exit(2);
}

// Settings as c2pa-rs reads them: with --trust the PEM is the only anchor
// and trust is checked; without, the certificate is checked against c2pa-rs's
// built-in (empty) list, which reports signingCredential.untrusted.
const settings = { verify: { verify_trust: true, verify_after_reading: true } };
if (trust) settings.trust = { trust_anchors: readFileSync(trust, 'utf8') };

const out = { file, trust, found: false };
try {
  const reader = await wasm.WasmReader.fromBytes(format, new Uint8Array(readFileSync(file)),
                                                  JSON.stringify(settings));
  const store = JSON.parse(reader.json());
  out.found = true;
  out.active_label = store.active_manifest ?? null;
  out.validation_state = store.validation_state ?? null;
  out.validation_status = store.validation_status ?? [];
  out.validation_results = store.validation_results ?? null;
  const failures = store.validation_results?.activeManifest?.failure ?? store.validation_status ?? [];
  out.failures = failures.map((s) => s.code);
  out.ingredient_failures = (store.validation_results?.ingredientDeltas ?? [])
    .flatMap((d) => d.validationDeltas?.failure ?? []).map((s) => s.code);
  out.manifests = Object.keys(store.manifests ?? {});
  const active = store.manifests?.[store.active_manifest];
  out.claim_version = active?.claim_version ?? null;
  out.signature_info = active?.signature_info ?? null;
  out.assertions = (active?.assertions ?? []).map((a) => a.label);
  out.ingredients = (active?.ingredients ?? []).map((g) => ({ relationship: g.relationship,
                                                              active_manifest: g.active_manifest ?? null }));
  if (process.env.C2PA_DUMP) out.store = store;
} catch (e) {
  out.error = String(e?.message ?? e);
}
console.log(JSON.stringify(out));
