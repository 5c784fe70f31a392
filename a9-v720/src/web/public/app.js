// Dashboard for the A9 / V720 add-on. Plain JS, no build step.
// Every URL is relative ("./api/…") because the page may be served under a Home Assistant
// ingress prefix (/api/hassio_ingress/<token>/).
'use strict';

const POLL_INTERVAL_MS = 3000;
const SSE_RETRY_MS = 30000;
const ERROR_VISIBLE_MS = 10000;
/** Default web_port: media URLs for other devices are shown with it. */
/** Where LAN devices reach the media URLs; replaced by what ./api/info reports at start. */
const lanAddress = { host: location.hostname, port: 1234, enabled: true };

const STATE_HELP = {
  bootstrapped: 'Asked the HTTP bootstrap for its server, has not opened the control channel yet',
  registered: 'Control channel open (registered over TCP)',
  nat: 'Asked to open the UDP data channel',
  probing: 'UDP data channel found, setting up command mode',
  command: 'Command mode: ready for settings and video',
  streaming: 'Sending video and audio',
  'mqtt-only': 'Newer firmware that only talks MQTT to the vendor cloud — not supported yet',
  offline: 'Not connected',
};

const ORIENTATIONS = [
  { value: 0, label: 'Normal' },
  { value: 2, label: 'Mirrored' },
  { value: 3, label: 'Upside down (flip)' },
  { value: 4, label: 'Rotated 180°' },
];

/** @type {Map<string, object>} camera id → last camera object from the API */
const cameras = new Map();
/** @type {Map<string, HTMLTableRowElement>} */
const rows = new Map();
/** @type {Map<string, number>} pending error-clear timers per camera */
const errorTimers = new Map();

const $ = (selector) => document.querySelector(selector);
const api = (path) => `./api/${path}`;
const cameraUrl = (id, suffix = '') => api(`cameras/${encodeURIComponent(id)}${suffix}`);

// ---------------------------------------------------------------------------------------------
// Formatting

function relativeTime(iso, now = Date.now()) {
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

function exactTime(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t).toLocaleString();
}

/** The server reports `battery` only for plausible devPower values (0–100); trust it. */
function batteryOf(camera) {
  return typeof camera.battery === 'number' ? camera.battery : undefined;
}

function firmwareOf(camera) {
  return camera.firmware || (typeof camera.baseInfo?.version === 'string' ? camera.baseInfo.version : '');
}

/** Firmware reported not to work with any local server (PROTOCOL.md §8). */
function firmwareWarning(camera) {
  const fw = firmwareOf(camera);
  if (camera.state === 'mqtt-only') return 'This firmware only talks MQTT to the vendor cloud and is not supported yet.';
  if (/^\d{12}$/.test(fw) && fw >= '202411201737') return 'Firmware 202411201737 and newer is reported not to work with local servers.';
  return '';
}

/**
 * The URL other devices use (not the ingress one): the add-on host's LAN address and web port
 * as the server reports them, else the host this page came from on the default port.
 */
function lanMediaUrl(id, kind) {
  const host = lanAddress.host.includes(':') ? `[${lanAddress.host}]` : lanAddress.host;
  return `http://${host}:${lanAddress.port}/api/cameras/${encodeURIComponent(id)}/${kind}`;
}

