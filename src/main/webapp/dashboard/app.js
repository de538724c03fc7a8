// Nova's dashboard: the cluster, its clients and its events, live from the node that serves this page.
// Membership and client states follow /api/events (Server-Sent Events): an event asks for a fresh view at once;
// the message counters, which no event carries, are read every two seconds. Every text from the API goes into
// the page as text, never as markup.
'use strict';

const COUNTER_PERIOD_MS = 2000;
const CLUSTER_PERIOD_MS = 10000;
const MIN_REFRESH_SPACING_MS = 1000;
const HISTORY = 30;
const READ_TIMEOUT_MS = 5000; // a node that does not answer a read within this is taken as gone
const WRITE_TIMEOUT_MS = 30000; // a transfer answers once the target owns the client
const STREAM_RETRY_MS = [1000, 2000, 5000, 10000];
const TIMELINE_LIMIT = 200;
const EVENT_TYPES = [
  'nova.cluster.node.joined', 'nova.cluster.node.left',
  'nova.cluster.failover.started', 'nova.cluster.failover.completed', 'nova.cluster.failover.failed',
  'nova.cluster.transfer.completed', 'nova.cluster.transfer.aborted',
  'nova.cluster.partition.detected', 'nova.cluster.partition.healed',
  'nova.cluster.rebalance.started', 'nova.cluster.rebalance.completed',
  'nova.cluster.subscription.synchronized', 'nova.ratelimit.backoff',
];

const view = {
  me: null,
  cluster: null,
  clients: [],
  regionOf: new Map(), // last known region of every node seen, so a lost node stays in its region
  addressOf: new Map(), // last known address of every node seen, offered when this node stops answering
  counters: new Map(), // client -> {owner, count, at}
  rates: new Map(), // client -> [msg/s, ...]
  lost: false,
};

const $ = (id) => document.getElementById(id);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// ---- the API ----

class ApiError extends Error {}

async function api(path, options = {}) {
  let response;
  const write = Boolean(options.method && options.method !== 'GET');
  try {
    response = await fetch(path, {
      credentials: 'same-origin',
      cache: 'no-store',
      signal: AbortSignal.timeout(write ? WRITE_TIMEOUT_MS : READ_TIMEOUT_MS),
      ...options,
      headers: { Accept: 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}) },
    });
  } catch (unreachable) {
    // Refused, reset or unanswered (a hung node, a cut link): the node that serves the page is gone for now.
    markLost();
    throw write ? new ApiError(`no answer from ${location.host}: ${unreachable.message}`) : unreachable;
  }
  markFound();
  if (response.status === 204) return null;
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (notJson) { body = null; }
  if (!response.ok) {
    const detail = body && (body.detail || body.title);
    throw new ApiError(detail || `${options.method || 'GET'} ${path}: HTTP ${response.status}`);
  }
  return body;
}

function showError(message) {
  $('error-text').textContent = message;
  $('error').hidden = false;
}

// ---- losing the node that serves the page ----

function markLost() {
  if (view.lost) return;
  view.lost = true;
  const self = view.cluster ? view.cluster.node : location.host;
  $('lost-node').textContent = `${self} (${location.origin})`;
  const others = $('lost-others');
  others.replaceChildren();
  for (const [name, address] of view.addressOf) {
    if (name === self || !address) continue;
    if (others.childNodes.length) others.append(', ');
    others.append(el('a', { href: address.replace(/\/$/, '') + '/', 'data-node': name }, `${name} (${address})`));
  }
  if (!others.childNodes.length) others.append('none known');
  $('lost').hidden = false;
  document.body.classList.add('lost');
}

function markFound() {
  if (!view.lost) return;
  view.lost = false;
  $('lost').hidden = true;
  document.body.classList.remove('lost');
}

// ---- refreshing ----

/** Answers are numbered as asked: an answer older than the one on screen is dropped (reads overlap). */
let asked = 0;
const shown = { cluster: 0, clients: 0 };

function fresh(kind, ticket) {
  if (ticket < shown[kind]) return false;
  shown[kind] = ticket;
  return true;
}

/** A read that failed leaves the page as it was: say so, with the problem's detail, until a read succeeds. */
function stale(error) {
  const marker = $('stale');
  if (!error) {
    marker.hidden = true;
    return;
  }
  if (!(error instanceof ApiError)) return; // unreachable: the lost banner says it
  if (marker.hidden) marker.dataset.since = new Date().toLocaleTimeString([], { hour12: false });
  marker.textContent = `not current since ${marker.dataset.since}: ${error.message}`;
  marker.hidden = false;
}

