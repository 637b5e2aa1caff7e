/**
 * What an etcd backend's own code costs per call, apart from the etcd3 client and the cluster: the
 * same requests through the bare client and through {@link EtcdKV}, both with the client's transport
 * replaced by an in-process answer (etcd3's `mock`), so the CPU measured is request building, argument
 * validation, the request bound and result decoding, free of network and cluster noise.
 */
import { Etcd3, type ICallable } from "etcd3";
import type { Clock } from "../../src/core/clock.js";
import { EtcdKV } from "../../src/etcd/index.js";
import { CLIENTS, VALUE } from "./control-plane-workload.js";

const putAnswer = { header: { revision: "1" } };
const rangeAnswer = { header: { revision: "1" }, kvs: [], more: false, count: "0" };

/** Answers every request at once, as etcd would for a put (with no previous value) or an empty range. */
const instantEtcd: Pick<ICallable<unknown>, "exec"> = {
  // The client reads these answers as the gRPC response types; they carry every field it touches.
  exec: <T>(_service: unknown, method: string): Promise<T> => Promise.resolve((method === "put" ? putAnswer : rangeAnswer) as T),
};

/** {@link EtcdKV} whose client can be mocked, for this measurement only. */
class MockedEtcdKV extends EtcdKV {
  mockTransport(): void {
    this.client.mock(instantEtcd);
  }
}

/** CPU µs per call, median of alternating rounds, for the bare client and for `EtcdKV`. */
export interface ClientCost {
  readonly bareWrite: number;
  readonly kvWrite: number;
  readonly bareRead: number;
  readonly kvRead: number;
}

/** CPU per call with the workload's {@link CLIENTS} callers each keeping one call in flight. */
async function cpuMicrosPerCall(calls: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = next++; i < calls; i = next++) await op(i);
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Measures {@link ClientCost} over `rounds` rounds of `calls` calls each, contenders alternating. */
export async function measureClientCost(clock: Clock, hosts: readonly string[], rounds = 9, calls = 20_000): Promise<ClientCost> {
  const bare = new Etcd3({ hosts: [...hosts] });
  const kv = new MockedEtcdKV({ clock, hosts, prefix: "bench/" });
  bare.mock(instantEtcd);
  kv.mockTransport();
  const contenders: Record<keyof ClientCost, (i: number) => Promise<unknown>> = {
    bareWrite: (i) => bare.put(`bench/bare/k${i % 1000}`).value(VALUE).getPrevious(),
    kvWrite: (i) => kv.put(`k${i % 1000}`, VALUE),
    bareRead: (i) => bare.get(`bench/bare/k${i % 1000}`).exec(),
    kvRead: (i) => kv.read(`k${i % 1000}`),
  };
  const names = Object.keys(contenders) as Array<keyof ClientCost>;
  const samples = new Map<keyof ClientCost, number[]>(names.map((n) => [n, []]));
  try {
    for (const name of names) await cpuMicrosPerCall(calls / 4, contenders[name]); // warm the JIT
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const name of order) samples.get(name)?.push(await cpuMicrosPerCall(calls, contenders[name]));
    }
  } finally {
    await kv.close();
    bare.close();
  }
  return { bareWrite: median(samples.get("bareWrite") ?? []), kvWrite: median(samples.get("kvWrite") ?? []), bareRead: median(samples.get("bareRead") ?? []), kvRead: median(samples.get("kvRead") ?? []) };
}
