// The projects the user sees, and each project's team and linked contacts.
import { get, page, del } from './api.js';
import { h, errorBox, plural, attempt } from './ui.js';

const statuses = ['Open', 'Closed', 'Paused'];

export async function projectList() {
  const { items, total } = await page('project/filter', { count: 100 });
  return h('section', {},
    h('h1', {}, 'Projects'),
    h('p', { class: 'summary' }, plural(total, 'project', 'projects')),
    h('div', { class: 'scroll' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Title'), h('th', {}, 'Status'), h('th', {}, 'Manager'))),
      h('tbody', {}, items.map((project) => h('tr', {},
        h('td', {}, h('a', { href: `#/project/${project.id}` }, project.title)),
        h('td', {}, statuses[project.status] || ''),
        h('td', {}, project.responsible?.displayName || '')))))));
}

export async function projectPage(id) {
  const [project, team, contacts] = await Promise.all([
    get(`project/${id}`), get(`project/${id}/team`), get(`crm/contact/project/${id}`).catch(() => null),
  ]);
  const problem = errorBox();
  const unlink = (contact) => attempt(problem, () => del(`crm/contact/${contact.id}/project/${id}`),
    `Unlinked ${contact.displayName}.`, async () => document.getElementById('main').replaceChildren(await projectPage(id)));
  return h('article', {},
    h('h1', {}, project.title),
    project.description ? h('p', {}, project.description) : null,
    problem,
    h('section', { class: 'part', 'aria-label': 'Team' }, h('h2', {}, 'Team'),
      h('ul', {}, team.map((member) => h('li', {}, h('a', { href: `#/people/${member.id}` }, member.displayName))))),
    contacts ? h('section', { class: 'part', 'aria-label': 'Linked contacts' }, h('h2', {}, 'Linked contacts'),
      contacts.length ? h('ul', {}, contacts.map((contact) => h('li', {},
        h('a', { href: `#/contact/${contact.id}` }, contact.displayName), ' ',
        contact.canEdit ? h('button', { type: 'button', class: 'small', 'aria-label': `Unlink ${contact.displayName}`, onclick: () => unlink(contact) }, 'Unlink') : null)))
        : h('p', {}, 'No contact is linked.')) : null);
}