async function loadLanAddress() {
  try {
    const response = await fetch(api('info'), { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) return;
    const info = await response.json();
    if (typeof info.lanHost === 'string' && info.lanHost !== '') lanAddress.host = info.lanHost;
    if (Number.isInteger(info.webPort)) lanAddress.port = info.webPort;
    if (typeof info.lanMedia === 'boolean') lanAddress.enabled = info.lanMedia;
  } catch {
    // Keep the defaults: the URLs are a convenience, the dashboard works without them.
  }
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'text') node.textContent = value;
    else if (key === 'className') node.className = value;
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function cell(field, label) {
  return el('td', { dataset: { field, label } });
}

function buildRow(id) {
  const tr = el('tr', { dataset: { cameraId: id } });

  const idCell = cell('id', 'Camera id');
  idCell.append(el('code', { className: 'camera-id' }));
  const actions = cell('actions', 'Actions');

  const buttons = el('div', { className: 'actions' });
  buttons.append(
    el('button', { type: 'button', dataset: { action: 'snapshot' }, text: 'Snapshot', title: 'Take a still image' }),
    el('button', { type: 'button', dataset: { action: 'live' }, text: 'Live', title: 'Watch the MJPEG stream' }),
    el('button', { type: 'button', className: 'toggle', dataset: { action: 'ir-led' }, 'aria-pressed': 'false', text: 'IR LED' }),
    el('button', { type: 'button', className: 'toggle', dataset: { action: 'status-led' }, 'aria-pressed': 'false', text: 'Status LED' }),
  );
  const select = el('select', { dataset: { action: 'orientation' }, 'aria-label': 'Image orientation', title: 'Image orientation' });
  select.append(el('option', { value: '', text: 'Orientation…', disabled: true }));
  for (const o of ORIENTATIONS) select.append(el('option', { value: String(o.value), text: o.label }));
  buttons.append(
    select,
    el('button', { type: 'button', dataset: { action: 'restart' }, text: 'Restart', title: 'Reboot the camera' }),
    el('button', { type: 'button', className: 'danger', dataset: { action: 'forget' }, text: 'Forget', title: 'Remove the camera from the add-on and Home Assistant' }),
  );

  const links = el('details', { className: 'links' }, el('summary', { text: 'URLs' }));
  const list = el('ul');
  for (const [name, suffix] of [['Snapshot', '/snapshot'], ['MJPEG stream', '/stream'], ['Audio (WAV)', '/audio']]) {
    list.append(
      el('li', {},
        el('span', { text: `${name} ` }),
        el('a', { dataset: { link: suffix.slice(1) }, target: '_blank', rel: 'noopener', text: 'open' }),
        el('code', { className: 'lan-url', dataset: { lanUrl: suffix.slice(1) } })),
    );
  }
  links.append(list, el('p', { className: 'hint', dataset: { field: 'lan-hint' } }));
  actions.append(buttons, links, el('p', { className: 'row-error', role: 'alert', dataset: { field: 'error' }, hidden: true }));

  tr.append(
    idCell,
    cell('ip', 'IP'),
    cell('status', 'Status'),
    cell('last-seen', 'Last seen'),
    cell('state', 'Protocol state'),
    cell('firmware', 'Firmware'),
    cell('battery', 'Battery'),
    actions,
  );
  return tr;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function renderStatus(td, camera) {
  const text = camera.online ? 'connected' : 'disconnected';
  let badge = td.firstElementChild;
  if (!badge) {
    badge = el('span', { className: 'badge' });
    td.append(badge);
  }
  badge.className = `badge ${camera.online ? 'badge-on' : 'badge-off'}`;
  setText(badge, text);
  badge.title = camera.online ? 'Control channel connected' : camera.offlineReason ? `Disconnected: ${camera.offlineReason}` : 'Not connected';
}

function renderState(td, camera) {
  // One wrapper, so the card layout's label column stays aligned.
  const box = el('div');
  td.replaceChildren(box);
  box.append(el('span', { className: `state state-${camera.state}`, text: camera.state || 'unknown', title: STATE_HELP[camera.state] || '' }));
  if (camera.streaming && camera.state !== 'streaming') box.append(el('span', { className: 'note', text: 'streaming' }));
  if (camera.tokenOk === false) {
    box.append(el('span', { className: 'note warn', text: 'token mismatch', title: 'The camera registered with a token we did not hand out (it may have cached an old bootstrap answer). Power-cycle it.' }));
  }
  if (!camera.online && camera.offlineReason) box.append(el('span', { className: 'note', text: camera.offlineReason }));
}

function renderRow(tr, camera) {
  const q = (field) => tr.querySelector(`[data-field="${field}"]`);
  tr.classList.toggle('is-offline', !camera.online);
  tr.dataset.online = String(Boolean(camera.online));
  tr.dataset.state = camera.state || '';

  setText(tr.querySelector('.camera-id'), camera.id);
  setText(q('ip'), camera.ip || '—');
  renderStatus(q('status'), camera);

  const seen = q('last-seen');
  seen.dataset.ts = camera.lastSeen || '';
  setText(seen, relativeTime(camera.lastSeen));
  seen.title = camera.lastSeen ? `Last seen ${exactTime(camera.lastSeen)}${camera.firstSeen ? ` · first seen ${exactTime(camera.firstSeen)}` : ''}` : '';

  renderState(q('state'), camera);

  const fwCell = q('firmware');
  const warning = firmwareWarning(camera);
  let fw = fwCell.firstElementChild;
  if (!fw) {
    fw = el('span', { className: 'fw' });
    fwCell.append(fw);
  }
  setText(fw, firmwareOf(camera) || '—');
  fw.classList.toggle('warn', Boolean(warning));
  fw.title = warning;

  const battery = batteryOf(camera);
  setText(q('battery'), battery === undefined ? '—' : `${battery} %`);

  const info = camera.baseInfo || {};
  const online = Boolean(camera.online);
  const button = (action) => tr.querySelector(`[data-action="${action}"]`);
  const busy = (node) => node.dataset.busy === 'true';

  button('snapshot').disabled = !online || busy(button('snapshot'));
  button('live').disabled = !online;
  button('restart').disabled = !online || busy(button('restart'));

  renderToggle(button('ir-led'), 'IR LED', info.IrLed, online);
  renderToggle(button('status-led'), 'Status LED', info.instLed, online);

  const select = tr.querySelector('[data-action="orientation"]');
  const flip = info.mirrorFlip;
  const known = ORIENTATIONS.some((o) => o.value === flip);
  if (document.activeElement !== select && !busy(select)) select.value = known ? String(flip) : '';
  select.disabled = !online || !known || busy(select);

  for (const link of tr.querySelectorAll('a[data-link]')) {
    const href = cameraUrl(camera.id, `/${link.dataset.link}`);
    if (link.getAttribute('href') !== href) link.setAttribute('href', href);
  }
  for (const code of tr.querySelectorAll('code[data-lan-url]')) {
    setText(code, lanMediaUrl(camera.id, code.dataset.lanUrl));
  }
  setText(
    tr.querySelector('[data-field="lan-hint"]'),
    lanAddress.enabled
      ? 'Other devices on your network (go2rtc, the MJPEG and Generic Camera integrations) use these plain URLs.'
      : 'The lan_media option is off: only Home Assistant and this dashboard can open the media.',
  );
}

/** value: 0 off, 1 on, 2 auto (IR on some units), undefined unknown. */
function renderToggle(node, label, value, online) {
  const known = typeof value === 'number';
  const state = !known ? 'unknown' : value === 0 ? 'off' : value === 2 ? 'auto' : 'on';
  node.dataset.state = state;
  node.setAttribute('aria-pressed', String(known && value !== 0));
  setText(node, `${label}: ${state}`);
  node.title = known ? `${label} is ${state}; click to turn it ${value === 0 ? 'on' : 'off'}` : `${label} state unknown until the camera reports its settings`;
  node.disabled = !online || !known || node.dataset.busy === 'true';
}

function render() {
  const list = [...cameras.values()];
  const tbody = $('#camera-rows');
  const online = list.filter((c) => c.online).length;

  const summary = $('#summary');
  summary.dataset.online = String(online);
  summary.dataset.total = String(list.length);
  setText(summary, `${online} / ${list.length} online`);
  document.title = list.length ? `A9 / V720 Cameras (${online}/${list.length})` : 'A9 / V720 Cameras';

  $('#empty').hidden = list.length > 0;
  $('#cameras').hidden = list.length === 0;

  for (const [id, tr] of rows) {
    if (!cameras.has(id)) {
      tr.remove();
      rows.delete(id);
    }
  }
  // The API sends the list sorted by IP; keep that order in the DOM.
  let previous = null;
  for (const camera of list) {
    let tr = rows.get(camera.id);
    if (!tr) {
      tr = buildRow(camera.id);
      rows.set(camera.id, tr);
    }
    renderRow(tr, camera);
    const expectedPosition = previous ? previous.nextElementSibling : tbody.firstElementChild;
    if (expectedPosition !== tr) {
      if (previous) previous.after(tr);
      else tbody.prepend(tr);
    }
    previous = tr;
  }
}

function applyList(list) {
  if (!Array.isArray(list)) return;
  cameras.clear();
  for (const camera of list) if (camera && typeof camera.id === 'string') cameras.set(camera.id, camera);
  render();
}

function applyCamera(camera) {
  if (!camera || typeof camera.id !== 'string' || !cameras.has(camera.id)) return;
  cameras.set(camera.id, camera);
  render();
}

function tickRelativeTimes() {
  const now = Date.now();
  for (const td of document.querySelectorAll('td[data-field="last-seen"]')) {
    if (td.dataset.ts) setText(td, relativeTime(td.dataset.ts, now));
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

function showGlobalError(message) {
  const node = $('#global-error');
  node.hidden = !message;
  setText(node, message || '');
}

function showRowError(id, message) {
  const tr = rows.get(id);
  if (!tr) return;
  const node = tr.querySelector('[data-field="error"]');
  node.hidden = !message;
  setText(node, message || '');
  clearTimeout(errorTimers.get(id));
  if (message) errorTimers.set(id, setTimeout(() => showRowError(id, ''), ERROR_VISIBLE_MS));
}

async function errorText(response) {
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') return body.error;
  } catch {
    // not JSON
  }
  return `${response.status} ${response.statusText}`.trim();
}

// ---------------------------------------------------------------------------------------------
// Updates: server-sent events, polling as a fallback

let eventSource = null;
let pollTimer = null;
let sseRetryTimer = null;

function setConnection(mode, text) {
  const node = $('#connection');
  node.dataset.mode = mode;
  setText(node, text);
}

async function refresh() {
  try {
    const response = await fetch(api('cameras'), { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) throw new Error(await errorText(response));
    applyList(await response.json());
    showGlobalError('');
    return true;
  } catch (error) {
    showGlobalError(`Cannot load the camera list: ${error.message}. Retrying…`);
    return false;
  }
}

function startPolling() {
  if (pollTimer) return;
  setConnection('polling', 'polling every 3 s');
  pollTimer = setInterval(refresh, POLL_INTERVAL_MS);
  refresh();
  // Try server-sent events again later; they are cheaper and faster than polling.
  clearTimeout(sseRetryTimer);
  sseRetryTimer = setTimeout(startEvents, SSE_RETRY_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
}

function startEvents() {
  if (typeof EventSource !== 'function') {
    startPolling();
    return;
  }
  if (eventSource) eventSource.close();
  const source = new EventSource(api('events'));
  eventSource = source;
  const onList = (event) => {
    try {
      applyList(JSON.parse(event.data));
      showGlobalError('');
    } catch {
      // ignore a malformed event; the next one or the poll fixes the view
    }
  };
  source.addEventListener('cameras', onList);
  source.addEventListener('open', () => {
    stopPolling();
    clearTimeout(sseRetryTimer);
    setConnection('live', 'live');
    // Events only arrive on change: fetch once so the view is current right away.
    refresh();
  });
  source.addEventListener('error', () => {
    if (eventSource !== source) return;
    // EventSource retries by itself while CONNECTING; poll meanwhile so the page stays current.
    if (source.readyState === EventSource.CLOSED) {
      source.close();
      eventSource = null;
    }
    startPolling();
  });
}

// ---------------------------------------------------------------------------------------------
// Actions

async function post(id, suffix, body) {
  const response = await fetch(cameraUrl(id, suffix), {
    method: 'POST',
    headers: body ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(await errorText(response));
  try {
    return await response.json();
  } catch {
    return {};
  }
}

async function withBusy(id, node, work) {
  node.dataset.busy = 'true';
  node.disabled = true;
  node.classList.add('busy');
  showRowError(id, '');
  try {
    await work();
  } catch (error) {
    showRowError(id, error.message || String(error));
  } finally {
    delete node.dataset.busy;
    node.classList.remove('busy');
    const camera = cameras.get(id);
    const tr = rows.get(id);
    if (camera && tr) renderRow(tr, camera);
  }
}

async function changeSetting(id, node, setting) {
  await withBusy(id, node, async () => {
    const result = await post(id, '/settings', setting);
    if (result && result.camera) applyCamera(result.camera);
  });
}

function openViewer(id, kind) {
  const dialog = $('#viewer');
  const img = $('#viewer-image');
  const status = $('#viewer-status');
  const live = kind === 'live';
  const url = live ? cameraUrl(id, '/stream') : `${cameraUrl(id, '/snapshot')}?t=${Date.now()}`;
  dialog.dataset.cameraId = id;
  dialog.dataset.kind = kind;
  setText($('#viewer-title'), `${live ? 'Live view' : 'Snapshot'} · ${id}`);
  $('#viewer-open').href = url;
  img.alt = `${live ? 'Live view' : 'Snapshot'} of camera ${id}`;
  img.classList.remove('failed');
  setText(status, live ? 'Connecting to the camera…' : 'Waiting for a frame…');
  img.onload = () => setText(status, live ? '' : `Taken ${new Date().toLocaleTimeString()}`);
  img.onerror = () => {
    if (!dialog.open) return;
    img.classList.add('failed');
    setText(status, live ? 'The stream stopped or could not start. Is the camera online?' : 'No snapshot: the camera sent no frame in time.');
  };
  img.src = url;
  if (!dialog.open) {
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
  }
}

function closeViewer() {
  const dialog = $('#viewer');
  if (typeof dialog.close === 'function' && dialog.open) dialog.close();
  else dialog.removeAttribute('open');
  stopViewerImage();
}

/** Removing src ends the MJPEG request, so the camera stops streaming when nobody watches. */
function stopViewerImage() {
  const img = $('#viewer-image');
  img.onload = null;
  img.onerror = null;
  img.removeAttribute('src');
  setText($('#viewer-status'), '');
}

async function onAction(event) {
  const node = event.target.closest('[data-action]');
  if (!node || node.tagName === 'SELECT') return;
  const tr = node.closest('tr[data-camera-id]');
  if (!tr) return;
  const id = tr.dataset.cameraId;
  const camera = cameras.get(id);
  if (!camera) return;
  const info = camera.baseInfo || {};

  switch (node.dataset.action) {
    case 'snapshot':
    case 'live':
      openViewer(id, node.dataset.action);
      break;
    case 'ir-led':
      await changeSetting(id, node, { IrLed: info.IrLed === 0 ? 1 : 0 });
      break;
    case 'status-led':
      await changeSetting(id, node, { instLed: info.instLed === 0 ? 1 : 0 });
      break;
    case 'restart':
      await withBusy(id, node, async () => {
        await post(id, '/restart');
        showRowError(id, '');
        const note = tr.querySelector('[data-field="error"]');
        note.hidden = false;
        note.classList.add('info');
        setText(note, 'Restart sent. The camera reconnects in about 30 seconds.');
        setTimeout(() => note.classList.remove('info'), ERROR_VISIBLE_MS);
        clearTimeout(errorTimers.get(id));
        errorTimers.set(id, setTimeout(() => showRowError(id, ''), ERROR_VISIBLE_MS));
      });
      break;
    case 'forget':
      if (!window.confirm(`Forget camera ${id}? It disappears from the add-on and Home Assistant until it connects again.`)) return;
      await withBusy(id, node, async () => {
        const response = await fetch(cameraUrl(id), { method: 'DELETE' });
        if (!response.ok && response.status !== 404) throw new Error(await errorText(response));
        cameras.delete(id);
        render();
      });
      break;
    default:
      break;
  }
}

async function onChange(event) {
  const select = event.target.closest('select[data-action="orientation"]');
  if (!select || select.value === '') return;
  const tr = select.closest('tr[data-camera-id]');
  if (!tr) return;
  await changeSetting(tr.dataset.cameraId, select, { mirrorFlip: Number(select.value) });
  select.blur();
}

function init() {
  const tbody = $('#camera-rows');
  tbody.addEventListener('click', onAction);
  tbody.addEventListener('change', onChange);

  const dialog = $('#viewer');
  $('#viewer-close').addEventListener('click', closeViewer);
  dialog.addEventListener('close', stopViewerImage);
  dialog.addEventListener('cancel', stopViewerImage);
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) closeViewer(); // click on the backdrop
  });

  const helpToggle = $('#help-toggle');
  helpToggle.addEventListener('click', () => {
    const help = $('#help');
    help.hidden = !help.hidden;
    helpToggle.setAttribute('aria-expanded', String(!help.hidden));
  });

  setInterval(tickRelativeTimes, 1000);
  void loadLanAddress();
  refresh().then((ok) => {
    $('#empty').hidden = cameras.size > 0 || !ok;
  });
  startEvents();
}

init();
