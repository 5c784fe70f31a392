// Dashboard for the A9 / V720 add-on: a wall of camera tiles (or a compact list), a live view
// with the camera's controls, and names. Plain JS modules, no build step. Every URL is relative
// ("./api/…") because the page may be served under a Home Assistant ingress prefix.
import { api, cameraUrl, errorText, loadLanAddress, loadSettingsTable, send } from './api.js';
import { setupAddCamera } from './add-camera.js';
import { $, setText } from './dom.js';
import { displayName } from './format.js';
import { copyText, settingOf, toggledValue } from './controls.js';
import { CameraList } from './camera-list.js';
import { LiveView } from './live-view.js';
import { SetupView } from './setup-view.js';
import { TileWall } from './tiles.js';

const POLL_INTERVAL_MS = 3000;
const SSE_RETRY_MS = 30000;
const ERROR_VISIBLE_MS = 10000;
const VIEW_KEY = 'a9v720.dashboard.view';

/** @type {Map<string, object>} camera id → last camera object from the API, in API order (by IP) */
const cameras = new Map();
const wall = new TileWall($('#tiles'), (id) => cameras.get(id));
const list = new CameraList($('#camera-rows'));
const viewer = new LiveView({ onOpen: () => wall.setPaused(true), onClose: () => wall.setPaused(false) });
/** @type {WeakMap<Element, number>} pending clear timers of error lines */
const errorTimers = new WeakMap();
let view = 'grid';

// ---------------------------------------------------------------------------------------------
// Rendering

function render() {
  const all = [...cameras.values()];
  const online = all.filter((c) => c.online).length;
  const summary = $('#summary');
  summary.dataset.online = String(online);
  summary.dataset.total = String(all.length);
  setText(summary, `${online} / ${all.length} online`);
  document.title = all.length ? `A9 / V720 Cameras (${online}/${all.length})` : 'A9 / V720 Cameras';
  $('#empty').hidden = all.length > 0;
  $('#tiles').hidden = all.length === 0 || view !== 'grid';
  $('#cameras').hidden = all.length === 0 || view !== 'list';
  // Only the visible view is kept current; the other catches up when it is shown.
  if (view === 'grid') wall.render(all);
  else list.render(all);
  const open = viewer.cameraId;
  if (open !== undefined) {
    const camera = cameras.get(open);
    if (camera) viewer.render(camera);
    else viewer.close(); // forgotten meanwhile
  }
}

function applyList(next) {
  if (!Array.isArray(next)) return;
  cameras.clear();
  for (const camera of next) if (camera && typeof camera.id === 'string') cameras.set(camera.id, camera);
  render();
}

function applyCamera(camera) {
  if (!camera || typeof camera.id !== 'string' || !cameras.has(camera.id)) return;
  cameras.set(camera.id, camera);
  render();
}

function setView(next, remember = true) {
  view = next === 'list' ? 'list' : 'grid';
  document.body.dataset.view = view;
  for (const button of document.querySelectorAll('[data-view]')) button.setAttribute('aria-pressed', String(button.dataset.view === view));
  if (remember) {
    try {
      localStorage.setItem(VIEW_KEY, view);
    } catch {
      // Storage can be off in a webview; the choice then lasts for this page only.
    }
  }
  render();
}

