// A TCP relay between the page and the broker that a test can cut and restore, to take the
// network away from the page alone while the broker and its other clients carry on.
import { connect, createServer } from 'node:net';

export async function startRelay(targetPort) {
  const sockets = new Set();
  const pairs = new Set();
  let server;
  let port = 0;
  const listen = () =>
    new Promise((resolve) => {
      server = createServer((client) => {
        const upstream = connect({ host: '127.0.0.1', port: targetPort });
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
        const pair = { client, upstream };
        pairs.add(pair);
        client.on('close', () => pairs.delete(pair));
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(port, '127.0.0.1', () => {
        port = server.address().port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    /** Drops every relayed connection and refuses new ones. */
    async cut() {
      await new Promise((resolve) => {
        server.close(resolve);
        sockets.forEach((s) => s.destroy());
      });
    },
    /** Stops reading what the page sends, as a link that has stalled: its send buffer fills. */
    pause() {
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        client.pause();
      }
    },
    /** Carries what the page sends again. */
    resume() {
      for (const { client, upstream } of pairs) client.pipe(upstream);
    },
    /** Accepts connections again, on the same port. */
    restore: listen,
    async stop() {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
