/**
 * The `EdgeMigration` node: plans, runs and steers live workload migrations on the shared
 * {@link MigrationService} — plan, execute, progress, pause, resume, rollback, active, history, metrics.
 *
 * @module
 */
import { z } from "zod";
import type { ServiceRegistry } from "../src/core/services.js";
import { EdgeInfrastructure } from "../src/infra/infrastructure.js";
import { LEASE_STORE, InMemoryLeaseStore } from "../src/lifecycle/lease-store.js";
import { capacityFromEdges, complianceFromPlacement } from "../src/migration/checks.js";
import { summaryOf } from "../src/migration/history.js";
import { InMemoryWorkloadAdapter } from "../src/migration/memory-adapter.js";
import {
  migrationMetricsSchema,
  migrationPlanSchema,
  migrationProgressSchema,
  migrationRecordSchema,
  migrationRequestSchema,
  migrationStrategySchema,
  migrationSummarySchema,
} from "../src/migration/schemas.js";
import { MIGRATION_ADAPTER, MIGRATION_SERVICE, MigrationService } from "../src/migration/service.js";
import { AFFINITY_PLACER, AffinityPlacer } from "../src/placement/placer.js";
import { defineNode, fromConfigOrInput, type NodeContext } from "../src/workflow/node.js";

/**
 * The shared service: the one registered under `MIGRATION_SERVICE`, else one built on first use from
 * the adapter registered under `MIGRATION_ADAPTER` (an in-memory adapter over the registered edges
 * when there is none, for demos), the shared lease store, capacity from the edge registry and
 * compliance from the shared placer's filters.
 */
export function migrationServiceFor(ctx: NodeContext): MigrationService {
  const registry: ServiceRegistry = ctx.infrastructure;
  return registry.getOrCreate(MIGRATION_SERVICE, () => {
    const infrastructure = EdgeInfrastructure.from(registry);
    const edges = (): ReturnType<EdgeInfrastructure["edges"]> => infrastructure.edges();
    const adapter = registry.tryGet(MIGRATION_ADAPTER) ?? new InMemoryWorkloadAdapter({ clock: ctx.clock, edges: edges().map((e) => e.id) });
    const leases = registry.getOrCreate(LEASE_STORE, () => new InMemoryLeaseStore({ clock: ctx.clock }));
    const placer = registry.getOrCreate(AFFINITY_PLACER, () => new AffinityPlacer());
    return new MigrationService({ clock: ctx.clock, adapter, leases, capacity: capacityFromEdges(edges), compliance: complianceFromPlacement(placer, edges) });
  });
}

const requestInput = migrationRequestSchema;
const migrationId = z.string().trim().min(1);

/** Input ports shared by the operations. */
export const edgeMigrationInputs = z.object({
  /** A migration request, e.g. from an upstream `plan`. */
  request: requestInput.optional(),
  /** The migration to act on, e.g. from an upstream `execute`. */
  migrationId: migrationId.optional(),
});

type Inputs = z.output<typeof edgeMigrationInputs>;

const idConfig = z.object({
  /** The migration; absent = taken from the `migrationId` input. */
  migrationId: migrationId.optional(),
});
const summaryOutput = z.object({ migration: migrationSummarySchema, migrationId: z.string(), phase: migrationSummarySchema.shape.phase });

function idFrom(operation: string, configured: string | undefined, inputs: Inputs): string {
  return fromConfigOrInput(operation, "migrationId", "a migration id", configured, inputs.migrationId);
}

function summaryPorts(state: Parameters<typeof summaryOf>[0]): z.infer<typeof summaryOutput> {
  const migration = summaryOf(state);
  return { migration, migrationId: migration.migrationId, phase: migration.phase };
}

