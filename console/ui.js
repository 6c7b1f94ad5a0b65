// Small DOM helpers shared by the screens.

/** The signed-in user (`people/@self`), or null. */
export const session = { me: null };

/** An element: `h('a', {href: '#/'}, 'text', child)`; `on*` attributes become listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'class') element.className = value;
    else if (name in element && typeof value !== 'string') element[name] = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

let labelCount = 0;
/** A labelled field: the label and its control, tied by id. */
export function field(labelText, control, hint) {
  control.id ||= `f${++labelCount}`;
  if (hint) control.setAttribute('aria-describedby', `${control.id}-hint`);
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control,
    hint ? h('small', { id: `${control.id}-hint` }, hint) : null);
}

/** Shows an error (or clears it with null) in a box announced to screen readers. */
export function showError(box, error) {
  if (!box) {
    if (error) notify(error.message || String(error));
    return;
  }
  box.textContent = error ? error.message || String(error) : '';
  box.hidden = !error;
}

export const errorBox = () => h('p', { class: 'error', role: 'alert', hidden: true });

/** Announces a short message at the bottom of the screen. */
export function notify(text) {
  const region = document.getElementById('notice');
  region.textContent = text;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => (region.textContent = ''), 6000);
}

/** Makes a change: on success announces `done` and runs `then` (say, to show the new state),
 *  on failure says why in `box`. */
export async function attempt(box, work, done, then) {
  try {
    await work();
    notify(done);
    await then?.();
  } catch (error) {
    showError(box, error);
  }
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A modal dialog; `build(close)` gives its content. Resolves with what `close` is given. */
export function dialog(title, build) {
  return new Promise((resolve) => {
    const box = h('dialog', { 'aria-labelledby': 'dialog-title' });
    const close = (value) => {
      box.close();
      box.remove();
      resolve(value);
    };
    box.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(undefined);
    });
    box.append(h('h2', { id: 'dialog-title' }, title), build(close));
    document.body.append(box);
    box.showModal();
  });
}

/** Asks to confirm; resolves true or false. */
export function confirm(question, action = 'Delete') {
  return dialog(question, (close) =>
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'danger', onclick: () => close(true) }, action),
      h('button', { type: 'button', onclick: () => close(false) }, 'Cancel')));
}

/** A dialog to choose shared or private with managers; resolves {isShared, managerList} or undefined. */
export function accessDialog(title, users, current = { isShared: true, managers: [] }) {
  return dialog(title, (close) => {
    const shared = h('input', { type: 'radio', name: 'access', value: 'shared', checked: current.isShared });
    const privateChoice = h('input', { type: 'radio', name: 'access', value: 'private', checked: !current.isShared });
    const boxes = users.map((user) =>
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', value: user.id, checked: current.managers.includes(user.id) }), ` ${user.displayName}`));
    const problem = errorBox();
    const form = h('form', {
      onsubmit: (event) => {
        event.preventDefault();
        const managerList = boxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value);
        if (privateChoice.checked && managerList.length === 0) {
          showError(problem, new Error('Choose at least one manager for a private contact.'));
          return;
        }
        close({ isShared: shared.checked, managerList: privateChoice.checked ? managerList : [] });
      },
    },
    h('fieldset', {}, h('legend', {}, 'Who may see it'),
      h('label', { class: 'check' }, shared, ' Everyone (shared)'),
      h('label', { class: 'check' }, privateChoice, ' Only these managers (private)')),
    h('fieldset', { class: 'managers' }, h('legend', {}, 'Managers'), boxes),
    problem,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Save access'),
      h('button', { type: 'button', onclick: () => close(undefined) }, 'Cancel')));
    return form;
  });
}

export function formatDate(text) {
  if (!text) return '';
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toLocaleString();
}

export const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
