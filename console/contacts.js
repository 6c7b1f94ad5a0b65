// The contact list: search as you type, filters, sort, paging, and actions on many contacts.
import { get, page, post, put } from './api.js';
import { exportContacts } from './transfer.js';
import { h, field, errorBox, showError, notify, debounce, confirm, dialog, accessDialog, plural } from './ui.js';

let cachedUsers = null;
/** The portal's active users, for managers and the responsible filter. */
export async function users() {
  cachedUsers ||= get('people').then((list) => list.map((u) => ({ id: u.id, displayName: u.displayName })));
  return cachedUsers;
}

/** The primary (or first) email of a contact. */
export const emailOf = (contact) =>
  ((contact.commonData || []).filter((d) => d.infoType === 1).sort((a, b) => b.isPrimary - a.isPrimary)[0] || {}).data || '';

// The filter outlives the screen, so coming back to the list finds it as it was left.
const initial = { search: '', view: '0', tag: '', status: '', type: '', responsible: '', access: '', from: '', to: '', sort: 'Created:descending', count: 25, start: 0 };
const state = { ...initial };

/** Makes the list show, when next opened, the newest contacts with only `changes` as filter. */
export function showInList(changes) {
  Object.assign(state, initial, changes);
}

/** Shorter searches match most of a large list and take the server longest (docs/performance.md). */
const MIN_SEARCH = 3;
const searchText = () => (state.search.trim().length >= MIN_SEARCH ? state.search.trim() : '');

/** The API's parameters for the list's filter and order. */
function filterParams() {
  const [sortBy, sortOrder] = state.sort.split(':');
  return {
    filterValue: searchText(), contactListView: state.view === '0' ? '' : state.view, tags: state.tag,
    contactStage: state.status, contactType: state.type, responsibleid: state.responsible, isShared: state.access,
    fromDate: state.from, toDate: state.to, sortBy, sortOrder,
  };
}

