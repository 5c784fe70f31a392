// "Show live in Home Assistant" in the live view: whether the camera has its live camera entity
// in Home Assistant (an "MJPEG IP Camera" entry the add-on makes), and a button that makes it
// now, also after the user deleted it there. Hidden when the add-on does not run under the
// Supervisor (there is no Home Assistant to add it to).
import { cameraUrl } from './api.js';
import { el, setText } from './dom.js';

const SAYS = {
  created: 'This camera is live in Home Assistant (an "MJPEG IP Camera" entry): add it to a dashboard with a Picture Entity card.',
  pending: 'The add-on adds this camera to Home Assistant as soon as it can.',
  deleted: 'You deleted this camera’s live entry in Home Assistant, so the add-on leaves it out. Add it again here.',
  external: 'Home Assistant already has an MJPEG camera with this camera’s URL (added by hand); the add-on leaves it alone.',
  off: 'Live cameras are not added by themselves (option “Live cameras in Home Assistant” is off). Add this one here.',
  'no-core-api': 'The add-on may not use Home Assistant’s API (homeassistant_api), so it cannot add live cameras.',
  starting: 'Asking the Supervisor for the add-on’s address…',
};

export class LiveEntityPanel {
  constructor() {
    this.button = el('button', { type: 'button', dataset: { action: 'live-entity' }, text: 'Show live in Home Assistant' });
    this.status = el('p', { className: 'hint', role: 'status', dataset: { field: 'live-entity' } });
    this.root = el('section', { className: 'live-entity', hidden: true }, el('h3', { text: 'Home Assistant' }), this.button, this.status);
    this.button.addEventListener('click', () => void this.create());
    this.cameraId = undefined;
  }

  /** The live view opened a camera: ask where its entry stands. */
  async show(id) {
    this.cameraId = id;
    this.root.dataset.state = '';
    try {
      const response = await fetch(cameraUrl(id, '/live-entity'), { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (this.cameraId !== id) return;
      if (!response.ok) {
        this.root.hidden = true;
        return;
      }
      this.render(await response.json());
    } catch {
      if (this.cameraId === id) this.root.hidden = true;
    }
  }

  /** view: { state, reason?, entryId?, problem? } from /api/cameras/:id/live-entity. */
  render(view, error) {
    const key = view.state === 'unavailable' ? view.reason : view.state;
    this.root.dataset.state = key ?? 'unavailable';
    // Not under the Supervisor: nothing to offer.
    this.root.hidden = key === 'not-supervised' || key === undefined;
    // Also for a camera that has its entry: the press checks HA's list and makes it again if the
    // user deleted it there meanwhile (the add-on only notices that on its next look otherwise).
    this.button.hidden = view.state === 'unavailable';
    const problem = error ?? (view.problem ? `Home Assistant not reachable: ${view.problem}` : '');
    this.root.dataset.problem = problem === '' ? 'false' : 'true';
    setText(this.status, [SAYS[key] ?? '', problem].filter((text) => text !== '').join(' '));
  }

  async create() {
    const id = this.cameraId;
    if (!id) return;
    this.button.disabled = true;
    this.button.classList.add('busy');
    setText(this.status, 'Adding the camera to Home Assistant (it checks the stream first)…');
    try {
      const response = await fetch(cameraUrl(id, '/live-entity'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{}',
      });
      const body = await response.json().catch(() => ({}));
      if (this.cameraId !== id) return;
      if (response.ok) this.render(body, response.status === 202 ? body.message : undefined);
      else
        this.render(
          { state: body.liveEntity ?? 'pending', reason: body.reason },
          body.error ?? `${response.status} ${response.statusText}`,
        );
    } catch (error) {
      if (this.cameraId === id) this.render({ state: 'pending' }, `Home Assistant not reachable: ${error.message}`);
    } finally {
      this.button.disabled = false;
      this.button.classList.remove('busy');
    }
  }
}
