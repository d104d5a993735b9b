// The ops page's script (a browser ES module), served by the Worker at /ops/assets/ops.js.
// It talks to /ops/api with the operator's bearer token (kept in sessionStorage) and renders every
// value with textContent, never as HTML. Charts use Chart.js (window.Chart, served from the npm package).

const TOKEN_KEY = 'influtics-ops-token';
const REFRESH_MS = 10_000;
const $ = (sel) => document.querySelector(sel);

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  meta: null,
  filter: {},
  cursor: null,
  selected: null,
  charts: {},
  timer: null,
  busy: false,
};

// ---------------------------------------------------------------------------------------------
// helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const fmtTime = (t) => (t ? new Date(t).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '—');
function fmtMs(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)} %`);
const statusBadge = (s) => h('span', { class: `status status-${s ?? 'unknown'}` }, s ?? 'unknown');
const summary = (p) =>
  Object.entries(p ?? {})
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 4)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

function toast(text, bad = false) {
  const el = h('div', { class: bad ? 'bad' : '' }, text);
  $('#toast').append(el);
  setTimeout(() => el.remove(), bad ? 9000 : 5000);
}

class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body) {
  const res = await fetch(`/ops/api${path}`, {
    method,
    headers: { authorization: `Bearer ${state.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (res.status === 401 || res.status === 403) {
    if (path === '/meta') throw new ApiFailure(res.status, json);
    if (res.status === 401) signOut(json?.error?.message ?? 'signed out');
  }
  if (!res.ok) throw new ApiFailure(res.status, json);
  return json;
}

function showApiError(err) {
  const box = $('#api-error');
  if (!err) return box.classList.add('hidden');
  box.textContent = `The ops API failed: ${err.message}`;
  box.classList.remove('hidden');
}

/** A confirmation dialog; resolves true when the operator confirms. */
function confirmDialog(text, okLabel = 'Confirm') {
  const dlg = $('#confirm');
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = okLabel;
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
    dlg.returnValue = '';
    dlg.showModal();
  });
}

// ---------------------------------------------------------------------------------------------
// sign in / out

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  $('#app').classList.add('hidden');
  $('#sign-out').classList.add('hidden');
  $('#who').classList.add('hidden');
  $('#login').classList.remove('hidden');
  $('#login-error').textContent = message ?? '';
}

async function signIn(token) {
  state.token = token;
  try {
    state.meta = await api('GET', '/meta');
  } catch (err) {
    signOut(err.status === 403 ? `Not an operator: ${err.message}` : `Sign-in failed: ${err.message}`);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('#login').classList.add('hidden');
  $('#app').classList.remove('hidden');
  $('#sign-out').classList.remove('hidden');
  const who = $('#who');
  who.textContent = `${state.meta.operator.actor} (${state.meta.operator.role})`;
  who.classList.remove('hidden');
  fillFilterOptions();
  readFilterFromHash();
  await refreshAll();
  const run = new URLSearchParams(location.hash.slice(1)).get('run');
  if (run) await openRun(run);
  schedule();
}

function fillFilterOptions() {
  for (const [id, values] of [['#f-workflow', state.meta.workflows], ['#f-status', state.meta.statuses], ['#f-trigger', state.meta.triggers]]) {
    const sel = $(id);
    sel.replaceChildren(h('option', { value: '' }, 'any'), ...values.map((v) => h('option', { value: v }, v)));
  }
  $('#bulk-go').disabled = state.meta.operator.role === 'viewer';
  for (const id of ['#dl-bulk-replay', '#dl-bulk-resolve']) $(id).disabled = state.meta.operator.role === 'viewer';
}

// ---------------------------------------------------------------------------------------------
// filters and the run list

function readFilterFromForm() {
  const f = {};
  for (const el of $('#filters').elements) {
    if (!el.name || !el.value) continue;
    f[el.name] = el.type === 'datetime-local' ? new Date(el.value).toISOString() : el.value.trim();
  }
  return f;
}

function readFilterFromHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const el of $('#filters').elements) {
    if (!el.name) continue;
    const v = p.get(el.name);
    if (v === null) continue;
    el.value = el.type === 'datetime-local' ? new Date(v).toISOString().slice(0, 16) : v;
  }
  state.filter = readFilterFromForm();
}

function writeHash() {
  const p = new URLSearchParams(state.filter);
  if (state.selected) p.set('run', state.selected);
  history.replaceState(null, '', `#${p.toString()}`);
}

