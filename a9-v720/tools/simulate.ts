/**
 * Runs simulated cameras against any server (a local dev server or the add-on on a test
 * box): `npm run simulate -- --count 5 --host 127.0.0.1 --http-port 8080 --profile lossy-home-wifi`.
 * `--profile a,b,c` cycles the named profiles over the cameras; `--profiles` lists them.
 * `--motion walk|lights|noise` streams a motion clip (a shape walking through a still room, a sudden
 * brightness change, sensor noise) instead of the demo frames, to try the add-on's motion detection.
 * Cameras bind 127.0.0.x source addresses, so the host must be a loopback address.
 *
 * `--ap` runs one camera in access-point mode instead (docs/protocol.md §9), for trying the
 * pairing helper: `npm run simulate -- --ap --ap-port 6123 --ssid Home --password 12345678
 * --http-port 8080`, then `python3 src/pairing/a9-pair.py --ssid Home --password 12345678
 * --camera 127.0.0.1:6123`. The camera accepts only that network (anything else is refused),
 * then restarts and bootstraps against --host:--http-port like any simulated camera.
 * `--ap-delay MS` makes it answer slowly.
 */
import { ApCamera } from '../src/simulator/ap-camera.js';
import { createFleet, startFleet, stopFleet } from '../src/simulator/fleet.js';
import { motionClip, MOTION_PROFILES, type MotionProfile } from '../src/simulator/motion-scenes.js';
import { CAMERA_PROFILES, isProfileName, PROFILE_NAMES, type ProfileName } from '../src/simulator/profiles.js';

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

if (process.argv.includes('--profiles')) {
  for (const name of PROFILE_NAMES) process.stdout.write(`${name.padEnd(24)} ${CAMERA_PROFILES[name].description}\n`);
  process.exit(0);
}
const count = Number(arg('count', '3'));
const host = arg('host', '127.0.0.1');
const httpPort = Number(arg('http-port', '8080'));
if (process.argv.includes('--ap')) {
  const id = arg('id', '0800c0A0000F');
  const ap = new ApCamera({
    id,
    listenHost: arg('ap-host', '127.0.0.1'),
    listenPort: Number(arg('ap-port', '6123')),
    networks: [{ ssid: arg('ssid', 'Home'), password: arg('password', '12345678'), server: { host, httpPort } }],
    answerDelayMs: Number(arg('ap-delay', '0')),
  });
  ap.on('exchange', (outcome) =>
    process.stdout.write(`${id} (access point): ${outcome.kind}${'reason' in outcome ? ` (${outcome.reason})` : ''}\n`),
  );
  ap.on('restarting', (wifi) =>
    process.stdout.write(`${id} accepted ${JSON.stringify(wifi.ssid)}: restarting onto it, bootstrap at ${host}:${httpPort}\n`),
  );
  ap.on('registered', () => process.stdout.write(`${id} registered with the server\n`));
  ap.on('fault', (error) => process.stdout.write(`${id}: ${error.message}\n`));
  const port = await ap.start();
  process.stdout.write(`${id} in access-point mode on ${arg('ap-host', '127.0.0.1')}:${port}; Ctrl-C to stop\n`);
  process.on('SIGINT', () => {
    ap.stop();
    process.exit(0);
  });
} else {
  const fps = Number(arg('fps', '10'));
  const requested = arg('profile', 'ideal')
    .split(',')
    .filter((name) => name !== '');
  const unknown = requested.filter((name) => !isProfileName(name));
  if (unknown.length > 0) {
    process.stderr.write(`simulate: unknown profile ${unknown.join(', ')}; known: ${PROFILE_NAMES.join(', ')}\n`);
    process.exit(2);
  }
  const profiles = requested as ProfileName[];
  if (!/^127\.|^::1$|^localhost$/.test(host)) {
    process.stderr.write('simulate: only loopback hosts are allowed (the simulator binds 127.0.0.x source addresses)\n');
    process.exit(2);
  }
  const motion = arg('motion', '');
  if (motion !== '' && !MOTION_PROFILES.includes(motion as MotionProfile)) {
    process.stderr.write(`simulate: unknown motion clip ${motion}; known: ${MOTION_PROFILES.join(', ')}\n`);
    process.exit(2);
  }
  // 1 s still, 2 s of the event, 11 s still: longer than the add-on's 10 s hold, so each pass is one event.
  const frames =
    motion === '' ? undefined : (await motionClip(motion as MotionProfile, { stillBefore: 10, eventFrames: 20, stillAfter: 110 })).frames;
  const fleet = createFleet({
    count,
    host,
    httpPort,
    fps,
    idPrefix: arg('prefix', '0800c0S'),
    profiles,
    ...(frames ? { overrides: { frames } } : {}),
  });
  const started = await startFleet(fleet);
  process.stdout.write(
    `${started}/${count} simulated cameras started against ${host}:${httpPort} (profiles: ${profiles.join(', ')}${motion ? `; motion clip: ${motion}` : ''}); Ctrl-C to stop\n`,
  );
  fleet.forEach((camera, index) => {
    process.stdout.write(`${camera.id}: ${profiles[index % profiles.length]}\n`);
    camera.on('disconnected', (reason) => process.stdout.write(`${camera.id} disconnected: ${reason}\n`));
    camera.on('registered', () => process.stdout.write(`${camera.id} registered\n`));
  });
  process.on('SIGINT', () => {
    stopFleet(fleet);
    process.exit(0);
  });
}
