/**
 * An in-memory network for tests and simulations that misbehaves on purpose, deterministically:
 * every latency, loss, duplication and reordering decision is drawn from the injected
 * {@link Random}, and every delivery happens on a timer of the injected {@link Clock}, so the same
 * seed and the same inputs give the same delivery order, bit for bit.
 *
 * @module
 */
import { z } from "zod";
import type { Clock, TimerHandle } from "../core/clock.js";
import { ConflictError, ValidationError } from "../core/errors.js";
import type { Random } from "../core/random.js";
import { parseWith } from "../core/validation.js";
import { DeliveryQueue, type InFlight } from "./delivery-queue.js";
import { emitError } from "./handlers.js";
import { isConstantLatency, linkConfigSchema, sampleLatency, type LinkConfig, type ResolvedLink } from "./link.js";
import { TraceBuffer, type DropReason, type TraceEntry, type TraceEvent } from "./trace.js";
import { serialize, SimEndpoint } from "./sim-endpoint.js";
import type { MessageSchema, NodeId, Transport } from "./types.js";

export interface SimNetworkOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** How every link without its own {@link SimNetwork.setLink} config behaves. Default: instantaneous, faultless. */
  readonly defaultLink?: LinkConfig;
  /**
   * Serialize each message to JSON on send and parse it per delivered copy (default `true`), so
   * sender and receivers never share objects and a message that would not survive a real wire
   * fails here too. `false` hands the sender's object to every receiver (faster; engines must then
   * treat messages as immutable).
   */
  readonly cloneMessages?: boolean;
  /** Number of trace events kept (the newest win). Default 10,000; 0 switches tracing off. */
  readonly traceLimit?: number;
}

export interface SimEndpointOptions<M> {
  /** Received messages are validated against it; failures are dropped and reported through `onError`. */
  readonly schema?: MessageSchema<M>;
}

/** What happens to messages that reach a paused node. */
export type PauseMode = "hold" | "drop";

/** Counters since the network was created. */
export interface SimNetworkStats {
  /** Calls to `send` on an open endpoint. */
  readonly sent: number;
  readonly delivered: number;
  /** Extra copies created by the `duplicate` fault. */
  readonly duplicated: number;
  /** Messages held for a paused node (delivered or dropped later). */
  readonly held: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Copies scheduled but not yet delivered or dropped (held ones excluded). */
  readonly inFlight: number;
}

const optionsSchema = z.object({
  cloneMessages: z.boolean().default(true),
  traceLimit: z.number().int().min(0).max(10_000_000).default(10_000),
});
const nodeIdSchema = z.string().min(1, "node id must not be empty");

interface LinkState {
  config: ResolvedLink;
  /** The latency when it is a constant, so the common case needs no draw. */
  constantMs: number | undefined;
  /** Latest due time of a FIFO message on this link: later FIFO messages never arrive before it. */
  lastDue: number;
}

/**
 * A seeded, faulty, in-memory network. Each node gets its {@link Transport} from
 * {@link SimNetwork.endpoint}; links are directed and configured with {@link SimNetwork.setLink}.
 *
 * Semantics worth knowing:
 * - Messages on a link arrive in send order (FIFO) unless the `reorder` fault picks them.
 * - Partitions are checked at send *and* at delivery: a message in flight when its link is cut is lost.
 * - A paused node sends nothing (its sends are dropped, reason `"paused"`). Messages reaching it are
 *   held and delivered after {@link SimNetwork.resume} (mode `"hold"`, the default: a stopped process
 *   whose kernel still buffers) or dropped (mode `"drop"`).
 * - A node can crash and restart: close its endpoint and create a new one for the same id. Messages
 *   still in flight to it are delivered to whichever endpoint is open at delivery time. Sending to
 *   an id with no open endpoint is not an error (the node may be down): the message is dropped at
 *   delivery time, reason `"no_endpoint"`.
 * - Each timer tick delivers the messages that were due when it started; messages sent by handlers
 *   during the tick wait for the next tick (zero latency: a timer at the same virtual time), so a
 *   ping-pong never starves the clock. {@link SimNetwork.flush} delivers everything due, now.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(0);
 * const network = new SimNetwork({ clock, random: new Random(7), defaultLink: { latency: { kind: "uniform", minMs: 1, maxMs: 5 }, loss: 0.01 } });
 * const a = network.endpoint("a", { schema: z.object({ ping: z.number() }) });
 * const b = network.endpoint("b", { schema: z.object({ ping: z.number() }) });
 * b.onMessage((from, message) => console.log(from, message.ping));
 * a.send("b", { ping: 1 });
 * network.partition(["a"], ["b"]);
 * clock.advance(10); // the ping was in flight when the link was cut: dropped, reason "partition"
 * ```
 */