async function loadRuns(append = false) {
  const params = new URLSearchParams({ ...state.filter, limit: '50' });
  if (append && state.cursor) params.set('cursor', state.cursor);
  const res = await api('GET', `/runs?${params}`);
  const tbody = $('#runs tbody');
  if (!append) tbody.replaceChildren();
  for (const r of res.data) tbody.append(runRow(r));
  state.cursor = res.next_cursor;
  $('#load-more').classList.toggle('hidden', !res.next_cursor);
  $('#runs-empty').classList.toggle('hidden', tbody.children.length > 0);
}

function runRow(r) {
  const failed = r.status === 'errored';
  return h(
    'tr',
    { class: `run${failed ? ' failed' : ''}${r.instance_id === state.selected ? ' selected' : ''}`, dataset: { instanceId: r.instance_id, status: r.status }, onclick: () => openRun(r.instance_id) },
    h('td', { class: 'mono' }, r.instance_id, h('div', { class: 'muted' }, summary(r.params_summary))),
    h('td', {}, r.workflow),
    h('td', {}, statusBadge(r.status)),
    h('td', {}, r.organization_name ?? r.organization_id ?? '—'),
    h('td', {}, r.trigger),
    h('td', {}, fmtTime(r.created_at)),
    h('td', {}, fmtMs(r.duration_ms)),
    h('td', { class: 'err' }, r.error ? r.error.slice(0, 160) : ''),
  );
}

// ---------------------------------------------------------------------------------------------
// run detail

async function openRun(id) {
  state.selected = id;
  writeHash();
  for (const tr of document.querySelectorAll('#runs tr.run')) tr.classList.toggle('selected', tr.dataset.instanceId === id);
  let d;
  try {
    d = await api('GET', `/runs/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status === 404) {
      toast(`Run ${id} is not in the registry`, true);
      return;
    }
    throw err;
  }
  if (state.selected !== id) return;
  renderDetail(d);
}

function renderDetail(d) {
  const r = d.run;
  $('#detail-empty').classList.add('hidden');
  $('#detail').classList.remove('hidden');
  $('#detail').dataset.instanceId = r.instance_id;
  $('#detail').dataset.status = r.status;
  $('#detail-id').textContent = `${r.workflow} · ${r.instance_id}`;
  const badge = $('#detail-status');
  badge.className = `status status-${r.status}`;
  badge.textContent = r.status;

  const viewer = state.meta.operator.role === 'viewer';
  const allowed = { pause: ['queued', 'running', 'waiting'], resume: ['paused', 'waitingForPause'], terminate: ['queued', 'running', 'paused', 'waiting', 'waitingForPause'], restart: ['queued', 'running', 'paused', 'waiting', 'waitingForPause', 'errored', 'terminated', 'complete'] };
  for (const b of document.querySelectorAll('#detail [data-action]')) b.disabled = viewer || !allowed[b.dataset.action].includes(r.status);
  const from = $('#restart-from');
  const keep = from.value;
  const repeated = (name) => d.restartable_steps.filter((s) => s.name === name).length > 1;
  const options = d.restartable_steps.map((s) => h('option', { value: JSON.stringify(s) }, `from “${s.name}”${repeated(s.name) ? ` #${s.count}` : ''}`));
  from.replaceChildren(h('option', { value: '' }, 'from the start'), ...options);
  if (options.some((o) => o.value === keep)) from.value = keep;
  from.disabled = viewer;

  const err = $('#detail-error');
  err.textContent = r.error ?? '';
  err.classList.toggle('hidden', !r.error);

  const fields = [
    ['Organization', r.organization_name ? `${r.organization_name} (${r.organization_id})` : r.organization_id ?? '—'],
    ['Trigger', `${r.trigger}${r.triggered_by ? ` · ${r.triggered_by}` : ''}`],
    ['Created', fmtTime(r.created_at)],
    ['Started', fmtTime(r.started_at)],
    ['Ended', fmtTime(r.ended_at)],
    ['Duration', fmtMs(r.duration_ms)],
    ['Live status', d.live ? (d.live.status ?? d.live.unavailable) : '—'],
    ['Summary', summary(r.params_summary) || '—'],
  ];
  $('#detail-fields').replaceChildren(...fields.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));

  $('#steps-source').textContent = d.steps_source ? `(from ${d.steps_source})` : '';
  const stepsErr = $('#steps-error');
  stepsErr.textContent = d.steps_error ? `Step detail unavailable: ${d.steps_error}` : '';
  stepsErr.classList.toggle('hidden', !d.steps_error);
  const steps = d.steps ?? [];
  const longest = Math.max(1, ...steps.map((s) => s.duration_ms ?? 0));
  $('#steps tbody').replaceChildren(
    ...steps.map((s) =>
      h(
        'tr',
        { class: s.state === 'errored' ? 'failed' : '', dataset: { step: s.name, state: s.state } },
        h('td', {}, String(s.index + 1)),
        h('td', { class: 'mono' }, s.name),
        h('td', {}, statusBadge(s.state)),
        h('td', {}, String(s.attempts.length || (s.type === 'step' ? 0 : '—')), ...s.attempts.filter((a) => a.error).map((a) => h('div', { class: 'attempt-err' }, `#${a.attempt}: ${a.error.name}: ${a.error.message}`))),
        h('td', {}, fmtTime(s.start)),
        h('td', {}, fmtMs(s.duration_ms)),
        h('td', { style: 'width:120px' }, h('div', { class: `bar${s.state === 'errored' ? ' errored' : ''}`, style: `width:${Math.round(((s.duration_ms ?? 0) / longest) * 100)}%` })),
      ),
    ),
  );
  $('#detail-params').textContent = JSON.stringify(d.params ?? r.params_summary, null, 2);
  $('#detail-output').textContent = r.output === null || r.output === undefined ? '—' : JSON.stringify(r.output, null, 2);
  $('#detail-actions').replaceChildren(
    ...(d.actions.length ? d.actions : [null]).map((a) =>
      a ? h('tr', {}, h('td', {}, fmtTime(a.created_at)), h('td', {}, a.action), h('td', {}, a.actor), h('td', { class: a.outcome === 'ok' ? '' : 'err' }, a.outcome, a.error ? `: ${a.error}` : '')) : h('tr', {}, h('td', { class: 'muted' }, 'none yet')),
    ),
  );
}

