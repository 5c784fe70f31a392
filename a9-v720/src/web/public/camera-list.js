// The compact list view: one table row per camera (a card per camera on a phone).
import { el, setText } from './dom.js';
import { STATE_HELP, batteryOf, displayName, exactTime, firmwareOf, firmwareWarning, relativeTime } from './format.js';
import { buildDeviceActions, buildErrorLine, buildLinks, buildMotion, buildSettings, renderControls } from './controls.js';

export class CameraList {
  constructor(tbody) {
    this.tbody = tbody;
    /** @type {Map<string, HTMLTableRowElement>} */
    this.rows = new Map();
  }

  render(list) {
    const wanted = new Set(list.map((camera) => camera.id));
    for (const [id, tr] of this.rows) {
      if (!wanted.has(id)) {
        tr.remove();
        this.rows.delete(id);
      }
    }
    // The API sends the list sorted by IP; keep that order in the DOM.
    let previous = null;
    for (const camera of list) {
      let tr = this.rows.get(camera.id);
      if (!tr) {
        tr = buildRow(camera.id);
        this.rows.set(camera.id, tr);
      }
      renderRow(tr, camera);
      const expected = previous ? previous.nextElementSibling : this.tbody.firstElementChild;
      if (expected !== tr) {
        if (previous) previous.after(tr);
        else this.tbody.prepend(tr);
      }
      previous = tr;
    }
  }

  tickTimes(now) {
    for (const td of this.tbody.querySelectorAll('td[data-field="last-seen"]')) {
      if (td.dataset.ts) setText(td, relativeTime(td.dataset.ts, now));
    }
  }
}

function cell(field, label) {
  return el('td', { dataset: { field, label } });
}

function buildRow(id) {
  const tr = el('tr', { dataset: { cameraId: id } });
  const idCell = cell('id', 'Camera');
  idCell.append(el('span', { className: 'camera-name', dataset: { field: 'name' } }), el('code', { className: 'camera-id' }));
  const actions = cell('actions', 'Actions');
  const media = el(
    'div',
    { className: 'actions' },
    el('button', { type: 'button', dataset: { action: 'snapshot' }, text: 'Snapshot', title: 'Take a still image' }),
    el('button', { type: 'button', dataset: { action: 'live' }, text: 'Live', title: 'Watch the MJPEG stream' }),
  );
  // One wrapping row of buttons keeps the list compact; the live view has them with more room.
  media.append(buildSettings(true), buildMotion(true), ...buildDeviceActions().children);
  actions.append(media, buildLinks(), buildErrorLine());
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

function renderStatus(td, camera) {
  let badge = td.firstElementChild;
  if (!badge) {
    badge = el('span');
    td.append(badge);
  }
  badge.className = `badge ${camera.online ? 'badge-on' : 'badge-off'}`;
  setText(badge, camera.online ? 'connected' : 'disconnected');
  badge.title = camera.online
    ? 'Control channel connected'
    : camera.offlineReason
      ? `Disconnected: ${camera.offlineReason}`
      : 'Not connected';
}

function renderState(td, camera) {
  // One wrapper, so the card layout's label column stays aligned.
  const box = el('div');
  box.append(
    el('span', { className: `state state-${camera.state}`, text: camera.state || 'unknown', title: STATE_HELP[camera.state] || '' }),
  );
  if (camera.streaming && camera.state !== 'streaming') box.append(el('span', { className: 'note', text: 'streaming' }));
  if (camera.tokenOk === false) {
    box.append(
      el('span', {
        className: 'note warn',
        text: 'token mismatch',
        title: 'The camera registered with a token we did not hand out (it may have cached an old bootstrap answer). Power-cycle it.',
      }),
    );
  }
  if (!camera.online && camera.offlineReason) box.append(el('span', { className: 'note', text: camera.offlineReason }));
  // Rebuilt only when it reads differently: a steady list costs no DOM writes.
  if (td.firstElementChild?.outerHTML !== box.outerHTML) td.replaceChildren(box);
}

function renderRow(tr, camera) {
  const q = (field) => tr.querySelector(`[data-field="${field}"]`);
  tr.classList.toggle('is-offline', !camera.online);
  tr.dataset.online = String(Boolean(camera.online));
  tr.dataset.state = camera.state || '';

  const name = displayName(camera);
  setText(q('name'), name === camera.id ? '' : name);
  q('name').hidden = name === camera.id;
  setText(tr.querySelector('.camera-id'), camera.id);
  setText(q('ip'), camera.ip || '—');
  renderStatus(q('status'), camera);

  const seen = q('last-seen');
  seen.dataset.ts = camera.lastSeen || '';
  setText(seen, relativeTime(camera.lastSeen));
  seen.title = camera.lastSeen
    ? `Last seen ${exactTime(camera.lastSeen)}${camera.firstSeen ? ` · first seen ${exactTime(camera.firstSeen)}` : ''}`
    : '';

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
  renderControls(tr, camera);
}
