/**
 * The context memory of the Contextual Anomaly Detector (CAD OSE, M. Smirnov and A. Veselov; the
 * `context_ose` detector of the Numenta Anomaly Benchmark, `context_operator.py` there).
 *
 * A fact is a small integer. A context is a pair of fact sets: a left semi-context (what was true at
 * the previous step: the quantised value and the contexts that were active) and a right
 * semi-context (the quantised value that followed). Each step the memory
 * 1. crosses the new value's facts with the right semi-contexts and, for every context whose left
 *    half matched the previous step completely, counts how much of its right half came true (its
 *    prediction record) and whether all of it did (the context is active);
 * 2. proposes new contexts from partial matches (the matched part of a left half with the matched
 *    part of a right half), but only when the step's own "zero-level" context was new, as the
 *    original does, since otherwise every intersection already exists;
 * 3. crosses the new left facts with the left semi-contexts and predicts the right halves of the
 *    completely matched contexts with the best prediction record.
 *
 * Semi-contexts are shared between contexts and keyed by their sorted fact list. Unlike the
 * original, the memory is capped at `maxContexts` contexts: once full, existing contexts keep
 * learning their prediction records but no new ones are stored, so state stops growing. Each
 * context adds at most one left and one right semi-context, each indexed under at most
 * `maxLeftSemiContextLength` (partial) or sensor + `maxActiveNeurons` (zero-level) facts, so the
 * memory is O(maxContexts × that) however long the series runs.
 *
 * @module
 */

/** What one step of the memory reports to the detector. */
export interface ContextStep {
  /** Share of the contexts selected by the previous step (left half fully matched) that became active. */
  readonly activeShare: number;
  /** Share of the distinct candidate contexts of this step that were actually new. */
  readonly newShare: number;
}

interface LeftSemiContext {
  readonly facts: readonly number[];
  matched: number;
  /** Right semi-context id → context id, in creation order. */
  readonly contexts: Map<number, number>;
}

interface RightSemiContext {
  readonly facts: readonly number[];
  matched: number;
}

type Pair = readonly [readonly number[], readonly number[]];

/** Facts common to two ascending fact lists. */
function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

const keyOf = (facts: readonly number[]): string => facts.join(",");

/**
 * Context memory with a capped number of contexts. Facts below `neuronBase` are sensor facts;
 * context `id` is fed back as fact `neuronBase + id`.
 */
export class ContextMemory {
  private readonly lefts: LeftSemiContext[] = [];
  private readonly rights: RightSemiContext[] = [];
  private readonly leftIds = new Map<string, number>();
  private readonly rightIds = new Map<string, number>();
  private readonly leftIndex = new Map<number, number[]>();
  private readonly rightIndex = new Map<number, number[]>();
  /** Per context: right facts predicted in total, of them come true, and times fully active. */
  private readonly predicted: number[] = [];
  private readonly confirmed: number[] = [];
  private readonly activations: number[] = [];
  private readonly leftOf: number[] = [];
  private readonly rightOf: number[] = [];
  private readonly zeroLevel: boolean[] = [];
  private crossedLeft: number[] = [];
  private crossedRight: number[] = [];
  /** The zero-level context created this step, excluded from its own evaluation. */
  private newContextId = -1;
  /** Left facts of the previous step: sensor facts plus the facts of the contexts then active. */
  private leftFacts: readonly number[] = [];
  private predictions: readonly number[] = [];
  private sensorFacts: readonly number[] = [];

  constructor(
    private readonly neuronBase: number,
    private readonly maxLeftSemiContextLength: number,
    private readonly maxActiveNeurons: number,
    private readonly maxContexts: number,
  ) {}

  /** Contexts stored (at most `maxContexts`). */
  get contexts(): number {
    return this.predicted.length;
  }

  /** Sensor facts predicted for the next step, ascending. */
  get predictedFacts(): readonly number[] {
    return this.predictions;
  }

  /** Learns from one step's sensor facts (ascending, distinct) and predicts the next step's. */
  step(sensorFacts: readonly number[]): ContextStep {
    this.sensorFacts = sensorFacts;
    const proposals = new Map<string, Pair>();
    let zeroKey: string | undefined;
    let newZeroLevel = false;
    if (this.leftFacts.length > 0 && sensorFacts.length > 0) {
      zeroKey = `${keyOf(this.leftFacts)}|${keyOf(sensorFacts)}`;
      newZeroLevel = this.store([[this.leftFacts, sensorFacts]], true) > 0;
    }
    this.crossedRight = this.cross(this.rights, this.rightIndex, this.crossedRight, sensorFacts);
    const { active, selected } = this.evaluate(newZeroLevel, proposals);
    const candidates = proposals.size + (zeroKey !== undefined && !proposals.has(zeroKey) ? 1 : 0);
    const activeShare = selected > 0 ? active.length / selected : 0;

    active.sort((a, b) => this.rank(a, b));
    const neurons = active.slice(-this.maxActiveNeurons).map((id) => this.neuronBase + id);
    neurons.sort((a, b) => a - b);
    this.leftFacts = [...sensorFacts, ...neurons];

    // Distinct proposals only: a repeated one would be found stored and not counted anyway.
    const added = (proposals.size > 0 ? this.store([...proposals.values()], false) : 0) + (newZeroLevel ? 1 : 0);
    this.crossedLeft = this.cross(this.lefts, this.leftIndex, this.crossedLeft, this.leftFacts);
    this.predictions = this.predict();
    const newShare = newZeroLevel && candidates > 0 ? added / candidates : 0;
    return { activeShare, newShare };
  }