async function runAction(action) {
  const id = state.selected;
  if (!id) return;
  const picked = action === 'restart' && $('#restart-from').value ? JSON.parse($('#restart-from').value) : null;
  const what = `${action} run ${id}${picked ? ` from step “${picked.name}”` : ''}`;
  if (!(await confirmDialog(`Really ${what}?`, action[0].toUpperCase() + action.slice(1)))) return;
  try {
    const res = await api('POST', `/runs/${encodeURIComponent(id)}/${action}`, picked ? { from: picked } : {});
    toast(`${action}: ${id} is now ${res.run.status}`);
  } catch (err) {
    toast(`${action} failed: ${err.message}`, true);
  }
  await refreshAll();
}

async function runBulk() {
  const action = $('#bulk-action').value;
  const filter = state.filter;
  if (Object.keys(filter).length === 0) return toast('Set at least one filter for a bulk action', true);
  let dry;
  try {
    dry = await api('POST', '/runs/bulk', { action, filter, dry_run: true });
  } catch (err) {
    return toast(`bulk ${action}: ${err.message}`, true);
  }
  if (dry.matched === 0) return toast('No runs match the filter');
  const byStatus = Object.entries(dry.by_status).map(([s, n]) => `${n} ${s}`).join(', ');
  if (!(await confirmDialog(`${action} ${dry.matched} runs (${byStatus})?`, `${action} ${dry.matched} runs`))) return;
  try {
    const res = await api('POST', '/runs/bulk', { action, filter, expected_count: dry.matched });
    toast(`bulk ${action}: ${res.ok} ok, ${res.rejected} rejected, ${res.failed} failed`, res.failed > 0);
  } catch (err) {
    toast(`bulk ${action} failed: ${err.message}`, true);
  }
  await refreshAll();
}

// ---------------------------------------------------------------------------------------------
// metrics, charts, scheduled

const STATUS_COLORS = { complete: '#2e9e5b', errored: '#c2261b', terminated: '#98a2b3', running: '#1f5fbf', queued: '#7aa7e8', waiting: '#9ab8ec', paused: '#e59b2b', waitingForPause: '#f0c27a', rollingBack: '#d9822b', unknown: '#cfd4dc' };
const WORKFLOW_COLORS = ['#c2261b', '#8f1d14', '#e5533d', '#f08f80', '#6b1510'];

