import { describe, expect, it } from "vitest";
import { KvStateMachine } from "../../src/consensus/index.js";

describe("KvStateMachine revisions: the log index of each key's last write", () => {
  it("a write moves the key's revision to its entry's index; a failed compare-and-set and other keys' writes do not", () => {
    const machine = new KvStateMachine();
    machine.apply({ op: "put", key: "a", value: "1" }, 5);
    machine.apply({ op: "put", key: "b", value: "1" }, 6);
    expect(machine.apply({ op: "cas", key: "a", expected: "nope", value: "2" }, 7)).toEqual({ previous: "1", ok: false });
    expect(machine.revision("a")).toBe(5);
    expect(machine.apply({ op: "cas", key: "a", expected: "1", value: "2" }, 8).ok).toBe(true);
    expect(machine.revision("a")).toBe(8);
    expect(machine.revision("b")).toBe(6);
    machine.apply({ op: "delete", key: "a" }, 9);
    expect(machine.revision("a")).toBe(0);
  });

  it("snapshots keep revisions; an earlier (v2) snapshot restores its keys at revision 0", () => {
    const machine = new KvStateMachine();
    machine.apply({ op: "put", key: "a", value: "1" }, 11);
    const restored = new KvStateMachine();
    restored.restore(machine.snapshot());
    expect(restored.revision("a")).toBe(11);
    restored.restore('{"v":2,"data":[["a","1"]],"sessions":[]}');
    expect(restored.get("a")).toBe("1");
    expect(restored.revision("a")).toBe(0);
  });
});
