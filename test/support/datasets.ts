import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** `../shared/datasets` beside the project root; absent on a bare clone. */
export const datasetsDir = resolve(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "datasets"));

/** Path to a dataset file or folder, or `undefined` (and a printed reason) when it is absent. */
export function datasetPath(...parts: string[]): string | undefined {
  const path = join(datasetsDir, ...parts);
  if (!existsSync(path)) {
    console.warn(`skipping: dataset ${path} not found (../shared/datasets is absent on a bare clone)`);
    return undefined;
  }
  return path;
}
