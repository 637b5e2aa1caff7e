#!/usr/bin/env bash
# Pack test: packs edgeflow as it would be published, installs the tarball into a temporary strict
# ESM TypeScript project and a CommonJS one, type-checks both against the published declarations
# (skipLibCheck off) and runs a small workflow in each. Needs dist/ (npm run build) first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tsc="$root/node_modules/typescript/bin/tsc"

[ -f "$root/dist/src/index.js" ] || { echo "pack-test: dist/ is missing, run npm run build first" >&2; exit 1; }

cd "$root"
tarball="$(npm pack --ignore-scripts --silent --pack-destination "$work")"
echo "pack-test: packed $tarball ($(du -k "$work/$tarball" | cut -f1) KiB)"
if tar -tzf "$work/$tarball" | grep -qE '^package/(src|test|bench|examples)/|\.tsbuildinfo$|dist/docs/|test-results'; then
  echo "pack-test: the tarball holds files that must not be published:" >&2
  tar -tzf "$work/$tarball" | grep -E '^package/(src|test|bench|examples)/|\.tsbuildinfo$|dist/docs/|test-results' | head >&2
  exit 1
fi

# One install shared by both projects (Node and TypeScript look for node_modules upwards).
zod_version="$(node -p 'require("./node_modules/zod/package.json").version')"
types_node_version="$(node -p 'require("./node_modules/@types/node/package.json").version')"
cd "$work"
cat > package.json <<JSON
{ "private": true, "dependencies": { "edgeflow": "file:./$tarball", "zod": "$zod_version", "@types/node": "$types_node_version" } }
JSON
npm install --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null

workflow_body='
const Greet = defineNode({
  type: "Greet",
  description: "Greets a site by name.",
  config: z.object({ greeting: z.string().default("hello") }),
  inputs: z.object({ site: z.string() }),
  outputs: z.object({ message: z.string() }),
  run: async (_ctx, config, { site }) => ({ message: `${config.greeting}, ${site}` }),
});
const registry = createNodeRegistry().register(Greet);
const workflow = new WorkflowBuilder(registry)
  .addNode("Greet", "west", { greeting: "hi" })
  .addNode("Merge", "all", { mode: "array" })
  .input("site", "west", "site")
  .connect("west", "message", "all", "a")
  .build();
const runtime = new LocalRuntime({ registry });
'

tsconfig() { # $1: verbatimModuleSyntax (ESM only), $2: skipLibCheck
  cat <<JSON
{ "compilerOptions": { "target": "ES2022", "module": "nodenext", "moduleResolution": "nodenext", "strict": true,
  "noUncheckedIndexedAccess": true, "verbatimModuleSyntax": $1,
  "skipLibCheck": $2, "types": ["node"], "outDir": "out", "rootDir": "." }, "include": ["main.ts"] }
JSON
}

# Strict ESM TypeScript, checking every published declaration file (skipLibCheck off).
mkdir esm
echo '{ "type": "module" }' > esm/package.json
tsconfig true false > esm/tsconfig.json
cat > esm/main.ts <<TS
import { z } from "zod";
import { LocalRuntime, WorkflowBuilder, createNodeRegistry, defineNode, type Logger } from "edgeflow";
import type { TcpTransport } from "edgeflow/tcp";
import type { FileStorage } from "edgeflow/file-storage";
import { checkLinearizable } from "edgeflow/testing";
$workflow_body
const logger: Logger = console;
const run = await runtime.execute(workflow, { inputs: { site: "edge-1" } });
const all = run.results.all;
const unused: [TcpTransport | undefined, FileStorage | undefined, typeof logger] = [undefined, undefined, logger];
console.log(JSON.stringify({ esm: all.status === "completed" ? all.output.value : all.status, checker: typeof checkLinearizable, unused: unused.length }));
await runtime.close();
TS

# CommonJS TypeScript: the compiled code calls require("edgeflow") (require of ESM, Node 20.19+).
# Declarations are checked above; here what matters is the require() path.
mkdir cjs
echo '{ "type": "commonjs" }' > cjs/package.json
tsconfig false true > cjs/tsconfig.json
cat > cjs/main.ts <<TS
import { z } from "zod";
import { LocalRuntime, WorkflowBuilder, createNodeRegistry, defineNode } from "edgeflow";
$workflow_body
runtime.execute(workflow, { inputs: { site: "edge-2" } }).then(async (run) => {
  const all = run.results.all;
  console.log(JSON.stringify({ cjs: all.status === "completed" ? all.output.value : all.status }));
  await runtime.close();
});
TS

# Both type-checks at once: they are independent and each is single-threaded.
node "$tsc" -p esm/tsconfig.json & esm_check=$!
node "$tsc" -p cjs/tsconfig.json & cjs_check=$!
wait "$esm_check" || { echo "pack-test: the ESM project does not type-check" >&2; exit 1; }
wait "$cjs_check" || { echo "pack-test: the CommonJS project does not type-check" >&2; exit 1; }

esm_out="$(node esm/out/main.js)"
echo "pack-test: ESM project printed $esm_out"
[ "$esm_out" = '{"esm":["hi, edge-1"],"checker":"function","unused":3}' ] || { echo "pack-test: unexpected ESM output" >&2; exit 1; }
grep -q 'require("edgeflow")' cjs/out/main.js || { echo "pack-test: the CommonJS build does not require() edgeflow" >&2; exit 1; }
cjs_out="$(node cjs/out/main.js)"
echo "pack-test: CommonJS project printed $cjs_out"
[ "$cjs_out" = '{"cjs":["hi, edge-2"]}' ] || { echo "pack-test: unexpected CommonJS output" >&2; exit 1; }
echo "pack-test: ok"
