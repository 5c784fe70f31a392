/**
 * MqttConnection loads mqtt.js only in start() (an add-on without a broker never holds it); a
 * stop() that comes while it is still loading must win. Against a real mosquitto.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { createLogger } from '../../src/log.js';
import { MqttConnection, type BrokerSettings } from '../../src/ha/mqtt-connection.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { within } from '../support/within.js';

const options = (clientId: string) => ({
  clientId,
  will: { topic: `test/${clientId}/state`, payload: 'offline' },
  reconnectPeriodMs: 100,
  connectTimeoutMs: 2000,
  keepaliveSeconds: 30,
});

test('a stop while mqtt.js is still loading wins: that connection never opens, another one does', async (t) => {
  const broker = await MosquittoBroker.create();
  t.after(() => broker.dispose());
  const settings: BrokerSettings = { url: broker.url, protocolVersion: 4, source: 'options' };
  const logger = createLogger('fatal');
  const stopped = new MqttConnection(settings, options('stopped'), logger);
  let stoppedConnected = false;
  stopped.on('connect', () => (stoppedConnected = true));
  const starting = stopped.start();
  await stopped.stop(500);
  await within(starting, 10_000, 'the stopped start() to resolve');

  // The control: the same broker, started normally, connects; the stopped one had as long and more.
  const control = new MqttConnection(settings, options('control'), logger);
  t.after(() => control.stop(500));
  const connected = once(control, 'connect');
  await control.start();
  await within(connected, 10_000, 'the control connection to connect');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(stoppedConnected, false, 'a connection stopped during start() must not connect afterwards');
  assert.equal(stopped.connected, false, 'the stopped connection reports itself disconnected');
  assert.equal(control.connected, true, 'the control connection is connected');
});
