// Settings of the CRM for administrators: contact statuses (with colours), contact types, tags,
// custom fields of contacts and the default currency.
import { get, post, put, del } from './api.js';
import { h, field, errorBox, attempt, confirm } from './ui.js';

const part = (title, ...content) => h('section', { class: 'part', 'aria-label': title }, h('h2', {}, title), ...content);
const FIELD_TYPES = { 0: 'Text', 1: 'Text area', 2: 'Select', 3: 'Checkbox', 5: 'Date', 4: 'Heading' };
// The API sets the default currency but does not report it: the list shows the last one set here.
let chosenCurrency = null;
const hex = (color) => (/^#[0-9a-f]{6}$/i.test(color || '') ? color : '#777777');

export async function settings() {
  const [statuses, types, tags, fields, currencies] = await Promise.all([get('crm/contact/status'), get('crm/contact/type'),
    get('crm/contact/tag'), get('crm/contact/customfield/definitions'), get('crm/settings/currency')]);
  const problem = errorBox();
  const again = async () => document.getElementById('main').replaceChildren(await settings());
  const change = (work, done) => attempt(problem, work, done, again);
  const removing = async (what, work) => {
    if (await confirm(`Delete ${what}?`)) change(work, `Deleted ${what}.`);
  };

  const statusRows = statuses.map((status) => {
    const colour = h('input', { type: 'color', value: hex(status.color), 'aria-label': `Colour of ${status.title}` });
    colour.addEventListener('change', () => change(() => put(`crm/contact/status/${status.id}/color`, { color: colour.value }), `Changed the colour of ${status.title}.`));
    return h('li', {}, colour, ` ${status.title} `,
      h('button', { type: 'button', class: 'small', 'aria-label': `Delete the status ${status.title}`,
        onclick: () => removing(`the status ${status.title}`, () => del(`crm/contact/status/${status.id}`)) }, 'Delete'));
  });
  const statusTitle = h('input', { type: 'text', required: true, autocomplete: 'off' });
  const statusColour = h('input', { type: 'color', value: '#1d4ed8' });
  const typeRows = types.map((type) => h('li', {}, `${type.title} `,
    h('button', { type: 'button', class: 'small', 'aria-label': `Delete the type ${type.title}`,
      onclick: () => removing(`the type ${type.title}`, () => del(`crm/contact/type/${type.id}`)) }, 'Delete')));
  const typeTitle = h('input', { type: 'text', required: true, autocomplete: 'off' });
  const tagRows = tags.map((tag) => h('li', {}, h('span', { class: 'tag' }, tag.title), ` ${tag.relativeItemsCount || 0} contacts `,
    h('button', { type: 'button', class: 'small', 'aria-label': `Delete the tag ${tag.title}`,
      onclick: () => removing(`the tag “${tag.title}”`, () => del('crm/contact/tag', { tagName: tag.title })) }, 'Delete')));

  const fieldRows = fields.map((f) => h('li', {}, `${f.label} (${FIELD_TYPES[f.fieldType] || 'Text'}) `,
    h('button', { type: 'button', class: 'small', 'aria-label': `Delete the field ${f.label}`,
      onclick: () => removing(`the field ${f.label} and its values`, () => del(`crm/contact/customfield/${f.id}`)) }, 'Delete')));
  const fieldLabel = h('input', { type: 'text', required: true, autocomplete: 'off' });
  const fieldType = h('select', {}, Object.entries(FIELD_TYPES).map(([value, name]) => h('option', { value }, name)));
  const fieldOptions = h('input', { type: 'text', autocomplete: 'off' });
  const addField = (event) => {
    event.preventDefault();
    const type = Number(fieldType.value);
    // A select's options go as a JSON array, the form the API keeps them in.
    const mask = type === 2 ? JSON.stringify(fieldOptions.value.split(',').map((o) => o.trim()).filter(Boolean)) : '';
    change(() => post('crm/contact/customfield', { label: fieldLabel.value.trim(), fieldType: type, mask }), 'Added the field.');
  };
  const currency = h('select', {}, currencies.map((c) =>
    h('option', { value: c.abbreviation, selected: c.abbreviation === chosenCurrency }, `${c.abbreviation} – ${c.title}`)));

  return h('section', {},
    h('h1', {}, 'Settings'),
    problem,
    part('Contact statuses', h('ul', { class: 'entries' }, statusRows),
      h('form', { class: 'inline', onsubmit: (event) => {
        event.preventDefault();
        change(() => post('crm/contact/status', { title: statusTitle.value.trim(), color: statusColour.value }), 'Added the status.');
      } }, field('New status', statusTitle), field('Colour', statusColour), h('button', { type: 'submit' }, 'Add status'))),
    part('Contact types', h('ul', { class: 'entries' }, typeRows),
      h('form', { class: 'inline', onsubmit: (event) => {
        event.preventDefault();
        change(() => post('crm/contact/type', { title: typeTitle.value.trim() }), 'Added the type.');
      } }, field('New type', typeTitle), h('button', { type: 'submit' }, 'Add type'))),
    part('Tags', tagRows.length ? h('ul', { class: 'entries' }, tagRows) : h('p', {}, 'No tags yet.'),
      h('button', { type: 'button', onclick: () => change(() => del('crm/contact/tag/unused'), 'Deleted the unused tags.') }, 'Delete unused tags')),
    part('Custom fields of contacts', fieldRows.length ? h('ul', { class: 'entries' }, fieldRows) : h('p', {}, 'No custom fields yet.'),
      h('form', { class: 'inline', onsubmit: addField }, field('New field', fieldLabel), field('Field type', fieldType),
        field('Options', fieldOptions, 'For a select: separated by commas'), h('button', { type: 'submit' }, 'Add field'))),
    part('Default currency', h('form', { class: 'inline', onsubmit: (event) => {
      event.preventDefault();
      chosenCurrency = currency.value;
      change(() => put('crm/settings/currency', { currency: chosenCurrency }), `The default currency is now ${chosenCurrency}.`);
    } }, field('Currency', currency, 'The API sets the default but does not tell it'), h('button', { type: 'submit' }, 'Set default currency'))));
}
