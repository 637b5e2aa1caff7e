import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (where package.json is). */
export const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist` when it is missing or older than a source file, so these tests check what would be
 * published. CI builds before testing, so there this does nothing.
 */
export function ensureBuilt(): void {
  const built = join(projectRoot, "dist", "src", "index.js");
  const sources = Math.max(newestSource(join(projectRoot, "src")), newestSource(join(projectRoot, "nodes")), statSync(join(projectRoot, "package.json")).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(projectRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: projectRoot, stdio: "inherit" });
}