export class SimNetwork {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly clone: boolean;
  private readonly traceBuffer: TraceBuffer;
  private readonly tracing: boolean;
  private readonly queue = new DeliveryQueue();
  private readonly endpoints = new Map<NodeId, SimEndpoint<unknown>>();
  private readonly links = new Map<NodeId, Map<NodeId, LinkState>>();
  private readonly overrides = new Map<NodeId, Map<NodeId, LinkConfig>>();
  private defaultInput: LinkConfig;
  private defaultLink: ResolvedLink;
  /** Cut links, sender to receivers (nested, so no two id pairs can share a key). */
  private readonly cuts = new Map<NodeId, Set<NodeId>>();
  private readonly isolated = new Set<NodeId>();
  private hasCuts = false;
  private readonly paused = new Map<NodeId, PauseMode>();
  private readonly held = new Map<NodeId, InFlight[]>();
  private timer: TimerHandle | undefined;
  private timerDue = Infinity;
  private nextSeq = 0;
  private nextMessageId = 0;
  private sent = 0;
  private delivered = 0;
  private duplicated = 0;
  private heldCount = 0;
  private readonly dropped: Record<DropReason, number> = { loss: 0, partition: 0, paused: 0, no_endpoint: 0, invalid_message: 0 };

  constructor(options: SimNetworkOptions) {
    const parsed = parseWith(optionsSchema, { cloneMessages: options.cloneMessages, traceLimit: options.traceLimit });
    this.clock = options.clock;
    this.random = options.random;
    this.clone = parsed.cloneMessages;
    this.traceBuffer = new TraceBuffer(parsed.traceLimit);
    this.tracing = parsed.traceLimit > 0;
    this.defaultInput = options.defaultLink ?? {};
    this.defaultLink = parseWith(linkConfigSchema, this.defaultInput, "defaultLink");
  }

  /**
   * Opens the transport of node `id`. Only one endpoint per id can be open at a time; close it (a
   * crash) before opening a new one (a restart).
   */
  endpoint<M = unknown>(id: NodeId, options: SimEndpointOptions<M> = {}): Transport<M> {
    parseWith(nodeIdSchema, id, "id");
    if (this.endpoints.has(id)) throw new ConflictError(`an endpoint for "${id}" is already open; close it before opening another`);
    const endpoint = new SimEndpoint<M>(this, id, options.schema);
    this.endpoints.set(id, endpoint as SimEndpoint<unknown>);
    return endpoint;
  }

  /** Ids with an open endpoint, in creation order. */
  nodes(): NodeId[] {
    return [...this.endpoints.keys()];
  }

  /** Changes how links without their own config behave (links with a config keep their own fields). */
  setDefaultLink(config: LinkConfig): void {
    const resolved = parseWith(linkConfigSchema, config, "defaultLink");
    this.defaultInput = config;
    this.defaultLink = resolved;
    this.refreshLinks();
  }

  /**
   * Configures the directed link `from → to`. Omitted fields come from the default link, now and
   * after later {@link SimNetwork.setDefaultLink} calls.
   */
  setLink(from: NodeId, to: NodeId, config: LinkConfig): void {
    parseWith(linkConfigSchema, { ...this.defaultInput, ...config }, `links.${from}->${to}`);
    let row = this.overrides.get(from);
    if (row === undefined) this.overrides.set(from, (row = new Map()));
    row.set(to, config);
    this.refreshLinks();
  }

  /** Returns `from → to` to the default link behaviour. */
  clearLink(from: NodeId, to: NodeId): void {
    this.overrides.get(from)?.delete(to);
    this.refreshLinks();
  }

  /** Cuts every link between the two groups, both ways. Links inside a group are untouched. */
  partition(groupA: readonly NodeId[], groupB: readonly NodeId[]): void {
    const overlap = groupA.filter((id) => groupB.includes(id));
    if (overlap.length > 0) throw ValidationError.of("groupB", `a node cannot be on both sides of a partition: ${overlap.join(", ")}`, "overlap");
    this.partitionOneWay(groupA, groupB);
    this.partitionOneWay(groupB, groupA);
  }

