import { describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../../src/core/errors.js";
import { ServiceRegistry, serviceKey } from "../../src/core/services.js";

describe("ServiceRegistry", () => {
  const COUNTER = serviceKey<{ count: number }>("test.counter");

  it("registers, looks up and creates services under typed keys", () => {
    const registry = new ServiceRegistry();
    expect(registry.tryGet(COUNTER)).toBeUndefined();
    const created = registry.getOrCreate(COUNTER, () => ({ count: 1 }));
    expect(registry.getOrCreate(COUNTER, () => ({ count: 99 }))).toBe(created);
    expect(registry.get(COUNTER).count).toBe(1);
    expect(registry.names()).toEqual(["test.counter"]);
    expect(registry.unregister(COUNTER)).toBe(true);
    expect(registry.has(COUNTER)).toBe(false);
  });

  it("refuses a second registration and names a missing service", () => {
    const registry = new ServiceRegistry();
    registry.register(COUNTER, { count: 0 });
    expect(() => registry.register(COUNTER, { count: 1 })).toThrow(ValidationError);
    registry.replace(COUNTER, { count: 2 });
    expect(registry.get(COUNTER).count).toBe(2);
    const missing = serviceKey<string>("test.missing");
    expect(() => registry.get(missing)).toThrow(NotFoundError);
    expect(() => registry.get(missing)).toThrow(/test\.missing/);
    expect(() => serviceKey("  ")).toThrow(ValidationError);
  });

  it("two registries never share services (no process-wide singleton)", () => {
    const a = new ServiceRegistry();
    const b = new ServiceRegistry();
    a.register(COUNTER, { count: 1 });
    expect(b.has(COUNTER)).toBe(false);
  });
});