async function loadMe() {
  view.me = await api('api/me');
  document.body.classList.toggle('admin', view.me.admin);
  $('me').textContent = `${view.me.user} (${view.me.roles.join(', ') || 'no role'})`;
}

async function refreshCluster() {
  const ticket = ++asked;
  if (!view.me) await loadMe();
  const cluster = await api('api/cluster');
  if (!fresh('cluster', ticket)) return;
  view.cluster = cluster;
  for (const node of cluster.nodes) {
    if (node.region) view.regionOf.set(node.name, node.region);
    if (node.address) view.addressOf.set(node.name, node.address);
  }
  renderSummary();
  renderNodes();
}

async function refreshClients() {
  const ticket = ++asked;
  const clients = await api('api/clients');
  if (!fresh('clients', ticket)) return;
  const now = Date.now();
  for (const client of clients) {
    const count = client.messagesReceived;
    if (count === null || count === undefined) continue;
    const before = view.counters.get(client.name);
    if (before && before.owner === client.owner && now > before.at) {
      const rate = Math.max(0, count - before.count) / ((now - before.at) / 1000);
      const history = view.rates.get(client.name) || [];
      history.push(rate);
      if (history.length > HISTORY) history.shift();
      view.rates.set(client.name, history);
    }
    view.counters.set(client.name, { owner: client.owner, count, at: now });
  }
  view.clients = clients;
  renderClients();
}

let lastRefresh = 0;
let pending = null;

/** A fresh view soon, but never more than once a second however many events arrive. */
function refreshSoon() {
  if (pending) return;
  const wait = Math.max(0, lastRefresh + MIN_REFRESH_SPACING_MS - Date.now());
  pending = setTimeout(() => {
    pending = null;
    lastRefresh = Date.now();
    Promise.all([refreshCluster(), refreshClients()]).then(() => stale(null), stale);
  }, wait);
}

/** A periodic read, skipped while the previous one is still waiting for its answer. */
function every(period, read) {
  let busy = false;
  setInterval(() => {
    if (busy) return;
    busy = true;
    read().then(() => stale(null), stale).finally(() => { busy = false; });
  }, period);
}

// ---- rendering ----

function renderSummary() {
  const cluster = view.cluster;
  $('cluster-name').textContent = cluster.cluster;
  $('serving').textContent = cluster.node;
  const status = $('status');
  status.textContent = cluster.status;
  status.className = `badge ${cluster.status}`;
  const missing = cluster.missing || [];
  $('quorum').textContent = cluster.quorum
    ? (missing.length ? `yes, ${missing.join(', ')} lost` : 'yes')
    : `no: partitioned from ${missing.join(', ') || 'the others'}`;
  const coordinator = cluster.nodes.find((node) => node.coordinator);
  $('coordinator').textContent = coordinator ? coordinator.name : '—';
  $('strategy').textContent = cluster.strategy === 'none'
    ? 'off'
    : `${cluster.strategy}, imbalance ${Math.round(cluster.imbalance * 100)} %`
      + (cluster.activeMarket ? `, market ${cluster.activeMarket}` : '');
}