function rememberedView() {
  try {
    return localStorage.getItem(VIEW_KEY) === 'list' ? 'list' : 'grid';
  } catch {
    return 'grid';
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

function showGlobalError(message) {
  const node = $('#global-error');
  node.hidden = !message;
  setText(node, message || '');
}

/** Shows a message in the error line of `container` (a row, a tile, the live view's side). */
function showError(container, message, kind = 'error') {
  const node = container?.querySelector('[data-field="error"]');
  if (!node) return;
  node.hidden = !message;
  node.classList.toggle('info', kind === 'info');
  setText(node, message || '');
  clearTimeout(errorTimers.get(node));
  if (message)
    errorTimers.set(
      node,
      setTimeout(() => showError(container, ''), ERROR_VISIBLE_MS),
    );
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
  source.addEventListener('cameras', (event) => {
    try {
      applyList(JSON.parse(event.data));
      showGlobalError('');
    } catch {
      // ignore a malformed event; the next one or the poll fixes the view
    }
  });
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
// Actions (one delegated handler for tiles, rows and the live view's side panel)

async function withBusy(container, node, work) {
  node.dataset.busy = 'true';
  node.disabled = true;
  node.classList.add('busy');
  showError(container, '');
  try {
    await work();
  } catch (error) {
    showError(container, error.message || String(error));
  } finally {
    delete node.dataset.busy;
    node.classList.remove('busy');
    render();
  }
}

async function changeSetting(container, id, node, setting) {
  await withBusy(container, node, async () => {
    const result = await send('POST', id, '/settings', setting);
    if (result && result.camera) applyCamera(result.camera);
  });
}

/** The motion API answers with the camera's motion state: merge it into the camera object. */
async function changeMotion(container, id, node, change) {
  await withBusy(container, node, async () => {
    const motion = await send('PUT', id, '/motion', change);
    const camera = cameras.get(id);
    if (camera && motion) applyCamera({ ...camera, motion });
  });
}

async function onAction(event) {
  const node = event.target.closest('[data-action]');
  if (!node || node.tagName === 'SELECT') return;
  const container = node.closest('[data-camera-id]');
  if (!container) return;
  const id = container.dataset.cameraId;
  const camera = cameras.get(id);
  if (!camera) return;
  const info = camera.baseInfo || {};

  const setting = settingOf(node);
  if (setting) {
    await changeSetting(container, id, node, { [setting.field]: toggledValue(setting, info[setting.field]) });
    return;
  }
  switch (node.dataset.action) {
    case 'open':
      viewer.open(camera, 'live');
      break;
    case 'snapshot':
    case 'live':
      viewer.open(camera, node.dataset.action);
      break;
    case 'tile-snapshot':
      wall.takeSnapshot(id, node, (message) => showError(container, message));
      break;
    case 'motion':
      await changeMotion(container, id, node, { enabled: !(camera.motion && camera.motion.enabled) });
      break;
    case 'restart':
      await withBusy(container, node, async () => {
        await send('POST', id, '/restart');
        showError(container, 'Restart sent. The camera reconnects in about 30 seconds.', 'info');
      });
      break;
    case 'forget':
      if (
        !window.confirm(
          `Forget camera ${displayName(camera)} (${id})? It disappears from the add-on and Home Assistant until it connects again.`,
        )
      )
        return;
      await withBusy(container, node, async () => {
        const response = await fetch(cameraUrl(id), { method: 'DELETE', headers: { 'content-type': 'application/json' } });
        if (!response.ok && response.status !== 404) throw new Error(await errorText(response));
        cameras.delete(id);
        if (viewer.cameraId === id) viewer.close();
      });
      break;
    case 'copy': {
      const code = node.parentElement.querySelector('code[data-lan-url]');
      const copied = await copyText(code);
      setText(node, copied ? 'Copied' : 'Selected');
      setTimeout(() => setText(node, 'Copy'), 2000);
      break;
    }
    default:
      break;
  }
}

async function onChange(event) {
  const slider = event.target.closest('input[data-action="motion-sensitivity"]');
  if (slider) {
    const container = slider.closest('[data-camera-id]');
    if (container) await changeMotion(container, container.dataset.cameraId, slider, { sensitivity: Number(slider.value) });
    return;
  }
  const select = event.target.closest('select[data-setting]');
  const setting = select && settingOf(select);
  if (!setting || select.value === '') return;
  const container = select.closest('[data-camera-id]');
  if (!container) return;
  await changeSetting(container, container.dataset.cameraId, select, { [setting.field]: Number(select.value) });
  select.blur();
}

/** Shows the sensitivity while the slider moves; the value is sent on release (change). */
function onSliderInput(event) {
  const slider = event.target.closest('input[data-action="motion-sensitivity"]');
  const output = slider?.parentElement.querySelector('output[data-field="motion-sensitivity"]');
  if (output) setText(output, slider.value);
}

async function onRename(event) {
  event.preventDefault();
  const id = viewer.cameraId;
  if (!id) return;
  const input = $('#name-input');
  const button = $('#rename-save');
  const note = $('#rename-error');
  button.disabled = true;
  setText(note, '');
  try {
    const result = await send('PUT', id, '/name', { name: input.value });
    if (result && result.camera) applyCamera(result.camera);
    input.value = result?.camera?.name || '';
    setText(note, 'Saved.');
    note.classList.add('info');
  } catch (error) {
    note.classList.remove('info');
    setText(note, error.message || String(error));
  } finally {
    button.disabled = false;
  }
}

function init() {
  for (const root of [$('#tiles'), $('#camera-rows'), $('#viewer-controls')]) {
    root.addEventListener('click', onAction);
    root.addEventListener('change', onChange);
    root.addEventListener('input', onSliderInput);
  }
  $('#rename-form').addEventListener('submit', onRename);
  for (const button of document.querySelectorAll('[data-view]')) button.addEventListener('click', () => setView(button.dataset.view));

  const helpToggle = $('#help-toggle');
  helpToggle.addEventListener('click', () => {
    const help = $('#help');
    help.hidden = !help.hidden;
    helpToggle.setAttribute('aria-expanded', String(!help.hidden));
  });

  setupAddCamera($('#add-camera-open'));
  void new SetupView($('#setup'), $('#setup-toggle')).start();

  setView(rememberedView(), false);
  setInterval(() => {
    const now = Date.now();
    if (view === 'grid') wall.tickAges(now);
    else list.tickTimes(now);
  }, 1000);
  void loadLanAddress().then(render);
  void loadSettingsTable().then(render);
  refresh().then((ok) => {
    $('#empty').hidden = cameras.size > 0 || !ok;
  });
  startEvents();
}

init();
