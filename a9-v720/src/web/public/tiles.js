// The camera wall: one tile per camera with the latest picture the add-on already holds.
// A tile never opens a stream by itself: it loads ./api/cameras/<id>/frame only when the camera
// list reports a new frame (someone is watching that camera anyway) and the tile is on screen.
import { cameraUrl } from './api.js';
import { el, setAttr, setText } from './dom.js';
import { batteryOf, displayName, exactTime, lastMotionOf, motionOf, relativeTime } from './format.js';

/** A camera outline for tiles without a picture (inline: no external resources). */
const CAMERA_ICON =
  '<svg viewBox="0 0 24 24" width="40" height="40" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" d="M3 8.5A1.5 1.5 0 0 1 4.5 7h2.3l1.4-2h7.6l1.4 2h2.3A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z"/><circle cx="12" cy="13" r="3.6" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>';

export class TileWall {
  /**
   * @param {HTMLElement} container
   * @param {(id: string) => object | undefined} cameraOf the newest camera object from the API
   */
  constructor(container, cameraOf) {
    this.container = container;
    this.cameraOf = cameraOf;
    /** @type {Map<string, HTMLElement>} */
    this.tiles = new Map();
    /** While the live view covers the wall, tiles do not reload (they catch up on resume). */
    this.paused = false;
    this.visibility =
      typeof IntersectionObserver === 'function'
        ? new IntersectionObserver((entries) => this.onVisibility(entries), { rootMargin: '200px' })
        : undefined;
  }

  /** Adds, removes, orders and updates tiles to match `list` (sorted by IP by the API). */
  render(list) {
    const wanted = new Set(list.map((camera) => camera.id));
    for (const [id, tile] of this.tiles) {
      if (!wanted.has(id)) {
        this.visibility?.unobserve(tile);
        tile.remove();
        this.tiles.delete(id);
      }
    }
    let previous = null;
    for (const camera of list) {
      let tile = this.tiles.get(camera.id);
      if (!tile) {
        tile = buildTile(camera.id);
        this.tiles.set(camera.id, tile);
        if (this.visibility) this.visibility.observe(tile);
        else tile.dataset.visible = 'true';
      }
      this.renderTile(tile, camera);
      const expected = previous ? previous.nextElementSibling : this.container.firstElementChild;
      if (expected !== tile) {
        if (previous) previous.after(tile);
        else this.container.prepend(tile);
      }
      previous = tile;
    }
  }

  renderTile(tile, camera) {
    const q = (field) => tile.querySelector(`[data-field="${field}"]`);
    const online = Boolean(camera.online);
    const name = displayName(camera);
    tile.dataset.online = String(online);
    tile.classList.toggle('is-offline', !online);

    setText(q('name'), name);
    const idNode = q('id');
    setText(idNode, camera.id);
    idNode.hidden = name === camera.id;
    setAttr(tile.querySelector('.tile-open'), 'aria-label', `${name}${name === camera.id ? '' : ` (${camera.id})`}: open the live view`);

    const status = q('status');
    setText(status, online ? 'online' : 'offline');
    status.className = `badge ${online ? 'badge-on' : 'badge-off'}`;
    status.title = online
      ? `Connected · ${camera.ip || ''}`
      : camera.offlineReason
        ? `Disconnected: ${camera.offlineReason}`
        : 'Not connected';
    q('streaming').hidden = !camera.streaming;
    const motion = motionOf(camera);
    const motionBadge = q('motion');
    motionBadge.hidden = motion !== true;
    tile.dataset.motion = motion === undefined ? '' : String(motion);
    const lastMotion = q('last-motion');
    const lastAt = motion === undefined ? '' : lastMotionOf(camera);
    lastMotion.dataset.ts = lastAt;
    lastMotion.hidden = lastAt === '';
    setText(lastMotion, lastMotionText(lastAt));
    lastMotion.title = lastAt ? `Motion last started ${exactTime(lastAt)}` : '';

    const battery = batteryOf(camera);
    const batteryNode = q('battery');
    batteryNode.hidden = battery === undefined;
    setText(batteryNode, battery === undefined ? '' : `Battery ${battery} %`);
    batteryNode.classList.toggle('low', battery !== undefined && battery <= 15);

    const age = q('frame-age');
    age.dataset.ts = camera.frame?.at || '';
    setText(age, frameAgeText(camera.frame?.at));
    age.title = camera.frame?.at ? `Picture taken ${exactTime(camera.frame.at)}` : '';

    const snapshot = tile.querySelector('[data-action="tile-snapshot"]');
    if (snapshot.dataset.busy !== 'true') snapshot.disabled = !online;
    this.renderPicture(tile, camera);
  }

