// Contacts in and out through the original's import and export routes, run as background
// tasks: upload a CSV or vCard file, map a CSV's columns on its first rows, follow the
// progress, see the outcome; export what the contact list's filter selects.
import { get, post, sleep } from './api.js';
import { h, field, errorBox, showError, notify, plural } from './ui.js';
import { showInList } from './contacts.js';

/** Polls a task's status route until it is completed, showing each status; the last one. */
async function follow(path, shown = () => {}) {
  for (;;) {
    const status = await get(path);
    shown(status);
    if (status.isCompleted) return status;
    await sleep(500);
  }
}

const DONE = 2;

/** Exports the contacts that `filter` (crm/contact/filter's parameters) selects as `format`
 *  (csv or vcard) and downloads the file. */
export async function exportContacts(filter, format) {
  const chosen = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== '' && value !== undefined));
  await post('crm/export/partial/contact/start', { ...chosen, format });
  const done = await follow('crm/export/partial/status');
  if (done.status !== DONE) throw new Error(`The export failed: ${done.error || 'no reason was given'}.`);
  h('a', { href: done.fileUrl, download: '' }).click();
}

/** What a CSV column may hold: the names the import settings' `column_mapping` accepts. */
const FIELDS = [
  ['', 'Nothing (ignore it)'], ['firstName', 'First name'], ['lastName', 'Last name'], ['companyName', 'Company'],
  ['title', 'Job title'], ['contactInfo_1_0', 'Email'], ['contactInfo_0_0', 'Phone'], ['contactInfo_2_0', 'Website'],
  ['about', 'About'], ['industry', 'Industry'], ['tags', 'Tags'], ['kind', 'Kind (person or company)'],
];
/** Header texts that name a field other than by its label. */
const ALIASES = {
  first: 'firstName', givenname: 'firstName', last: 'lastName', surname: 'lastName', familyname: 'lastName',
  organization: 'companyName', organisation: 'companyName', companyname: 'companyName', position: 'title',
  mail: 'contactInfo_1_0', emailaddress: 'contactInfo_1_0', telephone: 'contactInfo_0_0', tel: 'contactInfo_0_0',
  mobile: 'contactInfo_0_0', web: 'contactInfo_2_0', url: 'contactInfo_2_0', notes: 'about', note: 'about', tag: 'tags',
};
const key = (text) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** The field a header cell most likely names, or '' to ignore the column. */
function guess(header) {
  const wanted = key(header || '');
  if (!wanted) return '';
  const byLabel = FIELDS.find(([value, label]) => value && (key(label) === wanted || key(value) === wanted));
  return byLabel ? byLabel[0] : ALIASES[wanted] || '';
}

const DELIMITERS = [[',', 'Comma (,)'], [';', 'Semicolon (;)'], ['\t', 'Tab']];