async function loadMetrics() {
  const hours = Number($('#metrics-hours').value);
  const m = await api('GET', `/metrics?hours=${hours}`);
  const failed = m.totals.errored;
  const tiles = [
    ['Runs', m.totals.runs, false],
    ['In flight', m.totals.in_flight, false],
    ['Failed', failed, failed > 0],
    ['Failure rate', pct(m.totals.failure_rate), (m.totals.failure_rate ?? 0) > 0],
    ['Dead letters (unresolved)', m.backlog.dead_letters_unresolved, m.backlog.dead_letters_unresolved > 0],
    ['Videos awaiting refresh', `${m.backlog.videos_awaiting_refresh}${m.backlog.videos_awaiting_refresh_capped ? '+' : ''}`, false],
  ];
  $('#tiles').replaceChildren(...tiles.map(([k, v, bad]) => h('div', { class: `tile${bad ? ' bad' : ''}`, dataset: { tile: k } }, h('div', { class: 'muted' }, k), h('div', { class: 'v' }, String(v)))));
  $('#workflow-stats').replaceChildren(
    h('tr', {}, ...['workflow', 'runs', 'complete', 'errored', 'terminated', 'in flight', 'failure rate', 'p50', 'p95'].map((c) => h('th', {}, c))),
    ...m.by_workflow.map((w) =>
      h('tr', { class: w.errored > 0 ? 'failed' : '' }, h('td', {}, w.workflow), h('td', {}, w.total), h('td', {}, w.complete), h('td', {}, w.errored), h('td', {}, w.terminated), h('td', {}, w.in_flight), h('td', {}, pct(w.failure_rate)), h('td', {}, fmtMs(w.p50_ms)), h('td', {}, fmtMs(w.p95_ms))),
    ),
  );

  const banner = $('#failure-banner');
  const dead = m.backlog.dead_letters_unresolved;
  if (failed > 0 || dead > 0) {
    banner.replaceChildren(
      h('div', {}, [failed > 0 ? `${failed} run${failed === 1 ? '' : 's'} failed in the last ${hours} h` : null, dead > 0 ? `${dead} unresolved dead letter${dead === 1 ? '' : 's'}` : null].filter(Boolean).join(' · ')),
      h('ul', {}, ...m.recent_failures.map((r) => h('li', {}, h('a', { href: `#run=${encodeURIComponent(r.instance_id)}`, onclick: (e) => { e.preventDefault(); openRun(r.instance_id); } }, r.instance_id), ` (${r.workflow}): ${(r.error ?? '').slice(0, 200)}`))),
    );
    banner.classList.remove('hidden');
  } else banner.classList.add('hidden');

  drawCharts(m, hours);
}

