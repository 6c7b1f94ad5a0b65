// A contact's page, and the form that creates or changes a person.
import { get, post, put, del } from './api.js';
import { h, field, errorBox, showError, notify, confirm, dialog, accessDialog, formatDate, attempt, debounce } from './ui.js';
import { users, emailOf } from './contacts.js';

let infoTypeNames = null;
/** The names of the kinds of detail, by number. */
const typeNames = () => (infoTypeNames ||= get('crm/contact/data/infoType'));

/** A titled part of a page. */
const part = (title, ...content) => h('section', { class: 'part', 'aria-label': title }, h('h2', {}, title), ...content);

export async function contactPage(id) {
  const [contact, projects, tags] = await Promise.all([
    get(`crm/contact/${id}`), get(`project/contact/${id}`), get(`crm/contact/${id}/tag`),
  ]);
  const definitions = await get(`crm/${contact.isCompany ? 'company' : 'person'}/customfield/definitions`);
  const problem = errorBox();
  const rerender = async () => {
    const fresh = await contactPage(id);
    document.getElementById('main').replaceChildren(fresh);
  };
  const change = (work, done) => attempt(problem, work, done, rerender);

  const names = await typeNames();
  const details = (contact.commonData || []).map((info) => {
    const what = `${names[info.infoType] || 'Detail'} (${info.categoryName})`;
    return h('div', { class: 'pair' }, h('dt', {}, what), h('dd', {}, info.data, ' ',
      contact.canEdit ? h('button', { type: 'button', class: 'small', 'aria-label': `Remove ${what} ${info.data}`,
        onclick: () => change(() => del(`crm/contact/${id}/data/${info.id}`), `Removed ${info.data}.`) }, 'Remove') : null));
  });
  // Addresses have parts of their own; the other kinds are one line of text.
  const kind = h('select', {}, names.map((name) => (name === 'Address' ? null : h('option', { value: name }, name))));
  const category = h('select', {});
  const fillCategories = async () => category.replaceChildren(
    ...(await get(`crm/contact/data/${kind.value}/category`)).map((name) => h('option', { value: name }, name)));
  kind.addEventListener('change', fillCategories);
  await fillCategories();
  const data = h('input', { type: 'text', required: true, autocomplete: 'off' });
  const addDetail = contact.canEdit ? h('form', { class: 'inline', onsubmit: (event) => {
    event.preventDefault();
    const detail = { infoType: kind.value, category: category.value, data: data.value.trim() };
    change(() => post(`crm/contact/${id}/data`, detail), `Added ${detail.data}.`);
  } }, field('Kind', kind), field('Category', category), field('Value', data), h('button', { type: 'submit' }, 'Add detail')) : null;

  const newTag = h('input', { type: 'text', required: true });
  const tagPart = part('Tags',
    h('ul', { class: 'tags' }, tags.map((tag) => h('li', {}, h('span', { class: 'tag' }, tag),
      h('button', { type: 'button', class: 'small', 'aria-label': `Remove tag ${tag}`,
        onclick: () => change(() => del(`crm/contact/${id}/tag`, { tagName: tag }), `Removed the tag “${tag}”.`) }, '×')))),
    h('form', { class: 'inline', onsubmit: (event) => {
      event.preventDefault();
      const tag = newTag.value.trim();
      if (tag) change(() => post(`crm/contact/${id}/tag`, { tagName: tag }), `Added the tag “${tag}”.`);
    } }, field('New tag', newTag), h('button', { type: 'submit' }, 'Add tag')));

  const fieldPart = customFields(contact, definitions, change);

  let family = null;
  if (contact.isCompany) {
    const persons = await get(`crm/contact/company/${id}/person`);
    family = part('People', persons.length
      ? h('ul', {}, persons.map((p) => h('li', {}, h('a', { href: `#/contact/${p.id}` }, p.displayName))))
      : h('p', {}, 'No person of this company.'));
  } else if (contact.company) {
    family = part('Company', h('a', { href: `#/contact/${contact.company.id}` }, contact.company.displayName));
  }

  const linkable = await get('project').catch(() => []);
  const choice = h('select', {}, linkable.filter((p) => !projects.some((q) => q.id === p.id))
    .map((p) => h('option', { value: p.id }, p.title)));
  const projectPart = part('Projects',
    projects.length ? h('ul', {}, projects.map((project) => h('li', {},
      h('a', { href: `#/project/${project.id}` }, project.title), ' ',
      h('button', { type: 'button', class: 'small', 'aria-label': `Unlink ${project.title}`,
        onclick: () => change(() => del(`crm/contact/${id}/project/${project.id}`), `Unlinked ${project.title}.`) }, 'Unlink'))))
      : h('p', {}, 'Linked to no project.'),
    choice.options.length ? h('form', { class: 'inline', onsubmit: (event) => {
      event.preventDefault();
      const title = choice.selectedOptions[0].textContent;
      change(() => post(`crm/contact/project/${choice.value}`, { contactid: [id] }), `Linked to ${title}.`);
    } }, field('Project to link', choice), h('button', { type: 'submit' }, 'Link')) : null);

  const managers = (contact.accessList || []).map((u) => u.displayName);
  const accessPart = part('Access',
    h('p', {}, contact.isShared ? 'Shared: everyone with CRM access sees it.' : `Private: only ${managers.join(', ') || 'administrators'} see it.`),
    contact.canEdit ? h('button', { type: 'button', onclick: async () => {
      const access = await accessDialog(`Access to ${contact.displayName}`, await users(),
        { isShared: contact.isShared, managers: (contact.accessList || []).map((u) => u.id) });
      if (access) change(() => put(`crm/contact/${id}/access`, access), 'Changed the access.');
    } }, 'Change access') : null);

  const remove = async () => {
    if (!(await confirm(`Delete ${contact.displayName}?`))) return;
    attempt(problem, () => del(`crm/contact/${id}`), `Deleted ${contact.displayName}.`, () => { location.hash = '#/contacts'; });
  };

  const merge = async () => {
    const duplicate = await dialog(`Merge a duplicate into ${contact.displayName}`, (close) => {
      const search = h('input', { type: 'search', autocomplete: 'off' });
      const found = h('fieldset', {}, h('legend', {}, 'Duplicates found'));
      const problem = errorBox();
      search.addEventListener('input', debounce(async () => {
        try {
          const matches = (await get('crm/contact/byprefix', { prefix: search.value.trim() }))
            .filter((c) => c.id !== id && c.isCompany === contact.isCompany);
          found.replaceChildren(h('legend', {}, 'Duplicates found'), ...matches.map((c) => h('label', { class: 'check' },
            h('input', { type: 'radio', name: 'duplicate', value: c.id, 'data-name': c.displayName }), ` ${c.displayName}`)));
          showError(problem, null);
        } catch (error) {
          showError(problem, error);
        }
      }, 200));
      return h('form', { onsubmit: (event) => {
        event.preventDefault();
        const chosen = found.querySelector('input:checked');
        if (chosen) close({ id: Number(chosen.value), name: chosen.dataset.name });
        else showError(problem, new Error('Choose the duplicate to merge.'));
      } }, field('Find the duplicate by name', search), found, problem,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Merge'),
        h('button', { type: 'button', onclick: () => close(undefined) }, 'Cancel')));
    });
    if (!duplicate) return;
    const question = `Merge ${duplicate.name} into ${contact.displayName}? ${duplicate.name} is deleted; its details, tags and links move here.`;
    if (await confirm(question, 'Merge')) {
      change(() => put('crm/contact/merge', { fromcontactid: duplicate.id, tocontactid: id }), `Merged ${duplicate.name}.`);
    }
  };

  return h('article', { class: 'contact' },
    h('div', { class: 'heading' },
      h('h1', {}, contact.displayName),
      h('div', { class: 'actions' },
        contact.canEdit ? h('a', { class: 'button', href: `#/contact/${id}/edit` }, 'Edit') : null,
        contact.canEdit ? h('button', { type: 'button', onclick: merge }, 'Merge a duplicate') : null,
        contact.canDelete ? h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete') : null)),
    h('p', { class: 'kind' }, contact.isCompany ? 'Company' : [contact.title, 'Person'].filter(Boolean).join(' · ')),
    problem,
    part('Details', details.length ? h('dl', {}, details) : h('p', {}, 'No phone, email or address yet.'),
      addDetail, contact.about ? h('p', {}, contact.about) : null),
    fieldPart, tagPart, family, projectPart, accessPart,
    // The API tells who created a contact and when, not who changed it last.
    h('p', { class: 'meta' }, `Created${contact.createBy ? ` by ${contact.createBy.displayName}` : ''} on ${formatDate(contact.created)}.`));
}

/** The custom fields an administrator defined, with this contact's values: a control per
 *  field by its type (text, text area, select, checkbox, date), saved together; a heading
 *  (type 4) only titles the fields after it. */
function customFields(contact, definitions, change) {
  if (!definitions.length) return null;
  const values = new Map((contact.customFields || []).map((f) => [f.id, f.fieldValue]));
  const controls = [];
  const rows = definitions.map((def) => {
    const value = values.get(def.id) || '';
    if (def.fieldType === 4) return h('h3', {}, def.label);
    let control;
    if (def.fieldType === 1) control = h('textarea', { rows: 2 }, value);
    else if (def.fieldType === 2) {
      let options = [];
      try { options = JSON.parse(def.mask || '[]'); } catch { /* no options */ }
      control = h('select', {}, h('option', { value: '' }, '(none)'), options.map((o) => h('option', { value: o, selected: o === value }, o)));
    } else if (def.fieldType === 3) control = h('input', { type: 'checkbox', checked: value === 'true' });
    else control = h('input', { type: def.fieldType === 5 ? 'date' : 'text', value, autocomplete: 'off' });
    control.disabled = !contact.canEdit;
    controls.push({ def, control, value });
    const clear = contact.canEdit && value ? h('button', { type: 'button', class: 'small', 'aria-label': `Clear ${def.label}`,
      onclick: () => change(() => post(`crm/contact/${contact.id}/customfield/${def.id}`, { fieldValue: '' }), `Cleared ${def.label}.`) }, 'Clear') : null;
    const row = def.fieldType === 3 ? h('div', { class: 'field' }, h('label', { class: 'check' }, control, ` ${def.label}`)) : field(def.label, control);
    if (clear) row.append(clear);
    return row;
  });
  const save = (event) => {
    event.preventDefault();
    const changed = controls.map(({ def, control, value }) => ({ def, value, now: def.fieldType === 3 ? (control.checked ? 'true' : '') : control.value.trim() }))
      .filter(({ value, now }) => now !== value);
    change(() => Promise.all(changed.map(({ def, now }) => post(`crm/contact/${contact.id}/customfield/${def.id}`, { fieldValue: now }))), 'Saved the custom fields.');
  };
  return part('Custom fields', h('form', { class: 'fields', onsubmit: save }, rows,
    contact.canEdit ? h('button', { type: 'submit' }, 'Save custom fields') : null));
}

/** Creates (id null) or changes a person or a company: names, email, a tag, access. */
export async function contactForm(id, asCompany) {
  const [existing, allUsers] = await Promise.all([id ? get(`crm/contact/${id}`) : null, users()]);
  const isCompany = existing ? existing.isCompany : asCompany;
  const noun = isCompany ? 'company' : 'person';
  const email = existing ? (existing.commonData || []).find((d) => d.infoType === 1 && d.data === emailOf(existing)) : null;
  const input = (name, value, extra = {}) => h('input', { name, value: value || '', autocomplete: 'off', ...extra });
  const firstName = input('firstName', existing?.firstName, { required: true });
  const lastName = input('lastName', existing?.lastName, { required: true });
  const jobTitle = input('jobTitle', existing?.title);
  const companyName = input('companyName', existing?.displayName, { required: true });
  const about = h('textarea', { name: 'about', rows: 3 }, existing?.about || '');
  const emailInput = input('email', email?.data, { type: 'email' });
  const tag = input('tag', '');
  const privateBox = h('input', { type: 'checkbox', checked: existing ? !existing.isShared : false });
  const current = (existing?.accessList || []).map((u) => u.id);
  const managerBoxes = allUsers.map((u) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', value: u.id, checked: current.includes(u.id) }), ` ${u.displayName}`));
  const problem = errorBox();
  const save = h('button', { type: 'submit', class: 'primary' }, id ? 'Save' : `Create ${noun}`);
  // The id of a contact created by an earlier attempt whose later steps failed.
  let savedId = id;

  const submit = async (event) => {
    event.preventDefault();
    const managerList = managerBoxes.map((l) => l.firstChild).filter((b) => b.checked).map((b) => b.value);
    if (privateBox.checked && managerList.length === 0) {
      showError(problem, new Error(`Choose at least one manager for a private ${noun}.`));
      return;
    }
    const access = { isShared: !privateBox.checked, managerList: privateBox.checked ? managerList : [] };
    const fields = isCompany
      ? { companyName: companyName.value.trim(), about: about.value.trim(), ...access }
      : { firstName: firstName.value.trim(), lastName: lastName.value.trim(), jobTitle: jobTitle.value.trim(), about: about.value.trim(), ...access };
    const path = `crm/contact/${noun}`;
    save.disabled = true;
    showError(problem, null);
    try {
      if (savedId) await put(`${path}/${savedId}`, fields);
      else savedId = (await post(path, fields)).id;
      const address = emailInput.value.trim();
      const detail = { infoType: 'Email', category: 'Work', data: address, isPrimary: true };
      if (email && address !== email.data) {
        if (address) await put(`crm/contact/${savedId}/data/${email.id}`, detail);
        else await del(`crm/contact/${savedId}/data/${email.id}`);
      } else if (!email && address) {
        await post(`crm/contact/${savedId}/data`, detail);
      }
      if (tag.value.trim()) await post(`crm/contact/${savedId}/tag`, { tagName: tag.value.trim() });
      notify('Saved.');
      location.hash = `#/contact/${savedId}`;
    } catch (error) {
      // What was typed stays in the form, to correct and save again.
      showError(problem, error);
    } finally {
      save.disabled = false;
    }
  };

  const names = isCompany
    ? [field('Company name', companyName)]
    : [field('First name', firstName), field('Last name', lastName), field('Job title', jobTitle)];
  return h('section', { class: 'narrow' },
    h('h1', {}, id ? `Edit ${existing.displayName}` : `New ${noun}`),
    h('form', { onsubmit: submit },
      names, field('Email', emailInput), field(id ? 'Add a tag' : 'Tag', tag), field('About', about),
      h('label', { class: 'check' }, privateBox, ' Private: only the managers below see it'),
      h('fieldset', { class: 'managers' }, h('legend', {}, 'Managers'), managerBoxes),
      problem,
      h('div', { class: 'actions' }, save, h('a', { class: 'button', href: id ? `#/contact/${id}` : '#/contacts' }, 'Cancel'))));
}
