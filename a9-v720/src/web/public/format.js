// How cameras and times read in the dashboard.

export function relativeTime(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

export function exactTime(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t).toLocaleString();
}

/** The user's name, else the device id (the id stays visible as detail wherever a name shows). */
export function displayName(camera) {
  return typeof camera.name === 'string' && camera.name !== '' ? camera.name : camera.id;
}

/** The server reports `battery` only for plausible devPower values (0–100); trust it. */
export function batteryOf(camera) {
  return typeof camera.battery === 'number' ? camera.battery : undefined;
}

export function firmwareOf(camera) {
  return camera.firmware || (typeof camera.baseInfo?.version === 'string' ? camera.baseInfo.version : '');
}

/** Firmware reported not to work with any local server (docs/protocol.md §8). */
export function firmwareWarning(camera) {
  const fw = firmwareOf(camera);
  if (camera.state === 'mqtt-only') return 'This firmware only talks MQTT to the vendor cloud and is not supported yet.';
  if (/^\d{12}$/.test(fw) && fw >= '202411201737') return 'Firmware 202411201737 and newer is reported not to work with local servers.';
  return '';
}

export const STATE_HELP = {
  bootstrapped: 'Asked the HTTP bootstrap for its server, has not opened the control channel yet',
  registered: 'Control channel open (registered over TCP)',
  nat: 'Asked to open the UDP data channel',
  probing: 'UDP data channel found, setting up command mode',
  command: 'Command mode: ready for settings and video',
  streaming: 'Sending video and audio',
  'mqtt-only': 'Newer firmware that only talks MQTT to the vendor cloud — not supported yet',
  offline: 'Not connected',
};

/** Motion right now, or undefined while the add-on's motion detection is off for this camera. */
export function motionOf(camera) {
  const motion = camera.motion;
  return motion && motion.enabled === true && typeof motion.detected === 'boolean' ? motion.detected : undefined;
}

/** ISO time motion last started, or '' if never. */
export function lastMotionOf(camera) {
  return camera.motion && typeof camera.motion.lastMotionAt === 'string' ? camera.motion.lastMotionAt : '';
}