function drawCharts(m, hours) {
  if (!window.Chart) return;
  const start = new Date(m.from);
  start.setUTCMinutes(0, 0, 0);
  const labels = [];
  const keys = [];
  for (let i = 0; i <= hours; i++) {
    const t = new Date(start.getTime() + i * 3_600_000);
    keys.push(t.toISOString().slice(0, 13));
    labels.push(t.toLocaleString(undefined, hours > 48 ? { month: 'numeric', day: 'numeric', hour: '2-digit' } : { hour: '2-digit', minute: '2-digit' }));
  }
  const byKey = (rows, pick) => {
    const out = new Map();
    for (const r of rows) {
      const k = pick(r);
      if (!out.has(k)) out.set(k, new Array(keys.length).fill(0));
      const i = keys.indexOf(new Date(r.hour).toISOString().slice(0, 13));
      if (i >= 0) out.get(k)[i] += r.runs;
    }
    return out;
  };
  const throughput = [...byKey(m.hourly, (r) => r.status)].map(([status, data]) => ({ label: status, data, backgroundColor: STATUS_COLORS[status] ?? '#999', stack: 'runs' }));
  const failures = [...byKey(m.hourly.filter((r) => r.status === 'errored'), (r) => r.workflow)].map(([wf, data], i) => ({ label: wf, data, borderColor: WORKFLOW_COLORS[i % WORKFLOW_COLORS.length], backgroundColor: WORKFLOW_COLORS[i % WORKFLOW_COLORS.length], tension: 0.2 }));
  const common = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } } };
  upsertChart('throughput', 'bar', labels, throughput, { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } });
  upsertChart('failures', 'line', labels, failures, { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
}

function upsertChart(name, type, labels, datasets, options) {
  const existing = state.charts[name];
  if (existing && existing.config.type === type) {
    existing.data.labels = labels;
    existing.data.datasets = datasets;
    existing.update('none');
    return;
  }
  existing?.destroy();
  state.charts[name] = new window.Chart($(`#chart-${name}`), { type, data: { labels, datasets }, options });
}

async function loadScheduled() {
  const res = await api('GET', '/scheduled');
  const viewer = state.meta.operator.role === 'viewer';
  $('#scheduled').replaceChildren(
    h('tr', {}, h('th', {}, 'cron'), h('th', {}, 'workflow'), h('th', {}, 'what'), h('th', {}, '')),
    ...res.data.map((s) =>
      h(
        'tr',
        { dataset: { cron: s.cron } },
        h('td', { class: 'mono' }, s.cron),
        h('td', {}, s.workflow ?? '—'),
        h('td', {}, s.description),
        h('td', {}, h('button', { type: 'button', disabled: !s.available || viewer, onclick: () => runScheduled(s) }, 'Run now')),
      ),
    ),
  );
}

async function runScheduled(s) {
  if (!(await confirmDialog(`Start ${s.workflow} now (${s.description})?`, 'Start'))) return;
  try {
    const res = await api('POST', '/scheduled/run', { cron: s.cron });
    toast(res.created ? `Started ${res.instance_id}` : `${res.instance_id} was already started this hour`);
    await refreshAll();
    await openRun(res.instance_id);
  } catch (err) {
    toast(`Could not start ${s.workflow}: ${err.message}`, true);
  }
}

// ---------------------------------------------------------------------------------------------
// refresh loop

async function refreshAll() {
  if (!state.token || state.busy) return;
  state.busy = true;
  try {
    await Promise.all([loadRuns(), loadMetrics(), loadScheduled(), loadDeadLetters(), loadNotifications()]);
    if (state.selected) await openRun(state.selected);
    if (letters.selected) await openLetter(letters.selected);
    showApiError(null);
    $('#refreshed').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    showApiError(err);
  } finally {
    state.busy = false;
  }
}

function schedule() {
  clearInterval(state.timer);
  state.timer = null;
  if ($('#auto-refresh').checked) state.timer = setInterval(() => {
    if (!$('#confirm').open) refreshAll();
  }, REFRESH_MS);
}

// ---------------------------------------------------------------------------------------------
// wiring

$('#login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  signIn($('#token').value.trim());
});
$('#sign-out').addEventListener('click', () => signOut());
$('#auto-refresh').addEventListener('change', schedule);
$('#refresh-now').addEventListener('click', () => refreshAll());
$('#metrics-hours').addEventListener('change', () => Promise.all([loadMetrics(), loadNotifications()]).catch(showApiError));
$('#filters').addEventListener('submit', (e) => {
  e.preventDefault();
  state.filter = readFilterFromForm();
  writeHash();
  loadRuns().catch(showApiError);
});
$('#clear-filters').addEventListener('click', () => {
  $('#filters').reset();
  state.filter = {};
  writeHash();
  loadRuns().catch(showApiError);
});
$('#load-more').addEventListener('click', () => loadRuns(true).catch(showApiError));
$('#bulk-go').addEventListener('click', () => runBulk());
for (const b of document.querySelectorAll('#detail [data-action]')) b.addEventListener('click', () => runAction(b.dataset.action));

// ---------------------------------------------------------------------------------------------
// dead letters: list, detail with the original message, replay (once) and resolve, bulk

const letters = { filter: { status: 'open' }, cursor: null, selected: null };

function readLetterFilter() {
  const f = {};
  for (const el of $('#dl-filters').elements) {
    if (!el.name || !el.value) continue;
    f[el.name] = el.type === 'datetime-local' ? new Date(el.value).toISOString() : el.value.trim();
  }
  return f;
}

async function loadDeadLetters(append = false) {
  const params = new URLSearchParams({ ...letters.filter, limit: '50' });
  if (append && letters.cursor) params.set('cursor', letters.cursor);
  const res = await api('GET', `/dead-letters?${params}`);
  const tbody = $('#dead-letters tbody');
  if (!append) tbody.replaceChildren();
  for (const l of res.data) {
    tbody.append(
      h(
        'tr',
        { class: `letter${l.status === 'open' ? ' failed' : ''}${l.id === letters.selected ? ' selected' : ''}`, dataset: { deadLetterId: l.id, status: l.status }, onclick: () => openLetter(l.id) },
        h('td', { class: 'mono' }, l.id),
        h('td', { class: 'mono' }, l.source_queue),
        h('td', { class: 'mono' }, l.error_code),
        h('td', {}, statusBadge(l.status)),
        h('td', {}, l.organization_name ?? l.organization_id ?? '—'),
        h('td', {}, fmtTime(l.created_at)),
        h('td', { class: 'err' }, l.reason.slice(0, 160)),
      ),
    );
  }
  letters.cursor = res.next_cursor;
  $('#dl-load-more').classList.toggle('hidden', !res.next_cursor);
  $('#dl-empty').classList.toggle('hidden', tbody.children.length > 0);
}