export async function contactList() {
  const [allUsers, tags, statuses, types] = await Promise.all([
    users(), get('crm/contact/tag'), get('crm/contact/status'), get('crm/contact/type')]);
  const selected = new Set();
  let controller = null;
  let shown = [];

  const search = h('input', { type: 'search', value: state.search, autocomplete: 'off', placeholder: 'Name, email, phone…' });
  const select = (name, options) => {
    const control = h('select', { name },
      options.map(([value, text]) => h('option', { value, selected: String(state[name]) === String(value) }, text)));
    return changes(control, name);
  };
  const changes = (control, name) => {
    control.addEventListener('change', () => {
      state[name] = control.value;
      state.start = 0;
      load();
    });
    return control;
  };
  const date = (name) => changes(h('input', { type: 'date', value: state[name] }), name);
  // On a phone the search box shows and the rest folds away.
  const filters = h('details', { class: 'more', open: matchMedia('(min-width: 40rem)').matches },
    h('summary', {}, 'Filters, order and page size'),
    h('div', { class: 'filters' },
    field('Show', select('view', [['0', 'Persons and companies'], ['2', 'Persons'], ['1', 'Companies']])),
    field('Tag', select('tag', [['', 'Any tag'], ...tags.map((t) => [t.title, t.title])])),
    field('Status', select('status', [['', 'Any status'], ...statuses.map((s) => [s.id, s.title])])),
    field('Type', select('type', [['', 'Any type'], ...types.map((t) => [t.id, t.title])])),
    field('Responsible', select('responsible', [['', 'Anyone'], ...allUsers.map((u) => [u.id, u.displayName])])),
    field('Access', select('access', [['', 'Shared or private'], ['true', 'Shared'], ['false', 'Private']])),
    field('Sort by', select('sort', [
      ['Created:descending', 'Newest first'], ['Created:ascending', 'Oldest first'],
      ['DisplayName:ascending', 'Name A–Z'], ['DisplayName:descending', 'Name Z–A']])),
    field('Per page', select('count', [[25, '25'], [50, '50'], [100, '100']])),
    field('Created from', date('from')),
    field('Created to', date('to'))));

  const problem = errorBox();
  const summary = h('p', { class: 'summary', role: 'status', 'aria-live': 'polite' });
  const body = h('tbody');
  const all = h('input', { type: 'checkbox', 'aria-label': 'Select every contact on this page' });
  const table = h('div', { class: 'scroll' },
    h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', { class: 'pick' }, all), h('th', {}, 'Name'), h('th', {}, 'Email'),
        h('th', {}, 'Tags'), h('th', {}, 'Access'))),
      body));
  const previous = h('button', { type: 'button', onclick: () => { state.start -= state.count; load(); } }, 'Previous page');
  const next = h('button', { type: 'button', onclick: () => { state.start += Number(state.count); load(); } }, 'Next page');
  const chosen = h('span', { class: 'chosen' });
  const bulk = h('div', { class: 'bulk', role: 'group', 'aria-label': 'Actions on the selected contacts', hidden: true },
    chosen,
    h('button', { type: 'button', class: 'danger', onclick: deleteSelected }, 'Delete'),
    h('button', { type: 'button', onclick: tagSelected }, 'Tag'),
    h('button', { type: 'button', onclick: accessSelected }, 'Access'),
    h('button', { type: 'button', onclick: linkSelected }, 'Link to project'));

  function refreshBulk() {
    bulk.hidden = selected.size === 0;
    chosen.textContent = `${plural(selected.size, 'contact', 'contacts')} selected`;
    all.checked = shown.length > 0 && shown.every((c) => selected.has(c.id));
  }

  all.addEventListener('change', () => {
    for (const contact of shown) all.checked ? selected.add(contact.id) : selected.delete(contact.id);
    for (const box of body.querySelectorAll('input[type=checkbox]')) box.checked = all.checked;
    refreshBulk();
  });

  function row(contact) {
    const box = h('input', { type: 'checkbox', checked: selected.has(contact.id), 'aria-label': `Select ${contact.displayName}` });
    box.addEventListener('change', () => {
      box.checked ? selected.add(contact.id) : selected.delete(contact.id);
      refreshBulk();
    });
    const kind = contact.isCompany ? 'Company' : contact.company ? `Person at ${contact.company.displayName}` : 'Person';
    return h('tr', {},
      h('td', { class: 'pick' }, box),
      h('td', {}, h('a', { href: `#/contact/${contact.id}` }, contact.displayName), h('small', {}, kind)),
      h('td', {}, emailOf(contact)),
      h('td', {}, (contact.tags || []).map((t) => h('span', { class: 'tag' }, t))),
      h('td', {}, contact.isShared ? 'Shared' : 'Private'));
  }

  async function load() {
    controller?.abort();
    controller = new AbortController();
    try {
      summary.textContent = 'Loading…';
      const params = { ...filterParams(), startIndex: state.start, count: state.count };
      const { items, total } = await page('crm/contact/filter', params, { signal: controller.signal });
      shown = items;
      showError(problem, null);
      body.replaceChildren(...items.map(row));
      if (items.length === 0) body.append(h('tr', {}, h('td', { colspan: 5 }, 'No contact matches.')));
      const first = total === 0 ? 0 : state.start + 1;
      summary.textContent = `${first}–${state.start + items.length} of ${plural(total, 'contact', 'contacts')}`;
      previous.disabled = state.start === 0;
      next.disabled = state.start + items.length >= total;
      refreshBulk();
    } catch (error) {
      if (error.name !== 'AbortError') {
        summary.textContent = '';
        showError(problem, error);
      }
    }
  }

  search.addEventListener('input', debounce(() => {
    const before = searchText();
    state.search = search.value;
    if (searchText() === before) return;
    state.start = 0;
    load();
  }, 200));

  async function act(work, done) {
    try {
      const result = await work();
      notify(done(result));
      selected.clear();
      await load();
    } catch (error) {
      showError(problem, error);
    }
  }

  async function deleteSelected() {
    const ids = [...selected];
    if (!(await confirm(`Delete ${plural(ids.length, 'contact', 'contacts')}?`))) return;
    act(() => put('crm/contact', { contactids: ids }), (deleted) => `Deleted ${plural(deleted.length, 'contact', 'contacts')}.`);
  }

  async function tagSelected() {
    const ids = [...selected];
    const tag = await dialog(`Tag ${plural(ids.length, 'contact', 'contacts')}`, (close) => {
      const input = h('input', { type: 'text', required: true, list: 'known-tags' });
      return h('form', { onsubmit: (event) => { event.preventDefault(); close(input.value.trim()); } },
        field('Tag', input),
        h('datalist', { id: 'known-tags' }, tags.map((t) => h('option', { value: t.title }))),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add tag'),
          h('button', { type: 'button', onclick: () => close(undefined) }, 'Cancel')));
    });
    if (tag) act(() => post('crm/contact/taglist', { entityid: ids, tagName: tag }), () => `Tagged ${plural(ids.length, 'contact', 'contacts')} “${tag}”.`);
  }

  async function accessSelected() {
    const ids = [...selected];
    const access = await accessDialog(`Access to ${plural(ids.length, 'contact', 'contacts')}`, allUsers);
    if (access) act(() => put('crm/contact/access', { contactid: ids, ...access }), (changed) => `Changed the access to ${plural(changed.length, 'contact', 'contacts')}.`);
  }

  async function linkSelected() {
    const ids = [...selected];
    const projects = await get('project');
    const projectId = await dialog(`Link ${plural(ids.length, 'contact', 'contacts')} to a project`, (close) => {
      const choice = h('select', { required: true }, projects.map((p) => h('option', { value: p.id }, p.title)));
      return h('form', { onsubmit: (event) => { event.preventDefault(); close(choice.value); } },
        projects.length ? field('Project', choice) : h('p', {}, 'You see no project.'),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', disabled: !projects.length }, 'Link'),
          h('button', { type: 'button', onclick: () => close(undefined) }, 'Cancel')));
    });
    if (projectId) act(() => post(`crm/contact/project/${projectId}`, { contactid: ids }), (linked) => `Linked ${plural(linked.length, 'contact', 'contacts')}.`);
  }

  async function exportAs(button, format) {
    button.disabled = true;
    showError(problem, null);
    try {
      notify('Exporting…');
      const { sortBy, sortOrder, ...filter } = filterParams();
      await exportContacts(filter, format);
      notify('Exported: the file is downloading.');
    } catch (error) {
      showError(problem, error);
    } finally {
      button.disabled = false;
    }
  }

  load();
  return h('section', { class: 'contacts' },
    h('div', { class: 'heading' }, h('h1', {}, 'Contacts'),
      h('div', { class: 'actions' },
        h('a', { class: 'button primary', href: '#/contact/new' }, 'New person'),
        h('a', { class: 'button', href: '#/company/new' }, 'New company'),
        h('a', { class: 'button', href: '#/import' }, 'Import'),
        h('button', { type: 'button', onclick: (event) => exportAs(event.currentTarget, 'csv') }, 'Export CSV'),
        h('button', { type: 'button', onclick: (event) => exportAs(event.currentTarget, 'vcard') }, 'Export vCard'))),
    h('div', { class: 'filters' }, field('Search contacts', search, `Searches names, emails and phones from ${MIN_SEARCH} characters on.`)), filters, problem, bulk, summary, table,
    h('div', { class: 'pager' }, previous, next));
}