  /** Cuts the links from every node of `from` to every node of `to`; the reverse direction still works. */
  partitionOneWay(from: readonly NodeId[], to: readonly NodeId[]): void {
    for (const a of from) {
      for (const b of to) {
        if (a === b) continue;
        let row = this.cuts.get(a);
        if (row === undefined) this.cuts.set(a, (row = new Set()));
        row.add(b);
      }
    }
    this.hasCuts = this.cuts.size > 0 || this.isolated.size > 0;
  }

  /** Cuts every link to and from `id`, including links to nodes that join later. */
  isolate(id: NodeId): void {
    this.isolated.add(id);
    this.hasCuts = true;
  }

  /** Removes every partition and isolation. Link configs and pauses are kept. */
  heal(): void {
    this.cuts.clear();
    this.isolated.clear();
    this.hasCuts = false;
  }

  /** Whether the link `from → to` is currently cut (a node always reaches itself). */
  isCut(from: NodeId, to: NodeId): boolean {
    if (!this.hasCuts || from === to) return false;
    return this.isolated.has(from) || this.isolated.has(to) || this.cuts.get(from)?.has(to) === true;
  }

  /** Freezes node `id`: it sends nothing, and messages reaching it are held (default) or dropped. */
  pause(id: NodeId, mode: PauseMode = "hold"): void {
    this.paused.set(id, mode);
  }

  /** Unfreezes `id`; held messages are delivered on the next tick, in the order they arrived. */
  resume(id: NodeId): void {
    this.paused.delete(id);
    const held = this.held.get(id);
    if (held === undefined) return;
    this.held.delete(id);
    const now = this.clock.now();
    for (const item of held) this.enqueue({ ...item, due: now, seq: this.nextSeq++ });
  }

  isPaused(id: NodeId): boolean {
    return this.paused.has(id);
  }

  /**
   * Delivers every message due at the current time, including those sent by handlers meanwhile,
   * without waiting for a timer; returns how many were delivered or dropped. `limit` bounds the
   * work (a zero-latency ping-pong never ends on its own).
   */
  flush(limit = 10_000_000): number {
    return this.deliverDue(Infinity, limit);
  }

  /** Counters since creation, frozen. */
  stats(): SimNetworkStats {
    return Object.freeze({
      sent: this.sent,
      delivered: this.delivered,
      duplicated: this.duplicated,
      held: this.heldCount,
      dropped: Object.freeze({ ...this.dropped }),
      inFlight: this.queue.size,
    });
  }

  /** The newest trace events (up to `traceLimit`), oldest first, frozen. */
  trace(): readonly TraceEntry[] {
    return this.traceBuffer.snapshot();
  }

  /** Virtual time of the next scheduled delivery, or `undefined` when nothing is in flight. */
  nextDeliveryAt(): number | undefined {
    return this.queue.peek()?.due;
  }

  /** @internal Called by an endpoint's `send`. */
  transmit(from: NodeId, to: NodeId, message: unknown): void {
    const payload = this.clone ? serialize(message, from, to) : message;
    const messageId = ++this.nextMessageId;
    this.sent++;
    if (this.tracing) this.record("send", from, to, messageId);
    if (this.paused.has(from)) return this.drop(from, to, messageId, "paused");
    if (this.hasCuts && this.isCut(from, to)) return this.drop(from, to, messageId, "partition");
    const link = this.link(from, to);
    const config = link.config;
    if (config.loss > 0 && this.random.float() < config.loss) return this.drop(from, to, messageId, "loss");
    this.schedule(link, from, to, messageId, payload);
    if (config.duplicate > 0 && this.random.float() < config.duplicate) {
      this.duplicated++;
      if (this.tracing) this.record("duplicate", from, to, messageId);
      this.schedule(link, from, to, messageId, payload);
    }
  }

  /** @internal Called by an endpoint's `close`. */
  detach(id: NodeId, endpoint: object): void {
    if (this.endpoints.get(id) === endpoint) this.endpoints.delete(id);
    // A crashed process loses what its kernel was buffering for it.
    const held = this.held.get(id);
    if (held === undefined) return;
    this.held.delete(id);
    for (const item of held) this.drop(item.from, item.to, item.messageId, "no_endpoint");
  }

