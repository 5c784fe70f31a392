// The Setup view: what the add-on found out about DNS, its ports and each camera's way in
// (./api/setup), with the step where a camera stopped and the likely cause. It opens by itself
// while no camera has ever registered, and from the header's "Setup" button. Every text comes
// from the server and is set as text, never as HTML: camera ids and names come from the LAN.
import { api, errorText } from './api.js';
import { el, setText } from './dom.js';

const REFRESH_MS = 5000;

const VERDICT_WORDS = {
  'this-host': 'OK',
  'vendor-cloud': 'vendor cloud',
  'other-host': 'other host',
  nowhere: 'nowhere',
  unknown: 'unknown',
};

const STATUS_WORDS = {
  done: 'done',
  waiting: 'waiting',
  stopped: 'stopped here',
  'not-reached': 'not reached',
  'not-seen': 'not seen since start',
};

export class SetupView {
  /**
   * @param {HTMLElement} root the view's section (hidden until opened)
   * @param {HTMLButtonElement} toggle the header's "Setup" button
   */
  constructor(root, toggle) {
    this.root = root;
    this.toggle = toggle;
    this.timer = null;
    this.busy = false;
    this.report = null;
  }

  /** Wires the button; opens by itself when no camera ever registered. */
  async start() {
    this.toggle.addEventListener('click', () => this.setOpen(this.root.hidden));
    this.root.addEventListener('click', (event) => {
      const action = event.target.closest('[data-action]')?.dataset.action;
      if (action === 'setup-refresh') void this.checkAgain();
      else if (action === 'setup-close') this.setOpen(false);
    });
    const report = await this.load('GET');
    if (report && report.everRegistered === false) this.setOpen(true);
    // The first answer is in and the view decided whether to open (tests wait for this).
    this.root.dataset.loaded = 'true';
  }

  get isOpen() {
    return !this.root.hidden;
  }

  setOpen(open) {
    this.root.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    clearInterval(this.timer);
    this.timer = null;
    if (!open) return;
    if (this.report) this.render(this.report);
    void this.load('GET');
    // While open, the journeys and ages follow what happens (a camera powered on meanwhile).
    this.timer = setInterval(() => {
      if (!this.busy) void this.load('GET');
    }, REFRESH_MS);
  }

  /** "Check again": the server asks DNS again (at most every few seconds, whoever asks). */
  async checkAgain() {
    const button = this.root.querySelector('[data-action="setup-refresh"]');
    if (button) {
      button.disabled = true;
      setText(button, 'Checking…');
    }
    await this.load('POST');
    // After a failure the old button is still there: let the user try again.
    if (button?.isConnected) {
      button.disabled = false;
      setText(button, 'Check again');
    }
  }

