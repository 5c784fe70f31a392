// A camera's controls (settings, restart, forget, URLs ready to copy), built once per place they
// appear (a list row, the live view) and re-rendered from the camera object the API sends.
import { cameraUrl, lanAddress, lanMediaUrl, settingsTable } from './api.js';
import { el, setText } from './dom.js';
import { exactTime, lastMotionOf, relativeTime } from './format.js';

export const MEDIA_LINKS = [
  ['Snapshot', 'snapshot'],
  ['MJPEG stream', 'stream'],
  ['Audio (WAV)', 'audio'],
];

/** A URL the API hands out as it is (it may carry a per-install key), else one built from /api/info. */
function mediaUrlOf(camera, kind) {
  const given = camera.urls && typeof camera.urls[kind] === 'string' ? camera.urls[kind] : undefined;
  return given ?? lanMediaUrl(camera.id, kind);
}

/** The rows the dashboard offers as controls; actions (restart) have their own button. */
export const settingRows = () => settingsTable.rows.filter((row) => row.platform === 'switch' || row.platform === 'select');

/** The row a control was built from (`data-setting` holds the row's field). */
export const settingOf = (node) => settingRows().find((row) => row.field === node.dataset.setting);

const actionOf = (row) => row.key.replaceAll('_', '-');
const capitalized = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** One control per settings row: a toggle for a switch, a menu for a select. */
function buildSettingControl(row) {
  const dataset = { action: actionOf(row), setting: row.field };
  if (row.platform === 'switch')
    return el('button', { type: 'button', className: 'toggle', dataset, 'aria-pressed': 'false', text: row.name });
  const select = el('select', { dataset });
  select.append(el('option', { value: '', text: '…', disabled: true }));
  for (const { value, label } of row.values) select.append(el('option', { value: String(value), text: capitalized(label) }));
  // A visible name: a menu showing only "Mirror" does not say what it sets.
  return el('label', { className: 'setting-select' }, el('span', { text: row.name }), select);
}

/**
 * Where the setting controls go; they are built when the settings table is known (it is loaded
 * at start), by renderControls. `inline` lays them out among the row's other buttons.
 */
export function buildSettings(inline = false) {
  return el(inline ? 'span' : 'div', { className: inline ? 'setting-controls' : 'actions settings', dataset: { settings: 'pending' } });
}

function fillSettings(root) {
  if (settingsTable.rows.length === 0) return;
  for (const box of root.querySelectorAll('[data-settings="pending"]')) {
    box.replaceChildren(...settingRows().map(buildSettingControl));
    box.dataset.settings = 'built';
  }
}

/**
 * Motion detection (the add-on's own, not a camera setting): on/off, sensitivity, what it sees.
 * `compact` (list rows) has the switch only.
 */
export function buildMotion(compact = false) {
  const toggle = el('button', {
    type: 'button',
    className: 'toggle',
    dataset: { action: 'motion' },
    'aria-pressed': 'false',
    text: 'Motion detection',
    title: 'While on, the camera streams all the time (Wi-Fi, battery) and the add-on reports motion to Home Assistant',
  });
  if (compact) return toggle;
  const slider = el('input', {
    type: 'range',
    min: '1',
    max: '100',
    step: '1',
    dataset: { action: 'motion-sensitivity' },
    'aria-label': 'Motion sensitivity',
  });
  return el(
    'div',
    { className: 'motion-controls' },
    el('div', { className: 'actions' }, toggle),
    el(
      'label',
      { className: 'motion-sensitivity' },
      el('span', { text: 'Sensitivity ' }),
      slider,
      el('output', { dataset: { field: 'motion-sensitivity' } }),
    ),
    el(
      'p',
      { className: 'motion-state' },
      el('span', { dataset: { field: 'motion-now' } }),
      ' ',
      el('span', { className: 'hint', dataset: { field: 'last-motion' } }),
    ),
  );
}

function renderMotion(root, camera) {
  const motion = camera.motion;
  const toggle = root.querySelector('[data-action="motion"]');
  if (!toggle || !motion) return;
  toggle.dataset.state = motion.enabled ? 'on' : 'off';
  toggle.setAttribute('aria-pressed', String(motion.enabled));
  setText(toggle, `Motion detection: ${motion.enabled ? 'on' : 'off'}`);
  toggle.disabled = busy(toggle);
  const slider = root.querySelector('[data-action="motion-sensitivity"]');
  if (slider) {
    if (document.activeElement !== slider && !busy(slider)) slider.value = String(motion.sensitivity);
    slider.disabled = busy(slider);
    setText(root.querySelector('[data-field="motion-sensitivity"]'), slider.value);
  }
  const now = root.querySelector('[data-field="motion-now"]');
  if (now) {
    setText(now, !motion.enabled ? 'Detection off' : !camera.online ? 'Camera offline' : motion.detected ? 'Motion now' : 'No motion');
    now.className = motion.enabled && motion.detected ? 'badge badge-motion' : '';
  }
  const last = root.querySelector('[data-field="last-motion"]');
  if (last) {
    const at = lastMotionOf(camera);
    last.dataset.ts = at;
    setText(last, at ? `last motion ${relativeTime(at)}` : 'no motion seen yet');
    last.title = at ? exactTime(at) : '';
  }
}

