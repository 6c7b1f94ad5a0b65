// The people directory and profiles, with one's own contacts (add and remove).
import { get, page, post, put, del } from './api.js';
import { h, field, errorBox, showError, notify, debounce, session, plural, attempt, confirm, dialog } from './ui.js';

export async function directory() {
  const admin = session.me?.isAdmin;
  const groups = await get('group');
  const search = h('input', { type: 'search', autocomplete: 'off' });
  const status = h('select', {}, [['Active', 'Active'], ['Terminated', 'Disabled'], ['All', 'Everyone']]
    .map(([value, text]) => h('option', { value }, text)));
  const department = h('select', {}, h('option', { value: '' }, 'Any department'),
    groups.map((g) => h('option', { value: g.id }, g.name)));
  const summary = h('p', { class: 'summary', role: 'status', 'aria-live': 'polite' });
  const problem = errorBox();
  const body = h('tbody');
  let controller = null;
  const load = async () => {
    controller?.abort();
    controller = new AbortController();
    try {
      const params = { filterValue: search.value.trim(), employeeStatus: status.value, groupId: department.value, count: 100 };
      const { items, total } = await page('people/filter', params, { signal: controller.signal });
      showError(problem, null);
      summary.textContent = `${plural(total, 'person', 'people')}${total > items.length ? `, the first ${items.length} shown` : ''}`;
      body.replaceChildren(...items.map((user) => h('tr', {},
        h('td', {}, h('a', { href: `#/people/${user.id}` }, user.displayName), user.isVisitor ? h('small', {}, 'Guest') : null),
        h('td', {}, user.title || ''), h('td', {}, user.email || ''), h('td', {}, user.department || ''))));
    } catch (error) {
      if (error.name !== 'AbortError') showError(problem, error);
    }
  };
  search.addEventListener('input', debounce(load, 200));
  status.addEventListener('change', load);
  department.addEventListener('change', load);
  load();
  return h('section', {},
    h('div', { class: 'heading' }, h('h1', {}, 'People'),
      admin ? h('button', { type: 'button', class: 'primary', onclick: () => addUser(load) }, 'Add a user') : null),
    h('div', { class: 'filters' }, field('Search people', search)),
    h('div', { class: 'filters' }, field('Status', status), field('Department', department)),
    problem, summary,
    h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Title'), h('th', {}, 'Email'), h('th', {}, 'Department'))),
      body)));
}

/** An administrator adds a user or a guest, who is mailed an invitation. */
function addUser(then) {
  return dialog('Add a user', (close) => {
    const input = (type) => h('input', { type, required: true, autocomplete: 'off' });
    const [firstname, lastname, email] = [input('text'), input('text'), input('email')];
    const guest = h('input', { type: 'checkbox' });
    const problem = errorBox();
    return h('form', { onsubmit: async (event) => {
      event.preventDefault();
      const user = { firstname: firstname.value.trim(), lastname: lastname.value.trim(), email: email.value.trim(), isVisitor: guest.checked };
      try {
        await post('people', user);
        close(true);
        notify(`Added ${user.firstname} ${user.lastname}.`);
        then();
      } catch (error) {
        showError(problem, error);
      }
    } }, field('First name', firstname), field('Last name', lastname), field('Email', email),
    h('label', { class: 'check' }, guest, ' Guest (sees less, cannot use the CRM)'), problem,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add'),
      h('button', { type: 'button', onclick: () => close(false) }, 'Cancel')));
  });
}

/** What an administrator may do to another user's account. */
function accountActions(user, change) {
  const disabled = user.status === 2;
  const ids = { userIds: [user.id] };
  const remove = async () => {
    if (await confirm(`Delete ${user.displayName}? Their profile is removed for good.`)) {
      attempt(null, () => del(`people/${user.id}`), `Deleted ${user.displayName}.`, () => { location.hash = '#/people'; });
    }
  };
  return h('div', { class: 'actions', role: 'group', 'aria-label': 'Account' },
    h('button', { type: 'button', onclick: () => change(() => put(`people/status/${disabled ? 'Active' : 'Terminated'}`, ids),
      disabled ? 'Enabled.' : 'Disabled.') }, disabled ? 'Enable' : 'Disable'),
    // Administrators and the owner cannot become guests (the server leaves them as they are).
    user.isAdmin || user.isOwner ? null : h('button', { type: 'button', onclick: () => change(() => put(`people/type/${user.isVisitor ? 'User' : 'Visitor'}`, ids),
      'Changed the type.') }, user.isVisitor ? 'Make a user' : 'Make a guest'),
    // The owner keeps his rights and a guest cannot have them (the server refuses both too).
    user.isOwner || user.isVisitor ? null : h('button', { type: 'button', onclick: () => change(() => put('settings/security/administrator',
      { productid: portalWide, userid: user.id, administrator: !user.isAdmin }), user.isAdmin ? 'Administrator rights removed.' : 'Made an administrator.') },
    user.isAdmin ? 'Remove administrator rights' : 'Make administrator'),
    disabled ? h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete') : null);
}

/** The product id that stands for the whole portal in `settings/security/administrator`. */
const portalWide = '00000000-0000-0000-0000-000000000000';

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
    h('p', { class: 'kind' }, [user.isAdmin ? 'Administrator' : user.isVisitor ? 'Guest' : 'User', user.status === 2 ? 'disabled' : null]
      .filter(Boolean).join(', ')),
    session.me?.isAdmin && !own ? accountActions(user, change) : null,
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