  async load(method) {
    this.busy = true;
    try {
      const response = await fetch(api('setup'), {
        method,
        cache: 'no-store',
        headers: { accept: 'application/json', ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      if (!response.ok) throw new Error(await errorText(response));
      const report = await response.json();
      this.report = report;
      if (this.isOpen) this.render(report);
      return report;
    } catch (error) {
      if (this.isOpen) this.renderError(error.message || String(error));
      return null;
    } finally {
      this.busy = false;
    }
  }

  renderError(message) {
    const line = this.root.querySelector('[data-field="setup-error"]');
    if (line) {
      line.hidden = false;
      setText(line, `Cannot load the setup check: ${message}`);
      return;
    }
    this.root.replaceChildren(
      this.head(null),
      el('p', { className: 'setup-error', dataset: { field: 'setup-error' }, text: `Cannot load the setup check: ${message}` }),
    );
  }

  head(report) {
    return el(
      'div',
      { className: 'setup-head' },
      el('h2', { text: 'Setup check' }),
      el('p', {
        className: 'setup-summary',
        dataset: { field: 'setup-summary', problem: String(report?.problem === true), count: String(report?.problems.length ?? 0) },
        text: report ? report.summary : '',
      }),
      el('button', { type: 'button', dataset: { action: 'setup-refresh' }, text: 'Check again' }),
      el('button', { type: 'button', className: 'link-button', dataset: { action: 'setup-close' }, text: 'Close' }),
    );
  }

  render(report) {
    const checked = report.dns.checkedAt ? `DNS asked ${new Date(report.dns.checkedAt).toLocaleTimeString()}` : 'DNS check running…';
    this.root.replaceChildren(
      this.head(report),
      el('p', { className: 'setup-error', dataset: { field: 'setup-error' }, hidden: true }),
      this.problems(report.problems),
      el('h3', { text: 'DNS' }),
      el('p', {
        className: 'setup-note',
        text: `${checked}. The add-on asks the DNS server Home Assistant uses; the cameras ask the one DHCP gives them.`,
      }),
      this.dnsTable(report.dns.rows),
      el('h3', { text: 'Ports' }),
      el('p', {
        className: 'setup-note',
        text:
          report.ports.mode === 'addon'
            ? "As mapped in the add-on's Configuration → Network. Cameras use fixed ports: 80 and 6123."
            : 'Ports this server listens on (outside Home Assistant). Cameras use fixed ports: 80 and 6123.',
      }),
      this.portsTable(report.ports.rows),
      el('h3', { text: 'Cameras' }),
      report.cameras.length === 0
        ? el('p', {
            className: 'setup-note',
            dataset: { field: 'no-cameras' },
            text: 'No camera has contacted the add-on yet. Once DNS points here, power-cycle a camera: it appears here within seconds.',
          })
        : el('div', { className: 'journeys' }, ...report.cameras.map((camera) => this.journey(camera))),
    );
  }

  problems(problems) {
    if (problems.length === 0) return el('p', { className: 'setup-ok', dataset: { field: 'setup-problems' }, text: 'No problems found.' });
    return el(
      'ul',
      { className: 'setup-problems', dataset: { field: 'setup-problems' } },
      ...problems.map((problem) =>
        el(
          'li',
          { dataset: { severity: problem.severity, key: problem.key } },
          el('span', { className: 'severity', text: problem.severity === 'error' ? 'Error' : 'Warning' }),
          ` ${problem.text} `,
          el('span', { className: 'docs', text: `(${problem.docs.section})` }),
        ),
      ),
    );
  }

  dnsTable(rows) {
    return el(
      'table',
      { className: 'setup-table setup-dns' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col', text: 'Name' }),
          el('th', { scope: 'col', text: 'Answer' }),
          el('th', { scope: 'col', text: 'Meaning' }),
        ),
      ),
      el(
        'tbody',
        {},
        ...rows.map((row) =>
          el(
            'tr',
            { dataset: { name: row.name, verdict: row.verdict } },
            el('td', {}, el('code', { text: row.name })),
            el('td', { text: row.addresses.length ? row.addresses.join(', ') : '—' }),
            el(
              'td',
              {},
              el('span', { className: 'verdict', text: VERDICT_WORDS[row.verdict] ?? row.verdict }),
              ` ${row.text}`,
              row.fixes.length ? this.fixes(row.fixes) : null,
            ),
          ),
        ),
      ),
    );
  }

  fixes(fixes) {
    return el(
      'details',
      { className: 'fixes' },
      el('summary', { text: 'How to fix' }),
      el(
        'ul',
        {},
        ...fixes.map((fix) =>
          el('li', {}, el('strong', { text: `${fix.server}: ` }), el('code', { text: fix.text }), ` (${fix.docs.section})`),
        ),
      ),
    );
  }

  portsTable(rows) {
    return el(
      'table',
      { className: 'setup-table setup-ports' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col', text: 'Port' }),
          el('th', { scope: 'col', text: 'Used for' }),
          el('th', { scope: 'col', text: 'State' }),
        ),
      ),
      el(
        'tbody',
        {},
        ...rows.map((row) =>
          el(
            'tr',
            { dataset: { port: row.port, verdict: row.verdict } },
            el('td', {}, el('code', { text: row.port })),
            el('td', { text: row.purpose }),
            el('td', { text: row.text }),
          ),
        ),
      ),
    );
  }

  journey(camera) {
    const title = camera.name ? `${camera.name} (${camera.id})` : camera.id;
    return el(
      'article',
      { className: 'journey', dataset: { cameraId: camera.id, stoppedAt: camera.stoppedAt || '' } },
      el(
        'h4',
        {},
        title,
        el('span', { className: 'journey-ip', text: ` ${camera.ip}` }),
        camera.firmware ? el('span', { className: 'journey-firmware', text: ` firmware ${camera.firmware}` }) : null,
        el('span', { className: 'badge', dataset: { online: String(camera.online) }, text: camera.online ? 'online' : 'offline' }),
      ),
      el(
        'ol',
        { className: 'journey-steps' },
        ...camera.steps.map((step) =>
          el(
            'li',
            { dataset: { step: step.step, status: step.status }, 'aria-current': step.status === 'stopped' ? 'step' : undefined },
            el('span', { className: 'step-label', text: step.label }),
            el('span', { className: 'step-status', text: STATUS_WORDS[step.status] ?? step.status }),
            el('span', { className: 'step-detail', text: step.detail }),
          ),
        ),
      ),
      camera.cause ? el('p', { className: 'journey-cause', dataset: { field: 'cause' }, text: `Likely cause: ${camera.cause}` }) : null,
    );
  }
}
