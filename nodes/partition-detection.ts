/**
 * The `PartitionDetection` node: reads the shared partition detector's status, quorum and members.
 *
 * @module
 */
import { z } from "zod";
import { partitionDetectorKey } from "../src/membership/keys.js";
import { defineNode } from "../src/workflow/node.js";

const config = z.discriminatedUnion("operation", [
  z.object({ operation: z.literal("status") }),
  z.object({ operation: z.literal("quorum") }),
  z.object({ operation: z.literal("members") }),
]);

export const PartitionDetection = defineNode({
  type: "PartitionDetection",
  description: "Reports whether this node reaches a quorum, its membership view and whether it is fenced (hints, not safety).",
  config,
  inputs: z.object({}),
  outputs: z.object({ result: z.unknown(), hasQuorum: z.boolean() }),
  run: async (ctx, cfg) => {
    const detector = ctx.infrastructure.get(partitionDetectorKey);
    const hasQuorum = detector.hasQuorum();
    switch (cfg.operation) {
      case "status":
        return { result: detector.status(), hasQuorum };
      case "quorum":
        return { result: detector.quorum(), hasQuorum };
      case "members":
        return { result: detector.members(), hasQuorum };
    }
  },
});
