import { ManualClock, type Clock } from "../../src/core/clock.js";
import { noopLogger } from "../../src/core/logger.js";
import { Random } from "../../src/core/random.js";
import { ServiceRegistry } from "../../src/core/services.js";
import type { NodeContext } from "../../src/workflow/node.js";

/** A NodeContext for calling a node definition's `run` directly in unit tests. */
export function testNodeContext(overrides: Partial<NodeContext> & { progressLog?: Array<[number, string | undefined]> } = {}): NodeContext {
  const { progressLog, ...rest } = overrides;
  const clock: Clock = rest.clock ?? new ManualClock(0);
  return {
    nodeId: "node",
    nodeType: "Test",
    runId: "run-test",
    attempt: 1,
    clock,
    random: new Random(1),
    logger: noopLogger,
    signal: new AbortController().signal,
    infrastructure: new ServiceRegistry(),
    progress: (fraction, message) => progressLog?.push([fraction, message]),
    ...rest,
  };
}
