/**
 * A loopback TCP relay a test can cut and restore, to cut a client off from one server while the
 * server itself keeps running (and keeps applying what the rest of its cluster does), then let the
 * client back in at a moment the test chooses.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpRelay {
  /** `http://127.0.0.1:<port>`: where clients connect instead of the target. */
  readonly url: string;
  /** Ends every relayed connection and refuses new ones (accepted, then destroyed at once). */
  cut(): void;
  /** Relays new connections again. */
  restore(): void;
  close(): Promise<void>;
}

/** Relays connections on a fresh loopback port to `target` (`host:port` or an `http://host:port` URL). */
export async function startTcpRelay(target: string): Promise<TcpRelay> {
  const { hostname, port } = new URL(target.includes("://") ? target : `tcp://${target}`);
  let cut = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const relayPort = typeof address === "object" && address !== null ? address.port : 0;
  const dropAll = (): void => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    url: `http://127.0.0.1:${relayPort}`,
    cut() {
      cut = true;
      dropAll();
    },
    restore() {
      cut = false;
    },
    async close() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
