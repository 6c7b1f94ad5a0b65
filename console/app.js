// The console's shell: sign-in, navigation, and the screen for each address (#/...).
import { ApiError, get, post, whenSignedOut } from './api.js';
import { h, field, errorBox, showError, notify, session } from './ui.js';
import { contactList } from './contacts.js';
import { contactPage, contactForm } from './contact.js';
import { directory, profile } from './people.js';
import { projectList, projectPage } from './projects.js';
import { settings } from './settings.js';
import { importScreen } from './transfer.js';

const root = document.getElementById('app');

const screens = [
  [/^#\/contacts$/, () => contactList()],
  [/^#\/import$/, () => importScreen()],
  [/^#\/contact\/new$/, () => contactForm(null, false)],
  [/^#\/company\/new$/, () => contactForm(null, true)],
  [/^#\/contact\/(\d+)\/edit$/, (id) => contactForm(Number(id))],
  [/^#\/contact\/(\d+)$/, (id) => contactPage(Number(id))],
  [/^#\/people$/, () => directory()],
  [/^#\/people\/([0-9a-f-]+)$/, (id) => profile(id)],
  [/^#\/profile$/, () => profile('@self')],
  [/^#\/projects$/, () => projectList()],
  [/^#\/project\/(\d+)$/, (id) => projectPage(Number(id))],
  [/^#\/settings$/, () => settings()],
];

const nav = [
  ['#/contacts', 'Contacts'],
  ['#/people', 'People'],
  ['#/projects', 'Projects'],
  ['#/profile', 'My profile'],
  ['#/settings', 'Settings'],
];

async function show() {
  if (!session.me) return;
  const hash = location.hash || '#/contacts';
  const route = screens.find(([pattern]) => pattern.test(hash));
  if (!route) {
    location.replace('#/contacts');
    return;
  }
  const main = h('main', { id: 'main', tabindex: '-1' }, h('p', { class: 'loading' }, 'Loading…'));
  root.replaceChildren(header(hash), main);
  try {
    const screen = await route[1](...hash.match(route[0]).slice(1));
    main.replaceChildren(screen);
  } catch (error) {
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
  }
  document.title = `${main.querySelector('h1')?.textContent || 'Console'} · portald`;
  main.focus({ preventScroll: true });
}

function header(hash) {
  const section = `#/${hash.split('/')[1]}`;
  const current = (href) => section === href || (href === '#/contacts' && ['#/contact', '#/company', '#/import'].includes(section)) || (href === '#/projects' && section === '#/project');
  return h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: (event) => { event.preventDefault(); document.getElementById('main').focus(); } }, 'Skip to content'),
    h('span', { class: 'brand' }, 'portald'),
    h('nav', { 'aria-label': 'Sections' },
      nav.filter(([href]) => href !== '#/settings' || session.me.isAdmin)
        .map(([href, text]) => h('a', { href, 'aria-current': current(href) ? 'page' : null }, text))),
    h('span', { class: 'who' }, session.me.displayName),
    h('button', { type: 'button', onclick: signOut }, 'Sign out'));
}

async function signOut() {
  try {
    await post('authentication/logout');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      notify(error.message);
      return;
    }
  }
  session.me = null;
  signIn('You are signed out.');
}

function signIn(message) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const problem = errorBox();
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', {
    class: 'signin',
    onsubmit: async (event) => {
      event.preventDefault();
      button.disabled = true;
      showError(problem, null);
      try {
        await post('authentication', { userName: email.value, password: password.value });
        session.me = await get('people/@self');
        if (!location.hash || location.hash === '#/signin') location.hash = '#/contacts';
        await show();
      } catch (error) {
        showError(problem, error);
        password.select();
      } finally {
        button.disabled = false;
      }
    },
  },
  h('h1', {}, 'Sign in to portald'),
  message ? h('p', { role: 'status' }, message) : null,
  field('Email', email),
  field('Password', password),
  problem,
  button);
  root.replaceChildren(h('main', { id: 'main', class: 'narrow' }, form));
  document.title = 'Sign in · portald';
  email.focus();
}

whenSignedOut(() => {
  if (session.me) {
    session.me = null;
    signIn('Your session has ended. Sign in again.');
  }
});
window.addEventListener('hashchange', show);
document.body.append(h('div', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' }));

try {
  session.me = await get('people/@self');
  await show();
} catch (error) {
  signIn(error instanceof ApiError && error.status === 401 ? null : error.message);
}
