/**
 * Service key under which workflow nodes find the partition detector in the infrastructure.
 *
 * @module
 */
import { serviceKey } from "../core/services.js";
import type { PartitionDetector } from "./partition-detector.js";

/** The running partition detector; it needs a transport, so the application registers it. */
export const partitionDetectorKey = serviceKey<PartitionDetector>("membership.partitionDetector");
