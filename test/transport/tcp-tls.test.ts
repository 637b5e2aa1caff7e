import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TcpAuth, TcpTransport } from "../../src/tcp.js";
import { createPki, type Identity, type TestPki } from "./certs.js";
import { link, startNode, waitFor, type Started } from "./tcp-helpers.js";

let pki: TestPki;
let rogue: TestPki;
const ids: Record<string, Identity> = {};

beforeAll(async () => {
  pki = await createPki();
  rogue = await createPki("rogue CA");
  ids["a"] = await pki.issue("a");
  ids["b"] = await pki.issue("b");
  ids["mallory"] = await pki.issue("mallory");
  ids["rogue-a"] = await rogue.issue("a");
});

function tls(name: string, ca = pki.caCert): TcpAuth {
  const id = ids[name];
  if (id === undefined) throw new Error(`no identity ${name}`);
  return { kind: "tls", key: id.key, cert: id.cert, ca };
}

const open: Array<TcpTransport<never>> = [];
async function node<M>(localId: string, auth: TcpAuth): Promise<Started<M>> {
  const started = await startNode<M>({ localId, auth });
  open.push(started.transport as unknown as TcpTransport<never>);
  return started;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe("TcpTransport with mutual TLS", () => {
  it("connects peers whose certificates name them, and delivers in order", async () => {
    const a = await node<number>("a", tls("a"));
    const b = await node<number>("b", tls("b"));
    link(a, b);
    for (let i = 0; i < 300; i++) {
      a.transport.send("b", i);
      b.transport.send("a", -i);
    }
    await waitFor(() => a.received.length === 300 && b.received.length === 300, "delivery over TLS");
    expect(b.received.map(([, n]) => n)).toEqual([...Array(300).keys()]);
    expect(a.received.every(([from], i) => from === "b" && a.received[i]?.[1] === -i)).toBe(true);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it("refuses a peer whose valid certificate names someone else", async () => {
    // mallory holds a certificate from the right CA, but claims to be "a".
    const a = await node<string>("a", tls("mallory"));
    const b = await node<string>("b", tls("b"));
    link(a, b);
    a.transport.send("b", "I am a, honest");
    await waitFor(() => b.errors.some((e) => e.reason === "auth_failed"), "b to refuse the certificate");
    expect(b.errors.find((e) => e.reason === "auth_failed")?.message).toContain('certificate does not name "a"');
    expect(b.received).toEqual([]);
    expect(b.transport.metrics().authFailures).toBeGreaterThan(0);
  });

  it("refuses a certificate from another CA, and a listener whose certificate names another node", async () => {
    const a = await node<string>("a", tls("rogue-a"));
    const b = await node<string>("b", tls("b"));
    link(a, b);
    a.transport.send("b", "trust me");
    await waitFor(() => b.errors.some((e) => e.reason === "auth_failed"), "b to refuse the rogue certificate");
    expect(b.received).toEqual([]);
    await Promise.all(open.splice(0).map((t) => t.close()));
    // The listener presents mallory's certificate while the dialer expects "b".
    const a2 = await node<string>("a", tls("a"));
    const b2 = await node<string>("b", tls("mallory"));
    link(a2, b2);
    a2.transport.send("b", "for b only");
    await waitFor(() => a2.errors.some((e) => e.reason === "connection" || e.reason === "auth_failed") || a2.transport.metrics().reconnects > 1, "the dialer to refuse");
    expect(b2.received).toEqual([]);
    expect(a2.transport.metrics().peers["b"]?.connected).toBe(false);
  });
});
