/**
 * The `PartitionDetection` node: reads the shared partition detector's status, quorum and members.
 *
 * @module
 */
import { z } from "zod";
import { partitionDetectorKey } from "../src/membership/keys.js";
import type { MemberView, MembershipStatus, QuorumView } from "../src/membership/types.js";
import { defineNode, enginePort } from "../src/workflow/node.js";

const hasQuorum = z.boolean();

export const PartitionDetection = defineNode({
  type: "PartitionDetection",
  description: "Reports whether this node reaches a quorum, its membership view and whether it is fenced (hints, not safety).",
  inputs: z.object({}),
  operations: {
    status: {
      config: z.object({}),
      outputs: z.object({ status: enginePort<MembershipStatus>("a membership status"), hasQuorum }),
      run: async (ctx) => {
        const detector = ctx.infrastructure.get(partitionDetectorKey);
        return { status: detector.status(), hasQuorum: detector.hasQuorum() };
      },
    },
    quorum: {
      config: z.object({}),
      outputs: z.object({ quorum: enginePort<QuorumView>("a quorum view"), hasQuorum }),
      run: async (ctx) => {
        const detector = ctx.infrastructure.get(partitionDetectorKey);
        return { quorum: detector.quorum(), hasQuorum: detector.hasQuorum() };
      },
    },
    members: {
      config: z.object({}),
      outputs: z.object({ members: z.array(enginePort<MemberView>("a member view")), hasQuorum }),
      run: async (ctx) => {
        const detector = ctx.infrastructure.get(partitionDetectorKey);
        return { members: [...detector.members()], hasQuorum: detector.hasQuorum() };
      },
    },
  },
});