  /** Ascending by activations, ties by semi-context ids (the original breaks them by fact-set hashes). */
  private rank(a: number, b: number): number {
    return (
      (this.activations[a] as number) - (this.activations[b] as number) ||
      (this.leftOf[a] as number) - (this.leftOf[b] as number) ||
      (this.rightOf[a] as number) - (this.rightOf[b] as number)
    );
  }

  /**
   * Stores the pairs not yet known; returns how many were new. A zero-level pair that exists is
   * marked zero-level, so it may seed partial contexts later.
   */
  private store(pairs: readonly Pair[], zeroLevel: boolean): number {
    let added = 0;
    for (const [leftFacts, rightFacts] of pairs) {
      const leftKey = keyOf(leftFacts);
      const rightKey = keyOf(rightFacts);
      let left = this.leftIds.get(leftKey);
      let right = this.rightIds.get(rightKey);
      const existing = left === undefined || right === undefined ? undefined : this.lefts[left]?.contexts.get(right);
      if (existing !== undefined) {
        if (zeroLevel) this.zeroLevel[existing] = true;
        continue;
      }
      if (this.predicted.length >= this.maxContexts) continue;
      if (left === undefined) left = this.addSemi(this.lefts, this.leftIds, this.leftIndex, leftKey, leftFacts, true);
      if (right === undefined) right = this.addSemi(this.rights, this.rightIds, this.rightIndex, rightKey, rightFacts, false);
      const id = this.predicted.length;
      this.lefts[left]?.contexts.set(right, id);
      this.predicted.push(0);
      this.confirmed.push(0);
      this.activations.push(0);
      this.leftOf.push(left);
      this.rightOf.push(right);
      this.zeroLevel.push(zeroLevel);
      added++;
      if (zeroLevel) this.newContextId = id;
    }
    return added;
  }

  private addSemi(
    list: Array<LeftSemiContext | RightSemiContext>,
    ids: Map<string, number>,
    index: Map<number, number[]>,
    key: string,
    facts: readonly number[],
    left: boolean,
  ): number {
    const id = list.length;
    const copy = facts.slice();
    list.push(left ? { facts: copy, matched: 0, contexts: new Map() } : { facts: copy, matched: 0 });
    ids.set(key, id);
    for (const fact of copy) {
      const holders = index.get(fact);
      if (holders === undefined) index.set(fact, [id]);
      else holders.push(id);
    }
    return id;
  }

  /**
   * Counts, per semi-context, how many of `facts` it holds; returns the ids with at least one. The
   * original visits them in creation order; the order here only changes which ids proposals get.
   */
  private cross(list: ReadonlyArray<{ matched: number }>, index: ReadonlyMap<number, readonly number[]>, previous: readonly number[], facts: readonly number[]): number[] {
    for (const id of previous) (list[id] as { matched: number }).matched = 0;
    const touched: number[] = [];
    for (const fact of facts) {
      const holders = index.get(fact);
      if (holders === undefined) continue;
      for (const id of holders) {
        const semi = list[id] as { matched: number };
        if (semi.matched++ === 0) touched.push(id);
      }
    }
    return touched;
  }

  /**
   * Scores the contexts selected by the previous step against this step's sensor facts: the
   * prediction records, the active contexts and the partial contexts to propose.
   */
  private evaluate(newZeroLevel: boolean, proposals: Map<string, Pair>): { active: number[]; selected: number } {
    const active: number[] = [];
    let selected = 0;
    for (const leftId of this.crossedLeft) {
      const left = this.lefts[leftId] as LeftSemiContext;
      const complete = left.matched === left.facts.length;
      for (const [rightId, id] of left.contexts) {
        if (id === this.newContextId) continue;
        const right = this.rights[rightId] as RightSemiContext;
        if (complete) {
          selected++;
          this.predicted[id] = (this.predicted[id] as number) + right.facts.length;
          if (right.matched === 0) continue;
          this.confirmed[id] = (this.confirmed[id] as number) + right.matched;
          if (right.matched === right.facts.length) {
            this.activations[id] = (this.activations[id] as number) + 1;
            active.push(id);
            continue;
          }
        } else if (right.matched === 0) continue;
        if (this.zeroLevel[id] === true && newZeroLevel && left.matched <= this.maxLeftSemiContextLength) {
          const pair: Pair = [intersect(left.facts, this.leftFacts), intersect(right.facts, this.sensorFacts)];
          proposals.set(`${keyOf(pair[0])}|${keyOf(pair[1])}`, pair);
        }
      }
    }
    this.newContextId = -1;
    return { active, selected };
  }

  /** The right halves of the completely matched contexts with the best prediction record. */
  private predict(): number[] {
    let best = 0;
    let chosen: number[] = [];
    for (const leftId of this.crossedLeft) {
      const left = this.lefts[leftId] as LeftSemiContext;
      if (left.matched !== left.facts.length) continue;
      for (const id of left.contexts.values()) {
        const total = this.predicted[id] as number;
        const weight = total > 0 ? (this.confirmed[id] as number) / total : 0;
        if (weight > best) {
          best = weight;
          chosen = [id];
        } else if (weight === best) chosen.push(id);
      }
    }
    const facts = new Set<number>();
    for (const id of chosen) for (const fact of (this.rights[this.rightOf[id] as number] as RightSemiContext).facts) facts.add(fact);
    return [...facts].sort((a, b) => a - b);
  }
}