export async function importScreen() {
  const file = h('input', { type: 'file', accept: '.csv,.vcf,.vcard,text/csv,text/vcard', required: true });
  const header = h('input', { type: 'checkbox', checked: true });
  const delimiter = h('select', {}, DELIMITERS.map(([value, text]) => h('option', { value }, text)));
  const duplicates = h('select', {},
    h('option', { value: '1' }, 'Skip them'), h('option', { value: '2' }, 'Merge them into the existing contact'),
    h('option', { value: '3' }, 'Import them as new contacts'));
  const strict = h('input', { type: 'checkbox' });
  const tag = h('input', { type: 'text', autocomplete: 'off' });
  const problem = errorBox();
  const preview = h('div', { class: 'preview' });
  const start = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Start import');
  const progress = h('progress', { max: 100, value: 0 });
  const progressText = h('p', { role: 'status', 'aria-live': 'polite' });
  const outcome = h('div', { class: 'outcome' });
  // The uploaded file's name for `csvFileURI` and, for a CSV, the mapping controls.
  let uploaded = null;
  let mapping = [];

  function settings() {
    const chosen = {
      has_header: header.checked, delimiter_character: delimiter.value.charCodeAt(0),
      removing_duplicates_behavior: Number(duplicates.value), strict: strict.checked,
    };
    if (tag.value.trim()) chosen.tags = [tag.value.trim()];
    // Every column is named, an ignored one by '', so that rows keep the header's width.
    if (mapping.length) chosen.column_mapping = Object.fromEntries(mapping.map((control, i) => [i, control.value]));
    return JSON.stringify(chosen);
  }

  async function showPreview() {
    uploaded = null;
    mapping = [];
    start.disabled = true;
    preview.replaceChildren();
    outcome.replaceChildren();
    showError(problem, null);
    if (!file.files.length) return;
    const form = new FormData();
    form.append('file', file.files[0]);
    form.append('jsonSettings', settings());
    try {
      preview.replaceChildren(h('p', { class: 'loading' }, 'Reading the file…'));
      const answer = await post('crm/import/uploadfake', form);
      uploaded = answer.assignedPath;
      preview.replaceChildren(answer.rows.length ? mappingTable(answer.rows)
        : h('p', {}, 'A vCard file: each card becomes a person or a company, with its names, company, emails, phones, addresses and notes.'));
      start.disabled = false;
    } catch (error) {
      preview.replaceChildren();
      showError(problem, error);
    }
  }

  function mappingTable(rows) {
    const width = Math.max(...rows.map((row) => row.length));
    const titles = header.checked ? rows[0] : [];
    const shownRows = header.checked ? rows.slice(1) : rows;
    mapping = Array.from({ length: width }, (_, i) => {
      const name = titles[i] ? `Column ${i + 1} (${titles[i]}) holds` : `Column ${i + 1} holds`;
      const suggested = guess(titles[i]);
      return h('select', { 'aria-label': name },
        FIELDS.map(([value, text]) => h('option', { value, selected: value === suggested }, text)));
    });
    return h('div', {},
      h('h2', {}, 'Map the columns'),
      h('p', {}, `The first rows of the file. Choose what each column holds; a column left as “Nothing” is not imported.`),
      h('div', { class: 'scroll' },
        h('table', { class: 'list' },
          h('caption', { class: 'meta' }, `First ${plural(shownRows.length, 'row', 'rows')} of the file`),
          h('thead', {},
            header.checked ? h('tr', {}, titles.concat(Array(width - titles.length).fill('')).map((t, i) => h('th', { scope: 'col' }, t || `Column ${i + 1}`))) : null,
            h('tr', {}, mapping.map((control) => h('td', {}, control)))),
          h('tbody', {}, shownRows.map((row) => h('tr', {}, Array.from({ length: width }, (_, i) => h('td', {}, row[i] ?? ''))))))));
  }

  async function run(event) {
    event.preventDefault();
    if (!uploaded) return;
    start.disabled = true;
    showError(problem, null);
    outcome.replaceChildren();
    progress.value = 0;
    progressBox.hidden = false;
    try {
      await post('crm/contact/import/start', { csvFileURI: uploaded, jsonSettings: settings() });
      const done = await follow('crm/contact/import/status', (status) => {
        progress.value = status.percentage || 0;
        progressText.textContent = status.isCompleted ? 'Finished.' : `Importing… ${Math.round(status.percentage || 0)}%`;
      });
      if (done.status !== DONE) throw new Error(`Nothing was imported: ${done.error || 'no reason was given'}.`);
      outcome.replaceChildren(report(done.report || {}));
      notify('The import is finished.');
    } catch (error) {
      progressText.textContent = '';
      showError(problem, error);
    } finally {
      start.disabled = false;
    }
  }

  function report(r) {
    const rejected = r.rejected || [];
    const ignored = (r.ignoredColumns || []).filter(Boolean);
    const counts = [
      plural(r.persons || 0, 'person', 'persons') + ' and ' + plural(r.companies || 0, 'company', 'companies') + ' imported',
      r.companiesCreated ? `${plural(r.companiesCreated, 'company', 'companies')} created for the persons’ companies` : null,
      r.skipped ? `${plural(r.skipped, 'duplicate', 'duplicates')} skipped` : null,
      r.merged ? `${plural(r.merged, 'duplicate', 'duplicates')} merged` : null,
      plural(rejected.length, 'row', 'rows') + ' rejected',
    ].filter(Boolean);
    const lines = (title, list) => list.length ? h('div', { class: 'scroll' },
      h('table', { class: 'list' }, h('caption', {}, title),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Why'))),
        h('tbody', {}, list.map((row) => h('tr', {}, h('td', {}, String(row.line)), h('td', {}, row.reason)))))) : null;
    const seeThem = tag.value.trim()
      ? h('a', { href: '#/contacts', onclick: () => showInList({ tag: tag.value.trim() }) }, `See the contacts tagged “${tag.value.trim()}”`)
      : h('a', { href: '#/contacts', onclick: () => showInList({}) }, 'See the imported contacts');
    return h('section', { class: 'part', 'aria-labelledby': 'outcome-title' },
      h('h2', { id: 'outcome-title' }, 'Outcome'),
      h('ul', {}, counts.map((text) => h('li', {}, text))),
      ignored.length ? h('p', {}, `Columns not imported: ${ignored.join(', ')}.`) : null,
      lines('Rejected rows and why', rejected),
      lines('Notes', r.notes || []),
      h('p', {}, seeThem));
  }

  file.addEventListener('change', showPreview);
  header.addEventListener('change', showPreview);
  delimiter.addEventListener('change', showPreview);
  const progressBox = h('div', { hidden: true }, field('Import progress', progress), progressText);

  return h('section', { class: 'import' },
    h('div', { class: 'heading' }, h('h1', {}, 'Import contacts'), h('a', { href: '#/contacts' }, 'Back to the contacts')),
    h('form', { onsubmit: run },
      field('File (CSV or vCard)', file, 'A CSV file with one contact a row, or a vCard (.vcf) file.'),
      h('details', { class: 'more', open: true },
        h('summary', {}, 'Options'),
        h('div', { class: 'filters' },
          h('label', { class: 'check' }, header, ' The first row of a CSV names the columns'),
          field('Delimiter of a CSV', delimiter),
          field('Duplicates of contacts already there', duplicates),
          field('Tag for the imported contacts', tag),
          h('label', { class: 'check' }, strict, ' Import nothing if any row is rejected'))),
      preview,
      problem,
      h('div', { class: 'actions' }, start)),
    progressBox,
    outcome);
}
