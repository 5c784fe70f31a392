// Every URL is relative ("./api/…") because the page may be served under a Home Assistant
// ingress prefix (/api/hassio_ingress/<token>/).

export const api = (path) => `./api/${path}`;
export const cameraUrl = (id, suffix = '') => api(`cameras/${encodeURIComponent(id)}${suffix}`);

/** Where LAN devices reach the media URLs; replaced by what ./api/info reports at start. */
export const lanAddress = { host: location.hostname, port: 1234, enabled: true, key: '' };

export async function errorText(response) {
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') return body.error;
  } catch {
    // not JSON
  }
  return `${response.status} ${response.statusText}`.trim();
}

/** Every mutating request goes as JSON: the server refuses anything else (cross-site forms). */
export async function send(method, id, suffix, body) {
  const response = await fetch(cameraUrl(id, suffix), {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw new Error(await errorText(response));
  try {
    return await response.json();
  } catch {
    return {};
  }
}

/**
 * The URL other devices use (not the ingress one): the add-on host's LAN address and web port
 * as the server reports them, else the host this page came from on the default port.
 */
export function lanMediaUrl(id, kind) {
  const host = lanAddress.host.includes(':') ? `[${lanAddress.host}]` : lanAddress.host;
  const key = lanAddress.key ? `?key=${encodeURIComponent(lanAddress.key)}` : '';
  return `http://${host}:${lanAddress.port}/api/cameras/${encodeURIComponent(id)}/${kind}${key}`;
}

export async function loadLanAddress() {
  try {
    const response = await fetch(api('info'), { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) return;
    const info = await response.json();
    if (typeof info.lanHost === 'string' && info.lanHost !== '') lanAddress.host = info.lanHost;
    if (Number.isInteger(info.webPort)) lanAddress.port = info.webPort;
    if (typeof info.lanMedia === 'boolean') lanAddress.enabled = info.lanMedia;
    if (typeof info.mediaKey === 'string') lanAddress.key = info.mediaKey;
  } catch {
    // Keep the defaults: the URLs are a convenience, the dashboard works without them.
  }
}

/**
 * The camera settings table (./api/settings): code, field, name, platform and values of each
 * setting. The controls are built from it, so the dashboard offers what the API accepts.
 */
export const settingsTable = { rows: [] };

export async function loadSettingsTable() {
  try {
    const response = await fetch(api('settings'), { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) return;
    const body = await response.json();
    if (body && Array.isArray(body.settings)) settingsTable.rows = body.settings;
  } catch {
    // No controls until the next page load; everything else keeps working.
  }
}
