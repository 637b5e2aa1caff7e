/**
 * The workloads placed so far in a session, by region, for anti-affinity checks.
 *
 * @module
 */
import { matchesSelector } from "../infra/selector.js";
import type { CompiledWorkload } from "./workload.js";

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

interface PlacedWorkload {
  readonly edge: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: CompiledWorkload["rules"];
}

export class AntiAffinityIndex {
  private readonly byRegion: PlacedWorkload[][] = [];
  /**
   * Edges holding workloads with neither labels nor rules, by region. Kept apart (as bare edge
   * indices) so the common case stays cheap, yet a rule that matches the empty label set
   * (`DoesNotExist`, `NotIn`, an empty selector) still sees them.
   */
  private readonly unlabelledByRegion: Set<number>[] = [];
  private count = 0;
  private unlabelled = 0;

  constructor(regions: number) {
    for (let r = 0; r < regions; r++) {
      this.byRegion.push([]);
      this.unlabelledByRegion.push(new Set());
    }
  }

  /** Whether nothing that anti-affinity could involve has been placed yet (the common, fast case). */
  get empty(): boolean {
    return this.count === 0 && this.unlabelled === 0;
  }

  /** Whether placing `w` anywhere could be refused: cheap enough for the hot loop. */
  mayBlock(w: CompiledWorkload): boolean {
    return this.count > 0 || (this.unlabelled > 0 && w.rules.length > 0);
  }

  /** Remembers `w` on edge `edge` in `region`. */
  add(w: CompiledWorkload, edge: number, region: number): void {
    if (Object.keys(w.labels).length === 0 && w.rules.length === 0) {
      (this.unlabelledByRegion[region] as Set<number>).add(edge);
      this.unlabelled++;
      return;
    }
    (this.byRegion[region] as PlacedWorkload[]).push({ edge, labels: w.labels, rules: w.rules });
    this.count++;
  }

  /** Whether placing `w` on `edge` (in `region`) would break its rules or those of a workload already there. */
  blocks(w: CompiledWorkload, edge: number, region: number): boolean {
    const unlabelled = this.unlabelledByRegion[region] as Set<number>;
    if (unlabelled.size > 0) {
      for (const rule of w.rules) {
        if (!matchesSelector(NO_LABELS, rule.selector)) continue;
        if (rule.scope === "region" || unlabelled.has(edge)) return true;
      }
    }
    const inRegion = this.byRegion[region] as PlacedWorkload[];
    if (inRegion.length === 0) return false;
    for (const rule of w.rules) {
      for (const other of inRegion) {
        if (rule.scope === "edge" && other.edge !== edge) continue;
        if (matchesSelector(other.labels, rule.selector)) return true;
      }
    }
    // Rules are symmetric, as in Kubernetes: a placed workload's rules keep matching newcomers away too.
    for (const other of inRegion) {
      for (const rule of other.rules) {
        if (rule.scope === "edge" && other.edge !== edge) continue;
        if (matchesSelector(w.labels, rule.selector)) return true;
      }
    }
    return false;
  }
}