export function buildDeviceActions() {
  return el(
    'div',
    { className: 'actions' },
    el('button', { type: 'button', dataset: { action: 'restart' }, text: 'Restart', title: 'Reboot the camera' }),
    el('button', {
      type: 'button',
      className: 'danger',
      dataset: { action: 'forget' },
      text: 'Forget',
      title: 'Remove the camera from the add-on and Home Assistant',
    }),
  );
}

/** The media URLs: open here (through the ingress prefix), or copy the LAN URL for other devices. */
export function buildLinks(open = false) {
  const links = el('details', { className: 'links', open }, el('summary', { text: 'URLs' }));
  const list = el('ul');
  for (const [name, kind] of MEDIA_LINKS) {
    list.append(
      el(
        'li',
        {},
        el('span', { text: `${name} ` }),
        el('a', { dataset: { link: kind }, target: '_blank', rel: 'noopener', text: 'open' }),
        el('button', {
          type: 'button',
          className: 'copy',
          dataset: { action: 'copy', copy: kind },
          text: 'Copy',
          title: `Copy the ${name} URL`,
        }),
        el('code', { className: 'lan-url', dataset: { lanUrl: kind } }),
      ),
    );
  }
  links.append(list, el('p', { className: 'hint', dataset: { field: 'lan-hint' } }));
  return links;
}

export function buildErrorLine() {
  return el('p', { className: 'row-error', role: 'alert', dataset: { field: 'error' }, hidden: true });
}

const busy = (node) => node.dataset.busy === 'true';

/** The value a toggle sends when clicked: on when it is off, else off. */
export function toggledValue(row, current) {
  const [off, on] = row.values;
  return current === off.value ? on.value : off.value;
}

/** A switch row's toggle; value undefined = unknown until the camera reports its settings. */
function renderToggle(node, row, value, online) {
  const known = typeof value === 'number';
  const [off] = row.values;
  const label = [...row.values, ...(row.reportedOnly ?? [])].find((v) => v.value === value)?.label;
  const state = !known ? 'unknown' : (label ?? String(value));
  node.dataset.state = state;
  node.setAttribute('aria-pressed', String(known && value !== off.value));
  setText(node, `${row.name}: ${state}`);
  node.title = known
    ? `${row.name} is ${state}; click to turn it ${value === off.value ? 'on' : 'off'}`
    : `${row.name} state unknown until the camera reports its settings`;
  node.disabled = !online || !known || busy(node);
}

/** A select row's menu: shows the reported value, or nothing when it is not one of the row's. */
function renderSelect(node, row, value, online) {
  const known = row.values.some((v) => v.value === value);
  if (document.activeElement !== node && !busy(node)) node.value = known ? String(value) : '';
  node.disabled = !online || !known || busy(node);
}

/** Updates every control inside `root` (whatever subset of them it holds) for `camera`. */
export function renderControls(root, camera) {
  const info = camera.baseInfo || {};
  const online = Boolean(camera.online);
  const button = (action) => root.querySelector(`[data-action="${action}"]`);

  for (const action of ['snapshot', 'restart']) {
    const node = button(action);
    if (node) node.disabled = !online || busy(node);
  }
  const live = button('live');
  if (live) live.disabled = !online;

  renderMotion(root, camera);
  fillSettings(root);
  for (const node of root.querySelectorAll('[data-setting]')) {
    const row = settingOf(node);
    if (!row) continue;
    if (row.platform === 'switch') renderToggle(node, row, info[row.field], online);
    else renderSelect(node, row, info[row.field], online);
  }

  for (const link of root.querySelectorAll('a[data-link]')) {
    const href = cameraUrl(camera.id, `/${link.dataset.link}`);
    if (link.getAttribute('href') !== href) link.setAttribute('href', href);
  }
  for (const code of root.querySelectorAll('code[data-lan-url]')) setText(code, mediaUrlOf(camera, code.dataset.lanUrl));
  setText(
    root.querySelector('[data-field="lan-hint"]'),
    lanAddress.enabled
      ? 'Other devices on your network (go2rtc, the MJPEG and Generic Camera integrations) use these plain URLs.'
      : 'The lan_media option is off: only Home Assistant and this dashboard can open the media.',
  );
}

/** Clipboard API where allowed (secure contexts), else select the text so the user can copy it. */
export async function copyText(code) {
  const text = code.textContent || '';
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(code);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return false;
  }
}
