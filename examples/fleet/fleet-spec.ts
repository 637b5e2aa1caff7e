/**
 * The flagship demo's fleet: twelve edge sites in four regions, each region its own compliance zone,
 * and the services that run on them. Three sites also host a member of the Raft control plane.
 *
 * @module
 */
import type { EdgeSpec, Workload } from "../../src/index.js";

/** An edge site; `cold` sites start `initialized` and are brought into service by predictive warming. */
export interface FleetSite extends EdgeSpec {
  readonly city: string;
  readonly cold: boolean;
}

const site = (id: string, city: string, region: string, zone: string, lat: number, lon: number, cpu: number, costPerHour: number, cold = false): FleetSite => ({
  id,
  city,
  region,
  coordinates: { lat, lon },
  capacity: { cpu, memoryMb: cpu * 4096 },
  costPerHour,
  complianceZones: [zone],
  lifecycleState: cold ? "initialized" : "active",
  cold,
});

/** Four regions of three sites; the third of each region starts cold. */
export const FLEET_SITES: readonly FleetSite[] = [
  site("edge-par-1", "Paris", "eu-west", "eu", 48.86, 2.35, 32, 1.1),
  site("edge-fra-1", "Frankfurt", "eu-west", "eu", 50.11, 8.68, 32, 0.9),
  site("edge-ams-1", "Amsterdam", "eu-west", "eu", 52.37, 4.9, 16, 0.8, true),
  site("edge-lon-1", "London", "uk-south", "uk", 51.51, -0.13, 32, 1.0),
  site("edge-man-1", "Manchester", "uk-south", "uk", 53.48, -2.24, 16, 0.7),
  site("edge-lon-2", "London", "uk-south", "uk", 51.5, -0.1, 16, 0.9, true),
  site("edge-nyc-1", "New York", "us-east", "us", 40.71, -74.0, 32, 0.7),
  site("edge-iad-1", "Ashburn", "us-east", "us", 38.95, -77.45, 32, 0.6),
  site("edge-bos-1", "Boston", "us-east", "us", 42.36, -71.06, 16, 0.6, true),
  site("edge-sin-1", "Singapore", "ap-southeast", "sg", 1.35, 103.82, 32, 0.8),
  site("edge-sin-2", "Singapore", "ap-southeast", "sg", 1.29, 103.85, 16, 0.8),
  site("edge-jkt-1", "Jakarta", "ap-southeast", "sg", -6.2, 106.85, 16, 0.5, true),
];

/** The sites hosting the three Raft control-plane members (one per continent). */
export const CONTROL_PLANE_SITES: readonly string[] = ["edge-par-1", "edge-nyc-1", "edge-sin-1"];

/** A service of the demo: a placement workload plus the share of the trace's requests it serves. */
export interface FleetService extends Workload {
  readonly requests: { readonly cpu: number; readonly memoryMb: number };
  /** Relative share of the trace's requests. */
  readonly trafficShare: number;
  /** Data size moved by a migration, bytes. */
  readonly stateBytes: number;
}

const users = {
  eu: [
    { id: "paris", lat: 48.86, lon: 2.35, weight: 2 },
    { id: "berlin", lat: 52.52, lon: 13.4, weight: 1 },
    { id: "amsterdam", lat: 52.37, lon: 4.9, weight: 1 },
  ],
  uk: [
    { id: "london", lat: 51.51, lon: -0.13, weight: 3 },
    { id: "manchester", lat: 53.48, lon: -2.24, weight: 1 },
  ],
  us: [
    { id: "new-york", lat: 40.71, lon: -74.0, weight: 2 },
    { id: "boston", lat: 42.36, lon: -71.06, weight: 1 },
    { id: "washington", lat: 38.9, lon: -77.04, weight: 1 },
  ],
  sg: [
    { id: "singapore", lat: 1.35, lon: 103.82, weight: 2 },
    { id: "jakarta", lat: -6.2, lon: 106.85, weight: 1 },
  ],
} as const;

const service = (id: string, zone: keyof typeof users, cpu: number, trafficShare: number, stateMb: number): FleetService => ({
  id,
  requests: { cpu, memoryMb: cpu * 2048 },
  residency: [zone],
  users: users[zone],
  labels: { app: id },
  trafficShare,
  stateBytes: stateMb * 1024 * 1024,
});

/** Eight services, two per compliance zone; each must stay in its zone (data residency). */
export const FLEET_SERVICES: readonly FleetService[] = [
  service("checkout-eu", "eu", 8, 3, 512),
  service("search-eu", "eu", 6, 2, 256),
  service("payments-uk", "uk", 6, 2, 384),
  service("accounts-uk", "uk", 4, 1, 128),
  service("storefront-us", "us", 8, 3, 512),
  service("inference-us", "us", 12, 2, 1024),
  service("catalog-sg", "sg", 6, 2, 256),
  service("chat-sg", "sg", 4, 1, 128),
];
