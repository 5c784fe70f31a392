import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { ControlServer } from '../../src/camera/control-server.js';
import { DeviceSecrets } from '../../src/camera/device-secrets.js';
import { CameraRegistry } from '../../src/camera/registry.js';
import { SessionManager } from '../../src/camera/session-manager.js';
import { encodeCameraJson } from '../../src/protocol/messages.js';
import { PacketStreamDecoder } from '../../src/protocol/stream-decoder.js';
import { captureLog } from '../support/log-capture.js';
import { waitFor } from '../support/app-harness.js';

test('at the cap of unregistered connections the oldest idle one is closed, so a camera still gets in', async () => {
  const log = captureLog();
  const registry = new CameraRegistry();
  const sessions = new SessionManager({
    registry,
    logger: log.logger,
    baseInfoDelayMs: 60_000,
  });
  sessions.setUdpLink({ send: () => undefined, port: 0 });
  const control = new ControlServer({
    registry,
    sessions,
    secrets: DeviceSecrets.fromSecret(Buffer.alloc(32, 7)),
    logger: log.logger,
    offlineAfterMs: 60_000,
    maxPendingConnections: 3,
  });
  await control.start();
  const port = control.port;
  const connect = () =>
    new Promise<{ socket: net.Socket; closed: Promise<void> }>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve({ socket, closed }));
      const closed = new Promise<void>((done) => socket.on('close', () => done()));
      socket.on('error', () => undefined);
    });
  try {
    const idle = [];
    for (let i = 0; i < 3; i++) {
      idle.push(await connect());
      await waitFor(() => control.connectionCount === i + 1, 'server saw the connection');
    }
    // A camera arrives while three idle connections fill the cap: the oldest one makes room.
    const camera = await connect();
    const decoder = new PacketStreamDecoder();
    const answered = new Promise<number>((resolve) =>
      camera.socket.on('data', (chunk) => decoder.push(chunk).forEach((p) => resolve(p.length))),
    );
    camera.socket.write(encodeCameraJson({ code: 100, uid: '0800c0L00001', token: 'x', domain: 'v720.naxclow.com' }));
    // 25 payload bytes: the vendor cloud's compact `{"code":101,"status":200}` (docs/protocol.md §3).
    assert.equal(await answered, 25, 'the 101 answer');
    await idle[0]!.closed;
    assert.equal(registry.get('0800c0L00001')?.online, true);
    assert.ok(
      log.find(/3 unregistered TCP connections are open: closing the oldest \(127\.0\.0\.1\)/),
      'closing the oldest unregistered connection is logged',
    );
    // The other idle ones are untouched; the registered camera no longer counts as pending.
    const another = await connect();
    await waitFor(() => control.connectionCount === 4, 'four connections open');
    assert.equal(idle[1]!.socket.destroyed, false);
    assert.equal(idle[2]!.socket.destroyed, false);
    another.socket.destroy();
    camera.socket.destroy();
    for (const { socket } of idle) socket.destroy();
  } finally {
    await control.stop();
  }
});
