// The live view: one camera's MJPEG picture (and audio on request) with its controls beside it.
// Removing the image's src (and aborting the audio fetch) ends the request, so the camera stops
// streaming when nobody watches.
import { cameraUrl } from './api.js';
import { LiveAudio } from './live-audio.js';
import { LiveEntityPanel } from './live-entity.js';
import { $, el, setText } from './dom.js';
import { batteryOf, displayName, exactTime, firmwareOf, relativeTime } from './format.js';
import { buildDeviceActions, buildErrorLine, buildLinks, buildMotion, buildSettings, renderControls } from './controls.js';

export class LiveView {
  /**
   * @param {{ onOpen(): void, onClose(): void }} hooks
   */
  constructor(hooks) {
    this.hooks = hooks;
    this.dialog = $('#viewer');
    this.img = $('#viewer-image');
    this.audio = new LiveAudio($('#audio-toggle'), {
      onEnd: (message) => {
        this.setAudio(false);
        if (this.dialog.open) setText(this.status, message);
      },
    });
    this.status = $('#viewer-status');
    this.side = $('#viewer-controls');
    this.side.append(
      el('h3', { text: 'Settings' }),
      buildSettings(),
      el('h3', { text: 'Motion' }),
      buildMotion(),
      el('h3', { text: 'Camera' }),
      buildDeviceActions(),
      buildLinks(true),
      buildErrorLine(),
    );
    this.liveEntity = new LiveEntityPanel();
    this.side.append(this.liveEntity.root);
    $('#viewer-close').addEventListener('click', () => this.close());
    this.dialog.addEventListener('close', () => {
      this.stopMedia();
      this.hooks.onClose();
    });
    this.dialog.addEventListener('click', (event) => {
      if (event.target === this.dialog) this.close(); // click on the backdrop
    });
    $('#audio-toggle').addEventListener('click', () => this.toggleAudio());
  }

  get cameraId() {
    return this.dialog.open ? this.dialog.dataset.cameraId : undefined;
  }

  /** kind: 'live' (MJPEG) or 'snapshot' (one still image). */
  open(camera, kind = 'live') {
    const { id } = camera;
    // An offline camera cannot stream: show its last cached picture (if any) and its controls.
    const mode = camera.online ? kind : 'offline';
    const url =
      mode === 'live'
        ? cameraUrl(id, '/stream')
        : mode === 'snapshot'
          ? `${cameraUrl(id, '/snapshot')}?t=${Date.now()}`
          : camera.frame
            ? `${cameraUrl(id, '/frame')}?seq=${camera.frame.seq}`
            : '';
    this.stopMedia();
    this.dialog.dataset.cameraId = id;
    this.side.dataset.cameraId = id;
    this.dialog.dataset.kind = mode;
    $('#viewer-open').href = url || cameraUrl(id, '/frame');
    $('#viewer-open').hidden = url === '';
    $('#audio-toggle').hidden = mode !== 'live';
    this.img.alt = `${mode === 'live' ? 'Live view' : mode === 'snapshot' ? 'Snapshot' : 'Last picture'} of ${displayName(camera)}`;
    this.img.classList.toggle('failed', mode === 'offline');
    const waiting = { live: 'Connecting to the camera…', snapshot: 'Waiting for a frame…', offline: 'The camera is offline.' };
    setText(this.status, waiting[mode]);
    this.img.onload = () => {
      if (mode !== 'offline') setText(this.status, mode === 'live' ? '' : `Taken ${new Date().toLocaleTimeString()}`);
    };
    this.img.onerror = () => {
      if (!this.dialog.open) return;
      this.img.classList.add('failed');
      setText(
        this.status,
        mode === 'live' ? 'The stream stopped or could not start. Is the camera online?' : 'No snapshot: the camera sent no frame in time.',
      );
    };
    if (url) this.img.src = url;
    else this.img.removeAttribute('src');
    void this.liveEntity.show(id);
    $('#name-input').value = camera.name || '';
    setText($('#rename-error'), '');
    this.render(camera);
    if (!this.dialog.open) {
      this.hooks.onOpen();
      if (typeof this.dialog.showModal === 'function') this.dialog.showModal();
      else this.dialog.setAttribute('open', '');
    }
  }

  close() {
    if (typeof this.dialog.close === 'function' && this.dialog.open) this.dialog.close();
    else {
      this.dialog.removeAttribute('open');
      this.stopMedia();
      this.hooks.onClose();
    }
  }

  /** The open camera changed (list update, rename, setting echo). */
  render(camera) {
    const name = displayName(camera);
    setText($('#viewer-title'), `${this.dialog.dataset.kind === 'snapshot' ? 'Snapshot · ' : ''}${name}`);
    setText($('#viewer-id'), camera.id);
    $('#viewer-id').hidden = name === camera.id;
    const badge = $('#viewer-online');
    badge.className = `badge ${camera.online ? 'badge-on' : 'badge-off'}`;
    setText(badge, camera.online ? 'online' : 'offline');
    const facts = [
      ['Camera id', camera.id],
      ['IP', camera.ip || '—'],
      ['Last seen', camera.lastSeen ? `${relativeTime(camera.lastSeen)} (${exactTime(camera.lastSeen)})` : '—'],
      ['Firmware', firmwareOf(camera) || '—'],
      ['Battery', batteryOf(camera) === undefined ? '—' : `${batteryOf(camera)} %`],
      ['Protocol state', camera.state || '—'],
    ];
    const dl = $('#viewer-facts');
    const next = el('dl', { id: 'viewer-facts', className: 'facts' });
    for (const [term, value] of facts) next.append(el('dt', { text: term }), el('dd', { text: value }));
    if (dl.outerHTML !== next.outerHTML) dl.replaceWith(next);
    renderControls(this.side, camera);
  }

  toggleAudio() {
    const button = $('#audio-toggle');
    const on = button.getAttribute('aria-pressed') !== 'true';
    if (on && this.cameraId) {
      // The click is the user gesture autoplay rules ask for: start() creates the AudioContext now.
      this.audio.start(cameraUrl(this.cameraId, '/audio'));
    } else {
      this.stopAudio();
    }
    this.setAudio(on && this.cameraId !== undefined);
  }

  setAudio(on) {
    const button = $('#audio-toggle');
    button.setAttribute('aria-pressed', String(on));
    setText(button, on ? 'Sound: on' : 'Sound: off');
  }

  stopAudio() {
    this.audio.stop();
    this.setAudio(false);
  }

  stopMedia() {
    this.img.onload = null;
    this.img.onerror = null;
    this.img.removeAttribute('src');
    this.stopAudio();
    setText(this.status, '');
  }
}
