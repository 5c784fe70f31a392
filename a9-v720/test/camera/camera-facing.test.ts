/** The address and ports handed to cameras, and the NAT request that carries them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CameraFacing, type HostNetwork } from '../../src/camera/camera-facing.js';
import { CameraSession, type ControlLink, type UdpLink } from '../../src/camera/camera-session.js';
import { CameraRegistry } from '../../src/camera/registry.js';
import { resolveCameraAddress } from '../../src/config.js';
import { captureLog } from '../support/log-capture.js';

/** A JSON packet as sent on TCP: 20-byte header, then the JSON payload. */
const decodePacket = (packet: Buffer): Record<string, unknown> =>
  JSON.parse(packet.subarray(20).toString('utf8')) as Record<string, unknown>;

const listening = { http: 80, tcp: 6123, web: 1234 };
const facing = (network: HostNetwork, serverIp?: string, lan?: string): CameraFacing =>
  new CameraFacing({ address: resolveCameraAddress(serverIp, network.hostAddress, () => lan), network, listening: () => listening });

describe('CameraFacing', () => {
  it('address: server_ip, then the Supervisor host address, then the connection, then detection', () => {
    assert.deepEqual(facing({ hostAddress: '192.168.1.5', ports: {} }, '192.168.1.9').address('172.30.33.4'), {
      address: '192.168.1.9',
      source: 'server_ip',
    });
    assert.deepEqual(facing({ hostAddress: '192.168.1.5', ports: {} }).address('172.30.33.4'), {
      address: '192.168.1.5',
      source: 'supervisor',
    });
    assert.deepEqual(facing({ ports: {} }, undefined, '10.0.0.7').address('192.168.1.5'), { address: '192.168.1.5', source: 'connection' });
    assert.deepEqual(facing({ ports: {} }, undefined, '10.0.0.7').address('0.0.0.0'), { address: '10.0.0.7', source: 'detected' });
    assert.deepEqual(facing({ ports: {} }, undefined, '10.0.0.7').address('fe80::1'), { address: '10.0.0.7', source: 'detected' });
    assert.deepEqual(facing({ ports: {} }).address(), { address: '127.0.0.1', source: 'detected' });
  });

  it('the address is resolved once: detection runs at most once, however many cameras ask', () => {
    let detections = 0;
    const detect = (): string => {
      detections++;
      return '10.0.0.7';
    };
    const once = new CameraFacing({
      address: resolveCameraAddress(undefined, undefined, detect),
      network: { ports: {} },
      listening: () => listening,
    });
    for (let i = 0; i < 5; i++) assert.equal(once.address(i % 2 === 0 ? undefined : '0.0.0.0').address, '10.0.0.7');
    assert.equal(detections, 1);
    resolveCameraAddress('192.168.1.9', '192.168.1.5', detect);
    resolveCameraAddress(undefined, '192.168.1.5', detect);
    assert.equal(detections, 1, 'no detection when server_ip or the Supervisor gives the address');
  });

  it('ports: the host side of the mapping, the container port when unmapped', () => {
    const mapped = facing({ ports: { '80/tcp': 80, '6123/tcp': 16123, '6123/udp': 16124, '1234/tcp': 8234 } });
    assert.equal(mapped.tcpPort(), 16123);
    assert.equal(mapped.udpPort(), 16124);
    assert.equal(mapped.webPort(), 8234);
    assert.deepEqual(mapped.disabledCameraPorts(), []);
    const plain = facing({ ports: {} });
    assert.equal(plain.tcpPort(), 6123);
    assert.equal(plain.udpPort(), 6123);
    assert.equal(plain.webPort(), 1234);
  });

  it('a port the user disabled: reported, and cameras still get the container port', () => {
    const disabled = facing({ ports: { '80/tcp': null, '6123/tcp': 6123, '6123/udp': null, '1234/tcp': null } });
    assert.deepEqual(disabled.disabledCameraPorts(), ['80/tcp', '6123/udp']);
    assert.equal(disabled.udpPort(), 6123);
    assert.equal(disabled.webPort(), null);
    // The TCP control port too: named with its protocol, in the order cameras use them.
    const allOff = facing({ ports: { '80/tcp': null, '6123/tcp': null, '6123/udp': null } });
    assert.deepEqual(allOff.disabledCameraPorts(), ['80/tcp', '6123/tcp', '6123/udp']);
    assert.equal(allOff.tcpPort(), 6123);
  });
});

describe('NAT request (code 11)', () => {
  it('carries the NAT target, not the address the camera reached us on', async () => {
    const sent: Buffer[] = [];
    const link: ControlLink = {
      send: (packet) => sent.push(packet),
      close: () => undefined,
      localAddress: '172.30.33.4',
      remoteAddress: '192.168.1.50',
      lastActivityAt: 0,
    };
    const udp: UdpLink = { send: () => undefined, port: 6123 };
    const registry = new CameraRegistry();
    const log = captureLog();
    const target = facing({ hostAddress: '192.168.1.5', ports: { '6123/udp': 16124 } });
    const session = new CameraSession(
      '0800c0F00001',
      link,
      udp,
      registry,
      log.logger,
      { probeMs: 50, reprobeMs: 50, echoMs: 50 },
      (local) => ({
        address: target.address(local).address,
        port: target.udpPort(),
      }),
    );
    await assert.rejects(session.ensureCommandMode(), /no UDP probe/);
    const nat = sent.map(decodePacket).find((message) => message['code'] === 11);
    assert.ok(nat, 'a NAT request was sent');
    assert.equal(nat['cliNatIp'], '192.168.1.5');
    assert.equal(nat['cliNatPort'], 16124);
    assert.equal(nat['cliIp'], '192.168.1.5');
    assert.equal(nat['cliPort'], 16124);
    session.disconnect('test over');
  });
});
