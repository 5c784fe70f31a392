/**
 * What another host on the LAN can send to take over a camera, played from a loopback address:
 * a registration of the camera's id over TCP, and UDP probes naming it followed by its own
 * frames. Used by the hijack tests and bench/hijack.ts. Loopback only.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { Cmd, decodeDatagram } from '../../src/protocol/header.js';
import { encodeCameraJson } from '../../src/protocol/messages.js';
import { rawBootstrapRequest, rawHttpExchange } from '../../src/simulator/bootstrap-client.js';
import { encodeJpegFragments } from '../../src/simulator/media-encoder.js';

export interface ServerPorts {
  readonly http: number;
  readonly tcp: number;
}

/** The attacker's own bootstrap (to get a pwd), then a TCP registration with the camera's id. */
export async function attackerRegister(ports: ServerPorts, id: string, localAddress: string): Promise<{ answered: boolean }> {
  const answer = await rawHttpExchange('127.0.0.1', ports.http, rawBootstrapRequest(id, '202212011602'), { localAddress });
  const pwd = answer.status === 200 ? (JSON.parse(answer.body) as { data: { pwd: string } }).data.pwd : 'deadbeef';
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: ports.tcp, localAddress }, () =>
      socket.write(encodeCameraJson({ code: 100, uid: id, token: pwd, domain: 'v720.naxclow.com' })),
    );
    const finish = (answered: boolean): void => {
      socket.destroy();
      resolve({ answered });
    };
    socket.once('data', () => finish(true));
    socket.once('close', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

/** A UDP socket of the attacker's that counts the 605 confirms the server sends it. */
export interface UdpAttacker {
  readonly socket: dgram.Socket;
  /** Sizes of the 605 confirms received (a confirm to an attacker would make it the camera). */
  readonly confirmsReceived: number[];
  /** A 51 probe naming `cameraId`, then every fragment of `jpeg` numbered from `firstPkgId`. */
  spoof(tcpPort: number, cameraId: string, jpeg: Buffer, firstPkgId: number): number;
  close(): void;
}

export async function udpAttacker(address: string): Promise<UdpAttacker> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  const confirmsReceived: number[] = [];
  socket.on('message', (datagram) => {
    const decoded = decodeDatagram(datagram);
    if (decoded.ok && decoded.packet.cmd === Cmd.RetransmitConfirm) confirmsReceived.push(datagram.length);
  });
  return {
    socket,
    confirmsReceived,
    spoof(tcpPort, cameraId, jpeg, firstPkgId) {
      socket.send(encodeCameraJson({ code: 51, devTarget: cameraId, status: 200 }), tcpPort, '127.0.0.1');
      const { datagrams } = encodeJpegFragments(jpeg, firstPkgId);
      for (const datagram of datagrams) socket.send(datagram, tcpPort, '127.0.0.1');
      return 1 + datagrams.length;
    },
    close: () => socket.close(),
  };
}
