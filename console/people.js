// The people directory and profiles, with one's own contacts (add and remove).
import { get, page, put, del } from './api.js';
import { h, field, errorBox, showError, debounce, session, plural, attempt } from './ui.js';

export async function directory() {
  const search = h('input', { type: 'search', autocomplete: 'off' });
  const summary = h('p', { class: 'summary', role: 'status', 'aria-live': 'polite' });
  const problem = errorBox();
  const body = h('tbody');
  let controller = null;
  const load = async () => {
    controller?.abort();
    controller = new AbortController();
    try {
      const { items, total } = await page('people/filter', { filterValue: search.value.trim(), count: 100 }, { signal: controller.signal });
      showError(problem, null);
      summary.textContent = `${plural(total, 'person', 'people')}${total > items.length ? `, the first ${items.length} shown` : ''}`;
      body.replaceChildren(...items.map((user) => h('tr', {},
        h('td', {}, h('a', { href: `#/people/${user.id}` }, user.displayName)),
        h('td', {}, user.title || ''), h('td', {}, user.email || ''), h('td', {}, user.department || ''))));
    } catch (error) {
      if (error.name !== 'AbortError') showError(problem, error);
    }
  };
  search.addEventListener('input', debounce(load, 200));
  load();
  return h('section', {},
    h('h1', {}, 'People'),
    h('div', { class: 'filters' }, field('Search people', search)),
    problem, summary,
    h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Title'), h('th', {}, 'Email'), h('th', {}, 'Department'))),
      body)));
}

/** The kinds of contact a profile lists, as the original names them. */
const kinds = [['phone', 'Phone'], ['mobphone', 'Mobile phone'], ['mail', 'Email'], ['skype', 'Skype'],
  ['twitter', 'Twitter'], ['facebook', 'Facebook'], ['livejournal', 'LiveJournal'], ['jabber', 'Jabber']];
const kindName = (type) => (kinds.find(([k]) => k === type) || [type, type])[1];

export async function profile(userId) {
  const user = await get(`people/${userId}`);
  const own = session.me && user.id === session.me.id;
  const problem = errorBox();
  const again = async () => document.getElementById('main').replaceChildren(await profile(userId));
  const change = (work, done) => attempt(problem, work, done, again);
  const kind = h('select', {}, kinds.map(([value, text]) => h('option', { value }, text)));
  const value = h('input', { type: 'text', required: true, autocomplete: 'off' });
  const entries = user.contacts || [];
  return h('article', {},
    h('h1', {}, own ? `My profile: ${user.displayName}` : user.displayName),
    h('dl', {},
      h('div', { class: 'pair' }, h('dt', {}, 'Email'), h('dd', {}, user.email || '')),
      user.title ? h('div', { class: 'pair' }, h('dt', {}, 'Title'), h('dd', {}, user.title)) : null,
      user.department ? h('div', { class: 'pair' }, h('dt', {}, 'Department'), h('dd', {}, user.department)) : null),
    problem,
    h('section', { class: 'part', 'aria-label': 'Contacts' }, h('h2', {}, 'Contacts'),
      entries.length ? h('ul', { class: 'entries' }, entries.map((entry) => h('li', {},
        `${kindName(entry.type)}: ${entry.value} `,
        own ? h('button', { type: 'button', class: 'small', 'aria-label': `Remove ${kindName(entry.type)} ${entry.value}`,
          onclick: () => change(() => del(`people/${user.id}/contacts`, { contacts: [entry] }), `Removed ${entry.value}.`) }, 'Remove') : null)))
        : h('p', {}, 'No contacts.'),
      own ? h('form', { class: 'inline', onsubmit: (event) => {
        event.preventDefault();
        const entry = { type: kind.value, value: value.value.trim() };
        change(() => put(`people/${user.id}/contacts`, { contacts: [entry] }), `Added ${entry.value}.`);
      } }, field('Kind', kind), field('Contact', value), h('button', { type: 'submit' }, 'Add contact')) : null));
}
