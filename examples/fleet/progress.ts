/**
 * Shows the runtime's events while the workflow runs: a one-line progress bar on a terminal, plain
 * lines otherwise (so logs and piped output stay readable and identical run to run).
 *
 * @module
 */
import type { RuntimeEvents } from "../../src/index.js";
import { stepOutcome } from "./step-outcome.js";

interface Output {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

export interface ProgressPrinter {
  readonly onEvent: <K extends keyof RuntimeEvents & string>(name: K, event: RuntimeEvents[K]) => void;
  /** Clears the bar (on a terminal) and leaves a blank line. */
  done(): void;
}

const BAR_WIDTH = 24;

export function progressPrinter(out: Output): ProgressPrinter {
  const tty = out.isTTY === true;
  let total = 0;
  let completed = 0;
  const types = new Map<string, string>();
  let current = "";
  let lastPlainProgress = "";
  const bar = (): void => {
    const filled = total === 0 ? 0 : Math.round((BAR_WIDTH * completed) / total);
    const line = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${completed}/${total} ${current}`;
    out.write(`\r${line.slice(0, (out.columns ?? 100) - 1).padEnd((out.columns ?? 100) - 1)}`);
  };
  const line = (text: string): void => {
    if (tty) out.write(`\r${" ".repeat((out.columns ?? 100) - 1)}\r`);
    out.write(`${text}\n`);
    if (tty) bar();
  };
  return {
    onEvent: (name, event) => {
      const e = event as Partial<{ nodeId: string; nodeType: string; nodeCount: number; message: string; error: Error; reason: string; output: unknown }>;
      switch (name) {
        case "run:start":
          total = e.nodeCount ?? 0;
          line(`running the workflow (${total} steps):`);
          break;
        case "node:start":
          types.set(e.nodeId ?? "", e.nodeType ?? "");
          current = e.nodeId ?? "";
          if (tty) bar();
          break;
        case "node:progress": {
          current = `${e.nodeId ?? ""}: ${e.message ?? ""}`;
          if (tty) bar();
          // Plain output: one line per ten minutes of trace, not one per minute.
          const message = e.message ?? "";
          const tens = message.match(/minute (\d+)\//)?.[1];
          if (!tty && tens !== undefined && Number(tens) % 10 === 0 && message !== lastPlainProgress) {
            lastPlainProgress = message;
            out.write(`    … ${e.nodeId ?? ""}: ${message}\n`);
          }
          break;
        }
        case "node:complete": {
          completed++;
          const outcome = stepOutcome(e.nodeId ?? "", e.output);
          line(`  ✓ ${e.nodeId ?? ""} (${types.get(e.nodeId ?? "") ?? ""})${outcome === undefined ? "" : `: ${outcome}`}`);
          break;
        }
        case "node:error":
          line(`  ✗ ${e.nodeId ?? ""}: ${e.error?.message ?? ""}`);
          break;
        case "node:skip":
          line(`  – ${e.nodeId ?? ""} skipped: ${e.reason ?? ""}`);
          break;
        default:
          break;
      }
    },
    done: () => {
      if (tty) out.write(`\r${" ".repeat((out.columns ?? 100) - 1)}\r`);
      out.write("\n");
    },
  };
}