function renderNodes() {
  const cluster = view.cluster;
  const present = new Set(cluster.nodes.map((node) => node.name));
  const missing = (cluster.missing || []).filter((name) => !present.has(name));
  const byRegion = new Map();
  const place = (region, card) => {
    if (!byRegion.has(region)) byRegion.set(region, []);
    byRegion.get(region).push(card);
  };
  for (const node of cluster.nodes) {
    const facts = [
      `${node.clients} client${node.clients === 1 ? '' : 's'}`,
      `load ${node.load}`,
      node.sessions === null || node.sessions === undefined
        ? 'sessions ?'
        : `${node.sessions} session${node.sessions === 1 ? '' : 's'}`,
      `quorum ${node.quorum === null || node.quorum === undefined ? '?' : node.quorum ? 'yes' : 'no'}`,
    ];
    place(node.region || 'unknown', el('div', { class: `node ${node.status}`, 'data-node': node.name },
      el('span', { class: 'name' }, node.name), ' ',
      el('span', { class: `badge ${node.status}` }, node.status),
      node.coordinator ? el('span', { class: 'badge coordinator', title: 'JGroups coordinator' }, 'coordinator') : null,
      node.name === cluster.node ? el('span', { class: 'badge', title: 'this page comes from it' }, 'this page') : null,
      el('div', { class: 'facts' }, facts.join(' · ')),
      el('div', { class: 'facts' }, node.address || '')));
  }
  for (const name of missing) {
    place(view.regionOf.get(name) || 'unknown', el('div', { class: 'node missing', 'data-node': name },
      el('span', { class: 'name' }, name), ' ', el('span', { class: 'badge missing' }, 'unreachable'),
      el('div', { class: 'facts' }, 'in the reference membership, not in this side\'s view')));
  }
  const regions = $('regions');
  regions.replaceChildren(...[...byRegion.keys()].sort().map((region) =>
    el('div', { class: 'region', 'data-region': region }, el('h3', {}, region), ...byRegion.get(region))));
}

