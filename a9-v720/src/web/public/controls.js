// A camera's controls (settings, restart, forget, URLs ready to copy), built once per place they
// appear (a list row, the live view) and re-rendered from the camera object the API sends.
import { cameraUrl, lanAddress, lanMediaUrl } from './api.js';
import { el, setText } from './dom.js';

export const ORIENTATIONS = [
  { value: 0, label: 'Normal' },
  { value: 2, label: 'Mirrored' },
  { value: 3, label: 'Upside down (flip)' },
  { value: 4, label: 'Rotated 180°' },
];

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

/** Setting buttons and the orientation menu. */
export function buildSettings() {
  const box = el('div', { className: 'actions settings' });
  box.append(
    el('button', { type: 'button', className: 'toggle', dataset: { action: 'ir-led' }, 'aria-pressed': 'false', text: 'IR LED' }),
    el('button', { type: 'button', className: 'toggle', dataset: { action: 'status-led' }, 'aria-pressed': 'false', text: 'Status LED' }),
  );
  const select = el('select', { dataset: { action: 'orientation' }, 'aria-label': 'Image orientation', title: 'Image orientation' });
  select.append(el('option', { value: '', text: 'Orientation…', disabled: true }));
  for (const o of ORIENTATIONS) select.append(el('option', { value: String(o.value), text: o.label }));
  box.append(select);
  return box;
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

/** value: 0 off, 1 on, 2 auto (IR on some units), undefined unknown. */
function renderToggle(node, label, value, online) {
  if (!node) return;
  const known = typeof value === 'number';
  const state = !known ? 'unknown' : value === 0 ? 'off' : value === 2 ? 'auto' : 'on';
  node.dataset.state = state;
  node.setAttribute('aria-pressed', String(known && value !== 0));
  setText(node, `${label}: ${state}`);
  node.title = known
    ? `${label} is ${state}; click to turn it ${value === 0 ? 'on' : 'off'}`
    : `${label} state unknown until the camera reports its settings`;
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

  renderToggle(button('ir-led'), 'IR LED', info.IrLed, online);
  renderToggle(button('status-led'), 'Status LED', info.instLed, online);

  const select = button('orientation');
  if (select) {
    const flip = info.mirrorFlip;
    const known = ORIENTATIONS.some((o) => o.value === flip);
    if (document.activeElement !== select && !busy(select)) select.value = known ? String(flip) : '';
    select.disabled = !online || !known || busy(select);
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