  /** Loads the cached frame when its sequence number moved on, one request per tile at a time. */
  renderPicture(tile, camera) {
    const hasPicture = tile.dataset.picture === 'true';
    tile.querySelector('.tile-placeholder').hidden = hasPicture;
    tile.querySelector('[data-action="tile-snapshot"]').hidden = hasPicture || Boolean(camera.frame);
    const seq = camera.frame?.seq;
    if (seq === undefined || String(seq) === tile.dataset.seq) return;
    if (this.paused || tile.dataset.loading === 'true' || tile.dataset.visible !== 'true') return;
    this.load(tile, `${cameraUrl(camera.id, '/frame')}?seq=${seq}`, String(seq));
  }

  load(tile, url, seq, hooks = {}) {
    const img = tile.querySelector('.tile-image');
    tile.dataset.loading = 'true';
    img.onload = () => {
      tile.dataset.loading = 'false';
      tile.dataset.seq = seq;
      tile.dataset.picture = 'true';
      img.hidden = false;
      hooks.onLoad?.();
      this.catchUp(tile);
    };
    img.onerror = () => {
      tile.dataset.loading = 'false';
      // Do not retry the same frame in a loop; the next new frame tries again.
      tile.dataset.seq = seq;
      hooks.onError?.();
      this.catchUp(tile);
    };
    img.src = url;
  }

  /** A newer frame may have been announced while this one loaded. */
  catchUp(tile) {
    const camera = this.cameraOf(tile.dataset.cameraId);
    if (camera) this.renderTile(tile, camera);
  }

  /** "Take snapshot" on a tile without a picture: asks the camera for one frame. */
  takeSnapshot(id, button, showError) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    button.dataset.busy = 'true';
    button.disabled = true;
    setText(button, 'Taking snapshot…');
    const done = () => {
      delete button.dataset.busy;
      setText(button, 'Take snapshot');
    };
    this.load(tile, `${cameraUrl(id, '/snapshot')}?t=${Date.now()}`, 'snapshot', {
      onLoad: done,
      onError: () => {
        done();
        showError('No snapshot: the camera sent no frame in time. Is it online?');
      },
    });
  }

  setPaused(paused) {
    this.paused = paused;
    if (!paused) for (const tile of this.tiles.values()) this.catchUp(tile);
  }

  onVisibility(entries) {
    for (const entry of entries) {
      const tile = entry.target;
      tile.dataset.visible = String(entry.isIntersecting);
      if (entry.isIntersecting) this.catchUp(tile);
    }
  }

  tickAges(now) {
    for (const age of this.container.querySelectorAll('[data-field="frame-age"]')) setText(age, frameAgeText(age.dataset.ts, now));
    for (const last of this.container.querySelectorAll('[data-field="last-motion"]')) setText(last, lastMotionText(last.dataset.ts, now));
  }
}

function lastMotionText(iso, now = Date.now()) {
  return iso ? `Motion ${relativeTime(iso, now)}` : '';
}

function frameAgeText(iso, now = Date.now()) {
  return iso ? `Picture ${relativeTime(iso, now)}` : 'No picture yet';
}

function buildTile(id) {
  const open = el(
    'button',
    { type: 'button', className: 'tile-open', dataset: { action: 'open' } },
    el('img', { className: 'tile-image', alt: '', decoding: 'async', hidden: true }),
  );
  const placeholder = el('span', { className: 'tile-placeholder' });
  placeholder.innerHTML = CAMERA_ICON;
  placeholder.append(el('span', { text: 'No picture yet' }));
  open.append(placeholder);
  return el(
    'article',
    { className: 'tile', dataset: { cameraId: id, visible: 'false' } },
    open,
    el(
      'div',
      { className: 'tile-badges' },
      el('span', { className: 'badge', dataset: { field: 'status' } }),
      el('span', {
        className: 'badge badge-live',
        dataset: { field: 'streaming' },
        text: 'Streaming',
        title: 'The camera is streaming (someone is watching it)',
        hidden: true,
      }),
      // Shown while the add-on's motion detection (on for this camera) sees movement.
      el('span', { className: 'badge badge-motion', dataset: { field: 'motion' }, text: 'Motion', hidden: true }),
    ),
    el('button', {
      type: 'button',
      className: 'tile-snapshot',
      dataset: { action: 'tile-snapshot' },
      text: 'Take snapshot',
      title: 'Ask the camera for one picture',
    }),
    el(
      'div',
      { className: 'tile-caption' },
      el(
        'div',
        { className: 'tile-title' },
        el('span', { className: 'tile-name', dataset: { field: 'name' } }),
        el('code', { className: 'tile-id', dataset: { field: 'id' } }),
      ),
      el(
        'div',
        { className: 'tile-meta' },
        el('span', { dataset: { field: 'frame-age' } }),
        el('span', { className: 'last-motion', dataset: { field: 'last-motion' }, hidden: true }),
        el('span', { className: 'battery', dataset: { field: 'battery' } }),
      ),
    ),
    el('p', { className: 'row-error tile-error', role: 'alert', dataset: { field: 'error' }, hidden: true }),
  );
}
