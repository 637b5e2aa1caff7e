import { afterEach, describe, expect, it } from "vitest";
import { Random } from "../../src/core/random.js";
import { decodeKvCommand, encodeKvCommand, KvStateMachine, RaftNode } from "../../src/consensus/index.js";
import { checkLinearizable, keyValueModel, type KvInput, type KvOutput, type Operation } from "../../src/testing/index.js";
import { KvCluster } from "./support/kv-cluster.js";

const SPECIAL = ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString"];

let cluster: KvCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe("keys are data: names of Object.prototype members survive every path", () => {
  it("apply, snapshot and restore keep every key and client session", () => {
    const machine = new KvStateMachine();
    SPECIAL.forEach((key, i) => machine.apply({ op: "put", key, value: `v${i}`, client: key, seq: 1 }));
    const restored = new KvStateMachine();
    restored.restore(machine.snapshot());
    for (const [i, key] of SPECIAL.entries()) expect(restored.get(key)).toBe(`v${i}`);
    expect(restored.keys().sort()).toEqual([...SPECIAL].sort());
    // The sessions came back too: a retry of client "__proto__"'s request is answered, not re-applied.
    expect(restored.apply({ op: "put", key: "__proto__", value: "again", client: "__proto__", seq: 1 })).toEqual({ previous: null, ok: true });
    expect(restored.get("__proto__")).toBe("v0");
  });

  it("a snapshot written in the earlier object format restores its __proto__ key", () => {
    const legacy = '{"data":{"__proto__":"p","a":"1"},"sessions":{"__proto__":{"seq":3,"result":{"previous":null,"ok":true}}}}';
    const machine = new KvStateMachine();
    machine.restore(legacy);
    expect(machine.get("__proto__")).toBe("p");
    expect(machine.get("a")).toBe("1");
    expect(machine.apply({ op: "put", key: "a", value: "2", client: "__proto__", seq: 3 })).toEqual({ previous: null, ok: true });
    expect(machine.get("a")).toBe("1");
  });

  it("a __proto__ key in a hostile snapshot cannot reach the prototype of the machine's objects", () => {
    const machine = new KvStateMachine();
    machine.restore('{"data":{"__proto__":{"polluted":"yes"}},"sessions":{}}'.replace('{"polluted":"yes"}', '"x"'));
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(machine.get("__proto__")).toBe("x");
  });

  it("commands for these keys encode and decode in both the compact and the JSON form", () => {
    for (const key of SPECIAL) {
      expect(decodeKvCommand(encodeKvCommand({ op: "put", key, value: "v" }))).toMatchObject({ op: "put", key, value: "v" });
      expect(decodeKvCommand(JSON.stringify({ op: "delete", key }))).toMatchObject({ op: "delete", key });
    }
  });

  it("over the network and through a snapshot installed on a lagging member", async () => {
    cluster = new KvCluster(["a", "b", "c"], { snapshotEvery: 4 }, 8);
    const c = cluster;
    await c.startAll();
    const leader = await c.waitForLeader();
    const lagging = ["a", "b", "c"].find((id) => id !== leader.host.id) as string;
    c.network.isolate(lagging);
    for (const [i, key] of SPECIAL.entries()) await c.until(leader.put(key, `v${i}`));
    for (let i = 0; i < 10; i++) await c.until(leader.put(`filler${i}`, "x"));
    c.network.heal();
    await c.run(1000);
    expect(c.kv(lagging).host.metrics().snapshotsInstalled).toBeGreaterThan(0);
    for (const [i, key] of SPECIAL.entries()) {
      expect(c.kv(lagging).localGet(key)).toBe(`v${i}`);
      expect(await c.until(c.kv(lagging).get(key))).toBe(`v${i}`);
    }
    await c.until(leader.delete("__proto__"));
    await c.run(50);
    expect(c.kv(lagging).localGet("__proto__")).toBeNull();
  });

  it("the key-value model checks a __proto__ key like any other", () => {
    const op = (input: KvInput, output: KvOutput, call: number): Operation<KvInput, KvOutput> => ({ clientId: 1, input, output, call, return: call + 1 });
    const good = [op({ kind: "put", key: "__proto__", value: "a" }, {}, 0), op({ kind: "delete", key: "__proto__" }, { ok: true }, 2), op({ kind: "get", key: "__proto__" }, { value: null }, 4)];
    expect(checkLinearizable(good, keyValueModel()).verdict).toBe("ok");
    const bad = [op({ kind: "put", key: "__proto__", value: "a" }, {}, 0), op({ kind: "delete", key: "__proto__" }, { ok: true }, 2), op({ kind: "get", key: "__proto__" }, { value: "a" }, 4)];
    expect(checkLinearizable(bad, keyValueModel()).verdict).toBe("illegal");
    const model = keyValueModel();
    let state = model.step({}, { kind: "put", key: "__proto__", value: "a" }, {})[1];
    state = model.step(state, { kind: "put", key: "b", value: "1" }, {})[1];
    state = model.step(state, { kind: "delete", key: "b" }, { ok: true })[1];
    expect(Object.keys(state)).toEqual(["__proto__"]);
    expect(model.step(state, { kind: "get", key: "__proto__" }, { value: "a" })[0]).toBe(true);
  });

  it("a member id named __proto__ shows in the leader's progress", () => {
    const node = new RaftNode({ id: "__proto__", voters: ["__proto__"], random: new Random(1) });
    const drain = (): void => {
      while (node.hasReady()) {
        node.ready();
        node.advance();
      }
    };
    drain();
    node.campaign();
    drain();
    expect(node.isLeader()).toBe(true);
    expect(Object.keys(node.status().progress)).toEqual(["__proto__"]);
  });
});