function age(at) {
  if (!at) return '—';
  const seconds = (Date.now() - at) / 1000;
  if (seconds < 60) return `${Math.max(0, seconds).toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

function sparkline(values) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 90 22');
  if (values.length > 1) {
    const max = Math.max(...values, 1);
    const step = 90 / (HISTORY - 1);
    const offset = 90 - step * (values.length - 1);
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', values
      .map((value, i) => `${(offset + i * step).toFixed(1)},${(21 - (value / max) * 20).toFixed(1)}`)
      .join(' '));
    svg.append(line);
  }
  return svg;
}

function cell(row, name) {
  return row.querySelector(`td.${name}`);
}

function clientRow(name) {
  const cells = ['platform', 'owner', 'state', 'epoch', 'subscriptions', 'rate', 'gaps', 'duplicates', 'reconnects',
    'last-message', 'last-error'];
  const numbers = new Set(['epoch', 'gaps', 'duplicates', 'reconnects']);
  return el('tr', { 'data-client': name },
    el('td', { class: 'name' }, name),
    ...cells.map((c) => el('td', { class: numbers.has(c) ? `${c} num` : c })),
    // A reader gets no actions at all (the API would refuse them anyway).
    view.me && view.me.admin ? el('td', { class: 'actions-cell' }, actions(name)) : null);
}

function actions(name) {
  const target = el('select', { class: 'transfer-target', 'aria-label': `node to move ${name} to` });
  const channel = el('input', { class: 'subscribe-channel', placeholder: 'channel', 'aria-label': `channel for ${name}` });
  const act = (label, run, klass) => el('button', {
    type: 'button',
    class: klass,
    onclick: async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      try {
        await run();
      } catch (error) {
        if (error instanceof ApiError) showError(`${label} ${name}: ${error.message}`);
      } finally {
        button.disabled = false;
        refreshSoon();
      }
    },
  }, label);
  const path = `api/clients/${encodeURIComponent(name)}`;
  return el('div', { class: 'actions' }, el('div', { class: 'line' },
    target,
    act('transfer', () => api(`${path}/transfer`, {
      method: 'POST', body: JSON.stringify({ targetNode: target.value }),
    }), 'transfer')), el('div', { class: 'line' },
    act('restart', () => api(`${path}/restart`, { method: 'POST' }), 'restart'),
    act('stop', () => api(`${path}/stop`, { method: 'POST' }), 'stop'),
    act('delete', async () => {
      if (window.confirm(`Delete client ${name}? It unsubscribes and closes its exchange session.`)) {
        await api(path, { method: 'DELETE' });
      }
    }, 'delete danger')), el('div', { class: 'line' },
    channel,
    act('subscribe', async () => {
      if (!channel.value.trim()) throw new ApiError('name a channel first');
      await api(`${path}/subscriptions`, {
        method: 'POST', body: JSON.stringify({ channels: [channel.value.trim()] }),
      });
      channel.value = '';
    }, 'subscribe')));
}

function renderClients() {
  const body = document.querySelector('#clients tbody');
  const rows = new Map([...body.querySelectorAll('tr[data-client]')].map((row) => [row.dataset.client, row]));
  const members = view.cluster ? view.cluster.nodes.map((node) => node.name) : [];
  const ordered = [...view.clients].sort((a, b) => a.name.localeCompare(b.name));
  for (const client of ordered) {
    let row = rows.get(client.name);
    rows.delete(client.name);
    if (!row) row = clientRow(client.name);
    body.append(row); // keeps the order; an existing row keeps its inputs
    cell(row, 'platform').textContent = client.platform;
    cell(row, 'owner').textContent = client.owner || '—';
    cell(row, 'state').replaceChildren(el('span', { class: `badge ${client.state}` }, client.state));
    cell(row, 'epoch').textContent = client.epoch;
    cell(row, 'subscriptions').replaceChildren(el('ul', { class: 'subs' }, ...(client.subscriptions || []).map((s) =>
      el('li', { 'data-channel': s.channel }, s.channel, ' ',
        el('span', { class: 'sub-state' }, s.state || (s.persistent ? 'persistent' : 'transient'))))));
    const history = view.rates.get(client.name) || [];
    const rate = history.length ? history[history.length - 1] : null;
    cell(row, 'rate').replaceChildren(sparkline(history), ' ', rate === null ? '—' : rate.toFixed(rate < 10 ? 1 : 0));
    cell(row, 'gaps').textContent = client.gaps ?? '—';
    cell(row, 'duplicates').textContent = client.duplicates ?? '—';
    cell(row, 'reconnects').textContent = client.reconnects ?? '—';
    cell(row, 'last-message').textContent = age(client.lastMessageAt);
    cell(row, 'last-error').replaceChildren(el('span', { class: 'error-text' }, client.lastError || ''));
    const select = row.querySelector('select.transfer-target');
    if (!select) continue;
    const options = members.filter((member) => member !== client.owner);
    if ([...select.options].map((o) => o.value).join() !== options.join()) {
      const chosen = select.value;
      select.replaceChildren(...options.map((member) => el('option', { value: member }, member)));
      if (options.includes(chosen)) select.value = chosen;
    }
  }
  for (const gone of rows.values()) gone.remove();
}

function addEvent(event) {
  const family = event.type.split('.').slice(-2, -1)[0];
  const when = new Date(event.at).toLocaleTimeString([], { hour12: false });
  const facts = [event.node && `on ${event.node}`, event.client && `client ${event.client}`,
    event.durationMs !== null && event.durationMs !== undefined && `${event.durationMs} ms`].filter(Boolean);
  const item = el('li', { class: `ev-${family}`, 'data-type': event.type, 'data-client': event.client || null },
    el('span', { class: 'when' }, when), ' ',
    el('span', { class: 'type' }, event.type.replace(/^nova\.(cluster\.)?/, '')), ' ',
    facts.join(', '),
    event.detail ? el('div', { class: 'detail' }, event.detail) : null);
  const timeline = $('timeline');
  timeline.prepend(item);
  while (timeline.childNodes.length > TIMELINE_LIMIT) timeline.lastChild.remove();
}

let streamFailures = 0;

function listen() {
  const events = new EventSource('api/events', { withCredentials: true });
  for (const type of EVENT_TYPES) {
    events.addEventListener(type, (message) => {
      try {
        addEvent(JSON.parse(message.data));
      } catch (unreadable) {
        return;
      }
      refreshSoon();
    });
  }
  events.addEventListener('open', () => {
    streamFailures = 0;
    document.body.dataset.events = 'open';
    refreshSoon();
  });
  events.addEventListener('error', () => {
    document.body.dataset.events = 'retrying';
    // Asking the API tells whether the node is gone or only the stream broke.
    api('api/me').catch(() => {});
    // The browser retries a broken stream by itself, but gives up for good on an answer that is not a stream
    // (a 503 while the node starts or stops): then open a new one, later and later.
    if (events.readyState === EventSource.CLOSED) {
      events.close();
      const wait = STREAM_RETRY_MS[Math.min(streamFailures, STREAM_RETRY_MS.length - 1)];
      streamFailures++;
      setTimeout(listen, wait);
    }
  });
}

async function start() {
  $('error-close').addEventListener('click', () => { $('error').hidden = true; });
  await refreshCluster().then(() => stale(null), stale);
  await refreshClients().then(() => stale(null), stale);
  performance.mark('nova-first-data');
  document.body.dataset.ready = 'true';
  listen();
  every(COUNTER_PERIOD_MS, refreshClients);
  every(CLUSTER_PERIOD_MS, refreshCluster);
}

start();