async function openLetter(id) {
  letters.selected = id;
  for (const tr of document.querySelectorAll('#dead-letters tr.letter')) tr.classList.toggle('selected', tr.dataset.deadLetterId === id);
  let d;
  try {
    d = await api('GET', `/dead-letters/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status === 404) return toast(`Dead letter ${id} does not exist`, true);
    throw err;
  }
  if (letters.selected !== id) return;
  const l = d.dead_letter;
  $('#dl-detail-empty').classList.add('hidden');
  const box = $('#dl-detail');
  box.classList.remove('hidden');
  box.dataset.deadLetterId = l.id;
  box.dataset.status = l.status;
  $('#dl-detail-id').textContent = `dead letter ${l.id} · message ${l.message_id}`;
  const badge = $('#dl-detail-status');
  badge.className = `status status-${l.status}`;
  badge.textContent = l.status;
  const viewer = state.meta.operator.role === 'viewer';
  const replay = $('#dl-replay');
  replay.disabled = viewer || !d.replay.possible;
  replay.textContent = l.status === 'open' ? 'Replay' : 'Replay again';
  $('#dl-resolve').disabled = viewer || l.status !== 'open';
  $('#dl-note').disabled = viewer || l.status !== 'open';
  $('#dl-replay-info').textContent = d.replay.possible ? `A replay sends the original message to ${d.replay.queue}.` : `Cannot be replayed: ${d.replay.reason}`;
  const fields = [
    ['Queue', l.source_queue],
    ['Error', `${l.error_code}: ${l.reason}`],
    ['Attempts', String(l.attempts)],
    ['Organization', l.organization_name ? `${l.organization_name} (${l.organization_id})` : l.organization_id ?? '—'],
    ['Created', fmtTime(l.created_at)],
    ['Replayed', l.replayed_at ? `${fmtTime(l.replayed_at)} to ${l.replay_queue} (${l.replay_count}×)` : '—'],
    ['Handled', l.resolved_at ? `${fmtTime(l.resolved_at)} by ${l.resolved_by}` : '—'],
    ['Note', l.resolution_note ?? '—'],
  ];
  $('#dl-detail-fields').replaceChildren(...fields.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  $('#dl-detail-body').textContent = JSON.stringify(l.body, null, 2);
  $('#dl-detail-actions').replaceChildren(
    ...(d.actions.length ? d.actions : [null]).map((a) =>
      a ? h('tr', {}, h('td', {}, fmtTime(a.created_at)), h('td', {}, a.action), h('td', {}, a.actor), h('td', { class: a.outcome === 'ok' ? '' : 'err' }, a.outcome, a.error ? `: ${a.error}` : '')) : h('tr', {}, h('td', { class: 'muted' }, 'none yet')),
    ),
  );
}

async function letterAction(action) {
  const id = letters.selected;
  if (!id) return;
  const status = $('#dl-detail').dataset.status;
  const note = $('#dl-note').value.trim();
  if (action === 'resolve' && !note) return toast('Write a note saying why it is resolved', true);
  const text = action === 'replay' ? `${status === 'open' ? 'Replay' : 'Replay AGAIN'} dead letter ${id} (send its original message to its queue)?` : `Resolve dead letter ${id} with the note “${note}”?`;
  if (!(await confirmDialog(text, action === 'replay' ? 'Replay' : 'Resolve'))) return;
  try {
    const body = action === 'replay' ? { again: status !== 'open' } : { note };
    const res = await api('POST', `/dead-letters/${encodeURIComponent(id)}/${action}`, body);
    toast(`${action}: dead letter ${id} is now ${res.dead_letter.status}`);
    $('#dl-note').value = '';
  } catch (err) {
    toast(`${action} failed: ${err.message}`, true);
  }
  await refreshAll();
}

async function letterBulk(action) {
  const filter = { ...letters.filter };
  delete filter.status; // a bulk action covers open letters
  if (Object.keys(filter).length === 0) return toast('Set a queue, error code, organization or since filter for a bulk action', true);
  const note = $('#dl-bulk-note').value.trim();
  if (action === 'resolve' && !note) return toast('Write a note saying why they are resolved', true);
  const body = { action, filter, ...(action === 'resolve' ? { note } : {}) };
  let dry;
  try {
    dry = await api('POST', '/dead-letters/bulk', { ...body, dry_run: true });
  } catch (err) {
    return toast(`bulk ${action}: ${err.message}`, true);
  }
  if (dry.matched === 0) return toast('No open dead letters match the filter');
  const byQueue = Object.entries(dry.by_queue).map(([q, n]) => `${n} from ${q}`).join(', ');
  if (!(await confirmDialog(`${action} ${dry.matched} dead letters (${byQueue})?`, `${action} ${dry.matched} dead letters`))) return;
  try {
    const res = await api('POST', '/dead-letters/bulk', { ...body, expected_count: dry.matched });
    toast(`bulk ${action}: ${res.ok} ok, ${res.rejected} rejected, ${res.failed} failed`, res.failed + res.rejected > 0);
  } catch (err) {
    toast(`bulk ${action} failed: ${err.message}`, true);
  }
  await refreshAll();
}

// ---------------------------------------------------------------------------------------------
// an organization's limits: override (with expiry) and plan, admin only to change

const LIMIT_KEYS = ['max_tracked_videos', 'max_tracked_bloggers', 'videos_per_period', 'max_initial_videos_per_blogger', 'max_daily_videos_per_blogger', 'max_sheets_sources', 'max_members', 'max_report_schedules'];

function renderLimits(v) {
  const admin = state.meta.operator.role === 'admin';
  $('#limits-view').classList.remove('hidden');
  $('#limits-view').dataset.organizationId = v.organization.id;
  $('#limits-view').dataset.plan = v.organization.plan;
  $('#lim-name').textContent = `${v.organization.name} (${v.organization.id})`;
  const plan = $('#lim-plan');
  plan.replaceChildren(...v.plans.map((p) => h('option', { value: p }, p)));
  plan.value = v.organization.plan;
  $('#lim-effective').replaceChildren(
    h('tr', {}, ...['limit', 'effective', 'source', 'in use'].map((c) => h('th', {}, c))),
    ...LIMIT_KEYS.map((k) => {
      const e = v.effective.limits[k];
      return h('tr', { dataset: { limit: k, source: e.source } }, h('td', {}, k), h('td', {}, e.limit ?? 'unlimited'), h('td', {}, e.source), h('td', {}, e.usage ?? '—'));
    }),
  );
  const o = v.override;
  $('#lim-override-state').textContent = o ? `${o.active ? 'Active' : 'EXPIRED'}${o.expires_at ? ` until ${fmtTime(o.expires_at)}` : ', no expiry'}${o.note ? ` — ${o.note}` : ''}` : 'No override: the plan applies.';
  $('#limits-form').replaceChildren(
    ...LIMIT_KEYS.map((k) => h('label', {}, k, h('input', { type: 'number', min: '0', step: '1', name: k, value: o?.limits[k] ?? '', placeholder: 'plan', disabled: !admin }))),
  );
  $('#lim-expires').value = o?.expires_at ? new Date(new Date(o.expires_at).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '';
  $('#lim-note').value = o?.note ?? '';
  for (const id of ['#lim-plan', '#lim-plan-save', '#lim-save', '#lim-expires', '#lim-note']) $(id).disabled = !admin;
  $('#lim-clear').disabled = !admin || !o;
}

async function loadLimits() {
  const id = $('#lim-org').value.trim();
  if (!id) return;
  try {
    renderLimits(await api('GET', `/organizations/${encodeURIComponent(id)}/limits`));
  } catch (err) {
    $('#limits-view').classList.add('hidden');
    toast(`limits: ${err.message}`, true);
  }
}

async function limitsChange(method, path, body, text, label) {
  const id = $('#limits-view').dataset.organizationId;
  if (!(await confirmDialog(text, label))) return;
  try {
    renderLimits(await api(method, `/organizations/${encodeURIComponent(id)}/${path}`, body));
    toast(`${label}: done`);
  } catch (err) {
    const issues = err.body?.error?.details?.issues?.map((i) => `${i.path}: ${i.message}`).join('; ');
    toast(`${label} failed: ${err.message}${issues ? ` (${issues})` : ''}`, true);
  }
}

function saveOverride() {
  const limits = {};
  for (const el of $('#limits-form').elements) if (el.name && el.value !== '') limits[el.name] = Number(el.value);
  const expires = $('#lim-expires').value;
  const note = $('#lim-note').value.trim();
  const body = { limits, expires_at: expires ? new Date(expires).toISOString() : null, ...(note ? { note } : {}) };
  const what = Object.entries(limits).map(([k, n]) => `${k}=${n}`).join(', ') || 'no limits';
  return limitsChange('PUT', 'limits', body, `Set the override ${what}${expires ? ` until ${fmtTime(body.expires_at)}` : ' with no expiry'}?`, 'Save override');
}

$('#dl-filters').addEventListener('submit', (e) => {
  e.preventDefault();
  letters.filter = readLetterFilter();
  loadDeadLetters().catch(showApiError);
});
$('#dl-load-more').addEventListener('click', () => loadDeadLetters(true).catch(showApiError));
$('#dl-replay').addEventListener('click', () => letterAction('replay'));
$('#dl-resolve').addEventListener('click', () => letterAction('resolve'));
$('#dl-bulk-replay').addEventListener('click', () => letterBulk('replay'));
$('#dl-bulk-resolve').addEventListener('click', () => letterBulk('resolve'));

// ---------------------------------------------------------------------------------------------
// notification delivery: outbox counts in the metrics window, and the rows that failed for good

const notices = { filter: {}, cursor: null };

async function loadNotifications(append = false) {
  const hours = $('#metrics-hours').value;
  const params = new URLSearchParams({ ...notices.filter, limit: '50' });
  if (append && notices.cursor) params.set('cursor', notices.cursor);
  const [summary, res] = await Promise.all([append ? null : api('GET', `/notifications/summary?hours=${hours}`), api('GET', `/notifications/failed?${params}`)]);
  if (summary) {
    $('#nf-window').textContent = `(outbox rows by status, last changed in the past ${hours} h)`;
    const by = summary.by_status;
    $('#nf-tiles').replaceChildren(
      ...[['Sent', by.sent, false], ['Queued or retrying', by.queued, false], ['Sending now', by.sending, false], ['Failed', by.failed, by.failed > 0], ['Cancelled', by.cancelled, false], ['Combined into digests', by.combined, false]].map(([label, v, bad]) =>
        h('div', { class: `tile${bad ? ' bad' : ''}`, dataset: { notificationStatus: label } }, h('div', { class: 'v' }, String(v)), h('div', { class: 'muted' }, label)),
      ),
    );
  }
  const tbody = $('#failed-notifications tbody');
  if (!append) tbody.replaceChildren();
  for (const n of res.data) {
    tbody.append(
      h(
        'tr',
        { class: 'notification failed', dataset: { outboxId: n.id } },
        h('td', {}, fmtTime(n.failed_at)),
        h('td', {}, n.channel),
        h('td', { class: 'mono' }, n.template),
        h('td', { class: 'mono' }, n.recipient),
        h('td', {}, n.organization_name ?? n.organization_id ?? '—'),
        h('td', {}, String(n.attempts)),
        h('td', { class: 'err' }, (n.error ?? '').slice(0, 200)),
      ),
    );
  }
  notices.cursor = res.next_cursor;
  $('#nf-load-more').classList.toggle('hidden', !res.next_cursor);
  $('#nf-empty').classList.toggle('hidden', tbody.children.length > 0);
}

$('#nf-filters').addEventListener('submit', (e) => {
  e.preventDefault();
  notices.filter = {};
  for (const el of $('#nf-filters').elements) if (el.name && el.value.trim()) notices.filter[el.name] = el.value.trim();
  loadNotifications().catch(showApiError);
});
$('#nf-load-more').addEventListener('click', () => loadNotifications(true).catch(showApiError));
$('#limits-load').addEventListener('submit', (e) => {
  e.preventDefault();
  loadLimits();
});
$('#lim-save').addEventListener('click', () => saveOverride());
$('#lim-clear').addEventListener('click', () => limitsChange('DELETE', 'limits', undefined, 'Clear the override? The plan applies again.', 'Clear override'));
$('#lim-plan-save').addEventListener('click', () => limitsChange('PUT', 'plan', { plan: $('#lim-plan').value }, `Change the plan to ${$('#lim-plan').value}?`, 'Change plan'));

if (state.token) signIn(state.token);
else signOut();

// The Worker imports this file as a text module (a wrangler rule); this export only makes the file a
// module for TypeScript, which sees it when it checks the tests with allowJs.
export default 'ops.client.js';