  private schedule(link: LinkState, from: NodeId, to: NodeId, messageId: number, payload: unknown): void {
    const config = link.config;
    const now = this.clock.now();
    let due = now + (link.constantMs ?? sampleLatency(this.random, config.latency));
    if (config.reorder > 0 && this.random.float() < config.reorder) {
      due += sampleLatency(this.random, config.reorderDelay);
    } else {
      if (due < link.lastDue) due = link.lastDue;
      link.lastDue = due;
    }
    this.enqueue({ due, seq: this.nextSeq++, messageId, from, to, payload, serialized: this.clone });
  }

  private enqueue(item: InFlight): void {
    this.queue.push(item);
    this.arm(item.due);
  }

  private arm(due: number): void {
    if (this.timer !== undefined) {
      if (this.timerDue <= due) return;
      this.clock.clearTimer(this.timer);
    }
    this.timerDue = due;
    this.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), this.onTimer, { background: true });
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerDue = Infinity;
    this.deliverDue(this.nextSeq, Infinity);
  };

  /** Delivers due messages with a sequence number below `seqBound`, at most `limit` of them. */
  private deliverDue(seqBound: number, limit: number): number {
    let count = 0;
    try {
      for (;;) {
        const next = this.queue.peek();
        if (next === undefined || next.due > this.clock.now() || next.seq >= seqBound || count >= limit) break;
        this.queue.pop();
        count++;
        this.deliver(next);
      }
    } finally {
      // Re-arm even when a handler threw, so the rest of the traffic is not stranded.
      const next = this.queue.peek();
      if (next !== undefined) this.arm(next.due);
    }
    return count;
  }

  private deliver(item: InFlight): void {
    const { from, to } = item;
    if (this.hasCuts && this.isCut(from, to)) return this.drop(from, to, item.messageId, "partition");
    const pause = this.paused.get(to);
    if (pause !== undefined) {
      if (pause === "drop") return this.drop(from, to, item.messageId, "paused");
      let held = this.held.get(to);
      if (held === undefined) this.held.set(to, (held = []));
      held.push(item);
      this.heldCount++;
      if (this.tracing) this.record("hold", from, to, item.messageId);
      return;
    }
    const endpoint = this.endpoints.get(to);
    if (endpoint === undefined) return this.drop(from, to, item.messageId, "no_endpoint");
    const value = item.serialized ? JSON.parse(item.payload as string) : item.payload;
    this.delivered++;
    if (this.tracing) this.record("deliver", from, to, item.messageId);
    const invalid = endpoint.receive(from, value);
    if (invalid !== undefined) {
      this.delivered--;
      this.drop(from, to, item.messageId, "invalid_message");
      emitError(endpoint.errorHandlers, invalid);
    }
  }

  private drop(from: NodeId, to: NodeId, messageId: number, reason: DropReason): void {
    this.dropped[reason]++;
    if (this.tracing) this.traceBuffer.record({ time: this.clock.now(), event: "drop", from, to, messageId, reason });
  }

  private record(event: TraceEvent, from: NodeId, to: NodeId, messageId: number): void {
    this.traceBuffer.record({ time: this.clock.now(), event, from, to, messageId });
  }

  private link(from: NodeId, to: NodeId): LinkState {
    let row = this.links.get(from);
    if (row === undefined) this.links.set(from, (row = new Map()));
    let state = row.get(to);
    if (state === undefined) {
      const config = this.resolve(from, to);
      state = { config, constantMs: constantOf(config), lastDue: -Infinity };
      row.set(to, state);
    }
    return state;
  }

  private resolve(from: NodeId, to: NodeId): ResolvedLink {
    const override = this.overrides.get(from)?.get(to);
    return override === undefined ? this.defaultLink : linkConfigSchema.parse({ ...this.defaultInput, ...override });
  }

  private refreshLinks(): void {
    for (const [from, row] of this.links) {
      for (const [to, state] of row) {
        state.config = this.resolve(from, to);
        state.constantMs = constantOf(state.config);
      }
    }
  }
}

function constantOf(config: ResolvedLink): number | undefined {
  if (!isConstantLatency(config.latency)) return undefined;
  return config.latency.kind === "fixed" ? config.latency.ms : config.latency.kind === "uniform" ? config.latency.minMs : undefined;
}
