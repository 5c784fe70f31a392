// "Add a camera": puts a new or reset camera on the home Wi-Fi without the vendor app. The user
// types the Wi-Fi name and password, gets a9-pair.py with them filled in (POST
// ./api/pairing-helper) and runs it on a laptop joined to the camera's own Wi-Fi. The limits are
// the camera's and the server checks them again; nothing is stored.

import { api, errorText } from './api.js';
import { $, el } from './dom.js';

const SSID_MAX_BYTES = 32;
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 36;

/** The same sentences the server and the helper use, so the user sees one wording. */
export function wifiProblem(ssid, password) {
  const bytes = new TextEncoder().encode(ssid).length;
  if (bytes === 0) return { field: 'ssid', text: 'the Wi-Fi name is empty' };
  if (bytes > SSID_MAX_BYTES)
    return { field: 'ssid', text: `the Wi-Fi name is ${bytes} bytes long; a Wi-Fi name has at most ${SSID_MAX_BYTES} bytes` };
  const count = [...password].length;
  if (count < PASSWORD_MIN || count > PASSWORD_MAX) {
    return { field: 'password', text: `the Wi-Fi password has ${count} characters; the camera needs ${PASSWORD_MIN} to ${PASSWORD_MAX}` };
  }
  return undefined;
}

function buildDialog() {
  const ssid = el('input', {
    id: 'pair-ssid',
    name: 'ssid',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'pair-ssid-hint',
  });
  const password = el('input', {
    id: 'pair-password',
    name: 'password',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'pair-password-hint',
  });
  const show = el('input', { id: 'pair-show', type: 'checkbox' });
  show.addEventListener('change', () => (password.type = show.checked ? 'text' : 'password'));
  const form = el(
    'form',
    { id: 'pair-form', className: 'pair-form', novalidate: true },
    el('label', { for: 'pair-ssid', text: 'Home Wi-Fi name' }),
    ssid,
    el('p', {
      id: 'pair-ssid-hint',
      className: 'pair-hint',
      text: 'The camera only joins 2.4 GHz Wi-Fi. A router that uses one name for 2.4 and 5 GHz is fine; a 5 GHz-only network is not.',
    }),
    el('label', { for: 'pair-password', text: 'Wi-Fi password' }),
    password,
    el(
      'p',
      { id: 'pair-password-hint', className: 'pair-hint' },
      el('label', { className: 'pair-show' }, show, ' show'),
      ' 8 to 36 characters.',
    ),
    el('p', { id: 'pair-error', className: 'pair-error', role: 'alert' }),
    el('button', { type: 'submit', id: 'pair-download', text: 'Download pairing helper' }),
    el('p', { id: 'pair-status', className: 'pair-status', role: 'status' }),
  );
  const steps = el(
    'ol',
    { id: 'pair-steps', className: 'pair-steps' },
    el(
      'li',
      {},
      el('strong', { text: 'Reset the camera: ' }),
      'hold its reset button for about 5 seconds until it beeps or its light blinks. It then opens its own Wi-Fi.',
    ),
    el(
      'li',
      {},
      el('strong', { text: 'Join the camera’s Wi-Fi ' }),
      'on a laptop: a network named ',
      el('code', { text: 'Nax_…' }),
      ' or ',
      el('code', { text: 'MV…' }),
      ' (open, no password).',
    ),
    el(
      'li',
      {},
      el('strong', { text: 'Run the helper ' }),
      'in the folder you downloaded it to: ',
      el('code', { text: 'python3 a9-pair.py' }),
      ' (on Windows: ',
      el('code', { text: 'py a9-pair.py' }),
      '). It needs Python 3 and nothing else. It prints each step and ends with ',
      el('q', { text: 'Done' }),
      ' once the camera accepted your Wi-Fi.',
    ),
    el('li', {}, el('strong', { text: 'Reconnect the laptop ' }), 'to your home Wi-Fi. The camera restarts and joins it.'),
    el(
      'li',
      {},
      el('strong', { text: 'Come back here: ' }),
      'the camera appears within a minute, as long as your DNS points ',
      el('code', { text: '*.naxclow.com' }),
      ' at Home Assistant (see Help).',
    ),
  );
  const close = el('button', { type: 'button', id: 'pair-close', className: 'viewer-close', 'aria-label': 'Close (Escape)', text: '✕' });
  const dialog = el(
    'dialog',
    { id: 'add-camera', className: 'add-camera', 'aria-labelledby': 'add-camera-title' },
    el('div', { className: 'viewer-head' }, el('h2', { id: 'add-camera-title', text: 'Add a camera' }), close),
    el(
      'div',
      { className: 'add-camera-body' },
      el('p', {
        text: 'Puts a new or reset camera on your Wi-Fi without the vendor app (which can install firmware that no longer works locally). You get a small pairing helper with your Wi-Fi filled in, to run on a laptop.',
      }),
      form,
      el('h3', { text: 'Then' }),
      steps,
      el('p', {
        className: 'pair-hint',
        text: 'The helper stops with one sentence saying what went wrong if the camera is not found, does not answer or refuses the network; the add-on’s Documentation tab lists the fixes.',
      }),
    ),
  );
  close.addEventListener('click', () => dialog.close());
  return { dialog, form, ssid, password };
}

/** Hands the helper to the browser as a file named a9-pair.py. */
function saveFile(blob) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: 'a9-pair.py', hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function setupAddCamera(openButton) {
  const { dialog, form, ssid, password } = buildDialog();
  document.body.append(dialog);
  const error = $('#pair-error', dialog);
  const status = $('#pair-status', dialog);
  const button = $('#pair-download', dialog);
  const showProblem = (problem) => {
    error.textContent = problem ? `Check: ${problem.text}.` : '';
    ssid.setAttribute('aria-invalid', String(problem?.field === 'ssid'));
    password.setAttribute('aria-invalid', String(problem?.field === 'password'));
  };
  for (const input of [ssid, password])
    input.addEventListener('input', () => error.textContent !== '' && showProblem(wifiProblem(ssid.value, password.value)));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.textContent = '';
    const problem = wifiProblem(ssid.value, password.value);
    showProblem(problem);
    if (problem) {
      (problem.field === 'ssid' ? ssid : password).focus();
      return;
    }
    button.disabled = true;
    try {
      const response = await fetch(api('pairing-helper'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ssid: ssid.value, password: password.value }),
        cache: 'no-store',
      });
      if (!response.ok) {
        showProblem({ field: undefined, text: await errorText(response) });
        return;
      }
      saveFile(await response.blob());
      status.textContent = 'Downloaded a9-pair.py with your Wi-Fi filled in. Now follow the steps below.';
    } catch (failure) {
      showProblem({ field: undefined, text: `the add-on did not answer (${failure.message})` });
    } finally {
      button.disabled = false;
    }
  });

  openButton.addEventListener('click', () => {
    showProblem(undefined);
    status.textContent = '';
    dialog.showModal();
    ssid.focus();
  });
}
