/**
 * What the demo's own nodes share through the infrastructure: the trace, the services, the control
 * plane, where each service runs now, and the timeline the report draws.
 *
 * @module
 */
import { serviceKey, type InMemoryWorkloadAdapter, type ServiceKey } from "../../src/index.js";
import type { ControlPlane } from "./control-plane.js";
import type { FleetService } from "./fleet-spec.js";
import type { FleetTrace, MinuteLoad } from "./trace.js";

/** One minute of the replay, fleet-wide. */
export interface MinutePoint {
  /** Minutes since the start of the trace. */
  readonly minute: number;
  /** Requests that arrived in the minute. */
  readonly requests: number;
  /** Mean requests in service at once (Little's law), summed over services. */
  readonly demand: number;
  /** Instances the autoscaler had running, summed over services. */
  readonly instances: number;
  /** Demand forecast for this minute, made `leadTimeMs` earlier (absent when no forecast was confident). */
  readonly forecast: number | undefined;
}

/** A scaling decision that changed a service's instance count. */
export interface ScalingChange {
  readonly minute: number;
  readonly service: string;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
  readonly urgency: string;
}

/** A workload lease as the demo tracks it. */
export interface LeaseRecord {
  readonly service: string;
  readonly holder: string;
  readonly token: number;
  readonly at: number;
}

export interface FleetWorld {
  readonly start: number;
  readonly trace: FleetTrace;
  readonly loads: ReadonlyMap<string, readonly MinuteLoad[]>;
  readonly services: readonly FleetService[];
  readonly controlPlane: ControlPlane;
  readonly adapter: InMemoryWorkloadAdapter;
  /** Minutes of the trace used to learn usage before warming; the replay starts after them. */
  readonly warmupMinutes: number;
  /** Replay at most this many minutes after the warm-up (default: the rest of the trace). */
  readonly replayMinutes: number | undefined;
  /** Service → edge it runs on now. */
  readonly placement: Map<string, string>;
  /** Service → instances running now (set by the autoscaler). */
  readonly instances: Map<string, number>;
  readonly minutes: MinutePoint[];
  readonly scaling: ScalingChange[];
  readonly leases: LeaseRecord[];
  /** Edges that are down: their leases are no longer renewed. */
  readonly downEdges: Set<string>;
  /** Service → its live lease, renewed while its holder is up. */
  readonly heldLeases: Map<string, LeaseRecord>;
  /** Set when the demo shuts down, so background renewals stop. */
  closed: boolean;
}

export const FLEET_WORLD: ServiceKey<FleetWorld> = serviceKey<FleetWorld>("examples.fleet.world");

/** The lease resource of a service. */
export const serviceLease = (service: string): string => `service:${service}`;
