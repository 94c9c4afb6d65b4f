// A Mosquitto of a test's own, for tests that stop and restart the broker. Started through
// scripts/lib.sh, so it runs from the same config as every other broker of the project.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const lib = fileURLToPath(new URL('../../../scripts/lib.sh', import.meta.url));

function portAccepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts Mosquitto on free loopback ports, or on the given ones (to restart in place). */
export async function startBroker({ tcpPort, wsPort, dir } = {}) {
  const runDir = dir ?? mkdtempSync(join(tmpdir(), 'lamplighter-broker-'));
  const script = `
    source "$1"
    tcp=\${2:-$(free_port)}
    ws=\${3:-$(free_port)}
    start_mosquitto "$4" "$tcp" "$ws" >&2
    echo "$MOSQUITTO_PID $tcp $ws"`;
  const { stdout } = await run('bash', ['-c', script, 'bash', lib, String(tcpPort ?? ''), String(wsPort ?? ''), runDir]);
  const [pid, tcp, ws] = stdout.trim().split(/\s+/).map(Number);
  return {
    pid,
    dir: runDir,
    tcpPort: tcp,
    wsPort: ws,
    wsUrl: `ws://127.0.0.1:${ws}`,
    /** Kills the broker (SIGKILL by default) and waits until its ports are closed. */
    async kill(signal = 'SIGKILL') {
      if (alive(pid)) process.kill(pid, signal);
      while (alive(pid) || (await portAccepts(ws))) {
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** Starts it again on the same ports, with the same persistence directory. */
    restart() {
      return startBroker({ tcpPort: tcp, wsPort: ws, dir: runDir });
    },
  };
}