export const EdgeMigration = defineNode({
  type: "EdgeMigration",
  description: "Plans, runs, pauses, resumes and rolls back live workload migrations between edges, with progress, history and metrics.",
  inputs: edgeMigrationInputs,
  operations: {
    plan: {
      description: "Validates a request (capacity, compliance, window) and estimates it with the pre-copy model.",
      config: z.object({ request: requestInput.optional() }),
      outputs: z.object({ plan: migrationPlanSchema, recommendation: migrationStrategySchema.nullable(), request: requestInput }),
      run: async (ctx, cfg, inputs) => {
        const request = fromConfigOrInput(cfg.operation, "request", "a migration request", cfg.request, inputs.request);
        const plan = await migrationServiceFor(ctx).plan(request, { signal: ctx.signal });
        const { request: planned, ...rest } = plan;
        // The validated request with every default filled in, ready for an `execute` downstream.
        return { plan: rest, recommendation: plan.recommendation, request: requestInput.parse(planned) };
      },
    },
    execute: {
      description: "Plans and starts a migration; by default waits for its end (completed, rolled back or paused).",
      config: z.object({
        request: requestInput.optional(),
        migrationId: migrationId.optional(),
        /** Wait for the end (or a pause); `false` returns once the migration holds its locks. */
        wait: z.boolean().default(true),
      }),
      outputs: summaryOutput,
      run: async (ctx, cfg, inputs) => {
        const service = migrationServiceFor(ctx);
        const request = fromConfigOrInput(cfg.operation, "request", "a migration request", cfg.request, inputs.request);
        const plan = await service.plan(request, { signal: ctx.signal });
        const id = await service.start(plan, cfg.migrationId === undefined ? {} : { migrationId: cfg.migrationId });
        return summaryPorts(cfg.wait ? await service.wait(id) : await service.get(id));
      },
    },
    progress: {
      description: "Phase, percent, bytes and ETA of a migration.",
      config: idConfig,
      outputs: z.object({ progress: migrationProgressSchema }),
      run: async (ctx, cfg, inputs) => ({ progress: await migrationServiceFor(ctx).progress(idFrom(cfg.operation, cfg.migrationId, inputs)) }),
    },
    pause: {
      description: "Pauses a running migration after its current batch.",
      config: idConfig,
      outputs: summaryOutput,
      run: async (ctx, cfg, inputs) => summaryPorts(await migrationServiceFor(ctx).pause(idFrom(cfg.operation, cfg.migrationId, inputs))),
    },
    resume: {
      description: "Continues a paused (or interrupted) migration from its last checkpoint and waits for it.",
      config: idConfig,
      outputs: summaryOutput,
      run: async (ctx, cfg, inputs) => summaryPorts(await migrationServiceFor(ctx).resume(idFrom(cfg.operation, cfg.migrationId, inputs), { signal: ctx.signal })),
    },
    rollback: {
      description: "Rolls a migration back: the source is authoritative and serving again, the target removed.",
      config: idConfig,
      outputs: summaryOutput,
      run: async (ctx, cfg, inputs) => summaryPorts(await migrationServiceFor(ctx).rollback(idFrom(cfg.operation, cfg.migrationId, inputs), { signal: ctx.signal })),
    },
    active: {
      description: "Migrations not finished: running, paused, or left mid-way.",
      config: z.object({}),
      outputs: z.object({ migrations: z.array(migrationSummarySchema) }),
      run: async (ctx) => ({ migrations: (await migrationServiceFor(ctx).active()).map(summaryOf) }),
    },
    history: {
      description: "Finished migrations, oldest first.",
      config: z.object({ limit: z.number().int().positive().optional() }),
      outputs: z.object({ records: z.array(migrationRecordSchema) }),
      run: async (ctx, cfg) => {
        const records = migrationServiceFor(ctx).history();
        return { records: cfg.limit === undefined ? [...records] : records.slice(-cfg.limit) };
      },
    },
    metrics: {
      description: "Success rate over finished migrations, mean duration and downtime, bytes moved.",
      config: z.object({}),
      outputs: z.object({ metrics: migrationMetricsSchema }),
      run: async (ctx) => ({ metrics: await migrationServiceFor(ctx).metrics() }),
    },
  },
});
