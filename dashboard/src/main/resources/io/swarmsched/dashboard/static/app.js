// The swarmsched dashboard: polls the services' read APIs through this server's /proxy/ and
// redraws. Plain JS and inline SVG, no libraries: it must work offline and without a build step.
'use strict';

const POLL_MS = 1000;
const STATE_COLORS = {
  PENDING: '#a0aec0', RUNNING: '#3b82f6', BACK_TO_SOURCE: '#d97706',
  SUCCEEDED: '#16a34a', FAILED: '#dc2626', LEFT: '#6b7280', GONE: '#d1d5db'
};
let lastDecisions = null; // {at, byOutcome}
const rateHistory = []; // [{outcome: rate}], oldest first, one per poll
const HISTORY = 120;
const OUTCOME_COLORS = {PARENTS: '#3b82f6', BACK_TO_SOURCE: '#d97706', SEED_TRIGGER: '#16a34a',
  FAILED: '#dc2626', REJECTED: '#6b7280', ASSIGNED: '#7c3aed'};

function el(tag, attrs, ...children) {
  const svg = ['svg', 'line', 'circle', 'rect', 'text', 'title', 'g', 'path', 'polyline'].includes(tag);
  const e = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function read(service, path) {
  const r = await fetch('proxy/' + service + '/' + path, {cache: 'no-store'});
  const text = await r.text();
  if (!r.ok) throw new Error(service + ' ' + path + ': HTTP ' + r.status + ' ' + text.slice(0, 200));
  return text;
}
async function readJson(service, path) { return JSON.parse(await read(service, path)); }

function bytes(n) {
  if (n === undefined || n === null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return n.toFixed(i === 0 ? 0 : 1) + ' ' + units[i];
}
const fixed = (x, d = 3) => (typeof x === 'number' ? x.toFixed(d) : '');

/** Prometheus text: [{name, labels, value}] for the names asked. */
function parseMetrics(text, names) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/);
    if (!m || !names.includes(m[1])) continue;
    const labels = {};
    for (const l of (m[3] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({name: m[1], labels, value: parseFloat(m[4])});
  }
  return out;
}

function setReplace(parent, ...children) { parent.replaceChildren(...children); }

async function services(targets) {
  const spans = [];
  for (const name of Object.keys(targets)) {
    let up = false;
    try { up = JSON.parse(await read(name, 'health')).status === 'UP'; } catch (e) { up = false; }
    spans.push(el('span', {class: 'svc', 'data-service': name, 'data-up': up},
        el('span', {class: 'dot ' + (up ? 'up' : 'down')}), name));
  }
  setReplace(document.getElementById('services'), ...spans);
}

async function hosts() {
  const [h, s] = await Promise.all([readJson('ingest', 'api/v1/hosts'),
    readJson('scoring', 'api/v1/scores?top=10000').catch(() => ({scores: []}))]);
  const scores = new Map(s.scores.map(x => [x.host_id, x]));
  const rows = h.hosts.map(host => {
    const sc = scores.get(host.host_id) || {};
    const load = host.load || {}, cap = host.capacity || {};
    const share = cap.max_tx_bytes_per_sec > 0 ? load.tx_bytes_per_sec / cap.max_tx_bytes_per_sec : 0;
    return el('tr', {'data-host': host.host_id, 'data-liveness': host.liveness, 'data-type': host.type},
        el('td', {}, host.host_id),
        el('td', {class: host.liveness}, host.liveness),
        el('td', {}, host.type),
        el('td', {}, host.idc),
        el('td', {title: bytes(load.tx_bytes_per_sec) + '/s of ' + bytes(cap.max_tx_bytes_per_sec) + '/s'},
            el('span', {class: 'bar'}, el('i', {style: 'width:' + Math.min(100, 100 * share).toFixed(0) + '%'})),
            ' ' + bytes(load.tx_bytes_per_sec) + '/s'),
        el('td', {class: 'num'}, (load.concurrent_uploads ?? '') + ' / ' + (cap.upload_slot_limit ?? '')),
        el('td', {class: 'num', 'data-score': sc.load_quality ?? ''}, fixed(sc.load_quality)),
        el('td', {class: 'num'}, fixed(sc.peak_bandwidth_usage)),
        el('td', {class: 'num'}, fixed(sc.bandwidth_duration_ratio)),
        el('td', {class: 'num'}, fixed(sc.concurrent_efficiency)));
  });
  setReplace(document.querySelector('#hosts tbody'), ...rows);
  return h.hosts;
}

/** The pseudo-node of the origin server: where back-to-source pieces come from. */
const ORIGIN = 'origin';

/**
 * The DAG to draw: the task's peers, a node for each parent that served a peer and has left since
 * (state GONE), and the origin when some peer fetched from it; edges are the dispatcher's (current
 * parents and who served how much) plus one from the origin to each peer that fetched from it.
 */
function dagModel(task) {
  const nodes = task.peers.map(p => ({...p}));
  const known = new Set(nodes.map(p => p.peer_id));
  const edges = task.dag.edges.map(e => ({...e}));
  for (const e of edges) {
    if (!known.has(e.from)) {
      known.add(e.from);
      nodes.push({peer_id: e.from, host_id: '(left)', state: 'GONE', pieces_finished: 0, piece_count: 0,
        parents: [], bytes_received: 0, bytes_from_origin: 0});
    }
  }
  const fromOrigin = task.peers.filter(p => p.bytes_from_origin > 0);
  if (fromOrigin.length) {
    nodes.unshift({peer_id: ORIGIN, host_id: 'origin', state: 'ORIGIN', origin: true});
    for (const p of fromOrigin) {
      edges.push({from: ORIGIN, to: p.peer_id, current: p.state === 'BACK_TO_SOURCE',
        bytes: p.bytes_from_origin, pieces: p.pieces_from_origin});
    }
  }
  return {nodes, edges};
}

/**
 * Depth of each node: roots (nothing feeds them) at 0, a node one below its deepest feeder. Served
 * edges count too, so a finished peer stays below the parents that served it.
 */
function depths(nodes, edges) {
  const feeders = new Map(nodes.map(n => [n.peer_id, []]));
  for (const e of edges) if (feeders.has(e.to) && feeders.has(e.from)) feeders.get(e.to).push(e.from);
  const depth = new Map();
  const visit = (id, seen) => {
    if (depth.has(id)) return depth.get(id);
    // a finished peer may serve its former ancestor (docs/design.md, Stage 1): cut the cycle there
    if (seen.has(id)) return -1;
    seen.add(id);
    const from = feeders.get(id) || [];
    const d = from.length === 0 ? 0 : 1 + Math.max(...from.map(x => visit(x, seen)));
    seen.delete(id);
    depth.set(id, d);
    return d;
  };
  // the origin first, so that it is a root and not cut as the end of a cycle
  [...nodes].sort((a, b) => (b.origin ? 1 : 0) - (a.origin ? 1 : 0)).forEach(n => visit(n.peer_id, new Set()));
  return depth;
}

/**
 * A peer's progress: the share of its pieces when its piece count is known, else what it has
 * received so far (a peer known only from its piece events has not said how many pieces there are).
 */
function progress(n) {
  if (n.piece_count > 0) return Math.round(100 * n.pieces_finished / n.piece_count) + '%';
  return n.bytes_received > 0 ? bytes(n.bytes_received) : '0%';
}

function dag(task) {
  const {nodes, edges} = dagModel(task);
  const depth = depths(nodes, edges);
  const layers = [];
  for (const n of nodes) (layers[depth.get(n.peer_id)] ||= []).push(n);
  const W = 150, H = 64, R = 9;
  const width = Math.max(1, ...layers.map(l => (l || []).length)) * W + 40 + 2 * 45; // the last label; bowed edges on the left
  const height = layers.length * H + 10;
  const pos = new Map();
  layers.forEach((layer, d) => (layer || []).forEach((n, i) => pos.set(n.peer_id, {x: 10 + W / 2 + 2 * 45 + i * W, y: 18 + d * H})));
  const svg = el('svg', {class: 'dag', width, height, viewBox: `0 0 ${width} ${height}`, 'data-task': task.task_id});
  // an edge is as thick as the share of its child's bytes it carried
  const received = new Map(task.peers.map(p => [p.peer_id, p.bytes_received || 0]));
  for (const e of edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const share = received.get(e.to) > 0 ? e.bytes / received.get(e.to) : 0;
    // An edge that skips layers, or runs within one or upwards, bows to the left (node labels are
    // on the right) so that it does not pass through the nodes between its ends.
    const y1 = a.y + (b.y >= a.y ? R : -R), y2 = b.y + (b.y >= a.y ? -R : R);
    const span = Math.abs(b.y - a.y) / H;
    const bow = span > 1 || span === 0 || b.y < a.y ? 45 * Math.max(1, span) : 0;
    const c = {x: (a.x + b.x) / 2 - bow, y: (y1 + y2) / 2};
    const g = el('g', {class: 'edge' + (e.current ? ' current' : '') + (e.from === ORIGIN ? ' origin' : ''),
      'data-from': e.from, 'data-to': e.to, 'data-bytes': e.bytes, 'data-pieces': e.pieces, 'data-current': e.current},
        el('title', {}, `${e.from} → ${e.to}: ${bytes(e.bytes)} in ${e.pieces} pieces` +
            (e.current ? ' (current parent)' : '')),
        el('path', {d: `M ${a.x} ${y1} Q ${c.x} ${c.y} ${b.x} ${y2}`, 'stroke-width': (1 + 5 * share).toFixed(1)}));
    if (e.bytes > 0) {
      // the label sits at the curve's midpoint: a quadratic Bezier's point at t = 1/2
      const mx = (a.x + 2 * c.x + b.x) / 4, my = (y1 + 2 * c.y + y2) / 4;
      g.append(el('text', bow ? {class: 'served', x: mx - 4, y: my + 3, 'text-anchor': 'end'}
          : {class: 'served', x: mx + 4, y: my + 3}, bytes(e.bytes)));
    }
    svg.append(g);
  }
  for (const n of nodes) {
    const {x, y} = pos.get(n.peer_id);
    if (n.origin) {
      svg.append(el('g', {class: 'peer origin', 'data-peer': ORIGIN, 'data-host': ORIGIN, 'data-state': 'ORIGIN'},
          el('title', {}, 'the origin server (back to source)'),
          el('rect', {x: x - R, y: y - R, width: 2 * R, height: 2 * R, fill: '#1d232b'}),
          el('text', {x: x + R + 3, y: y + 3}, 'origin')));
      continue;
    }
    svg.append(el('g', {class: 'peer', 'data-peer': n.peer_id, 'data-host': n.host_id, 'data-state': n.state,
      'data-bytes-received': n.bytes_received},
        el('title', {}, `${n.peer_id}\nhost ${n.host_id}\n${n.state}\n${n.pieces_finished}/${n.piece_count} pieces\n` +
            `received ${bytes(n.bytes_received)} (origin ${bytes(n.bytes_from_origin)})\nparents: ${n.parents.join(', ') || 'none'}`),
        el('circle', {cx: x, cy: y, r: R, fill: STATE_COLORS[n.state] || '#999', stroke: '#1d232b', 'stroke-width': 0.5}),
        el('text', {x: x + R + 3, y: y + 3}, n.host_id),
        el('text', {x: x + R + 3, y: y + 14, fill: '#7a8593'},
            n.state === 'GONE' ? 'left the task' : `${n.state.toLowerCase()} ${progress(n)}`)));
  }
  return svg;
}

async function tasks() {
  const t = await readJson('dispatcher', 'api/v1/tasks?limit=12');
  const blocks = t.tasks.map(task => {
    const done = task.peers.filter(p => p.state === 'SUCCEEDED').length;
    const pieces = task.peers.reduce((a, p) => a + p.pieces_finished, 0);
    const total = task.peers.reduce((a, p) => a + p.piece_count, 0);
    return el('div', {class: 'task', 'data-task': task.task_id, 'data-peers': task.peers.length, 'data-succeeded': done},
        el('h3', {}, task.url || task.task_id),
        el('div', {},
            el('span', {class: 'pill'}, `${done}/${task.peers.length} peers succeeded`),
            el('span', {class: 'bar'}, el('i', {style: 'width:' + (total ? 100 * pieces / total : 0).toFixed(0) + '%'})),
            el('span', {class: 'pill'}, `back to source ${task.back_to_source}`),
            el('span', {class: 'pill'}, `seed ${task.seed_host_id || 'none'}`),
            el('span', {class: 'pill'}, `pending ${task.pending_requests}`)),
        dag(task));
  });
  setReplace(document.getElementById('tasks'), ...(blocks.length ? blocks : [el('p', {class: 'muted'}, 'no tasks yet')]));
  return t.tasks;
}

async function decisions(hostList, taskList) {
  const metrics = parseMetrics(await read('dispatcher', 'metrics'),
      ['swarmsched_decisions_total', 'swarmsched_back_to_source_peers']);
  const byOutcome = {};
  let backToSource = null;
  for (const m of metrics) {
    if (m.name === 'swarmsched_decisions_total') byOutcome[m.labels.outcome] = (byOutcome[m.labels.outcome] || 0) + m.value;
    else backToSource = (backToSource || 0) + m.value;
  }
  const now = Date.now();
  const rates = {};
  const pills = Object.keys(byOutcome).sort().map(o => {
    const prev = lastDecisions && lastDecisions.byOutcome[o] || 0;
    const rate = lastDecisions ? Math.max(0, (byOutcome[o] - prev) / ((now - lastDecisions.at) / 1000)) : 0;
    rates[o] = rate;
    return el('span', {class: 'pill', 'data-outcome': o, 'data-total': byOutcome[o]},
        el('span', {class: 'dot', style: 'background:' + (OUTCOME_COLORS[o] || '#999')}),
        o + ' ', el('b', {}, rate.toFixed(1) + '/s'), el('span', {class: 'muted'}, ' (' + byOutcome[o] + ' total)'));
  });
  if (lastDecisions) rateHistory.push(rates);
  while (rateHistory.length > HISTORY) rateHistory.shift();
  lastDecisions = {at: now, byOutcome};
  setReplace(document.getElementById('decisions'), ...(pills.length ? pills : [el('span', {class: 'muted'}, 'no decisions yet')]),
      rateChart());

  const seeds = (hostList || []).filter(h => h.type === 'SUPER_SEED');
  const seedLoad = seeds.map(h => `${h.host_id} ${bytes(h.load.tx_bytes_per_sec)}/s, ${h.load.concurrent_uploads} uploads`);
  const b2s = backToSource !== null ? backToSource : (taskList || []).reduce((a, t) => a + t.back_to_source, 0);
  setReplace(document.getElementById('swarm-load'),
      el('span', {class: 'pill', id: 'back-to-source', 'data-value': b2s}, 'back-to-source peers ', el('b', {}, b2s)),
      el('span', {class: 'pill', id: 'seed-load'}, 'seed load: ' + (seedLoad.join('; ') || 'no seed')));
}

/** Decisions per second by outcome over the last HISTORY polls, one line per outcome. */
function rateChart() {
  const W = 480, H = 60;
  const max = Math.max(1, ...rateHistory.flatMap(r => Object.values(r)));
  const svg = el('svg', {class: 'rates', width: W, height: H + 12, viewBox: `0 0 ${W} ${H + 12}`});
  svg.append(el('text', {x: 2, y: 10, fill: '#7a8593'}, max.toFixed(1) + '/s'));
  const outcomes = new Set(rateHistory.flatMap(r => Object.keys(r)));
  for (const o of outcomes) {
    const points = rateHistory.map((r, i) =>
        `${(W * i / (HISTORY - 1)).toFixed(1)},${(12 + H - H * (r[o] || 0) / max).toFixed(1)}`).join(' ');
    svg.append(el('polyline', {points, fill: 'none', stroke: OUTCOME_COLORS[o] || '#999', 'stroke-width': 1.5,
        'data-outcome': o}));
  }
  return el('div', {}, svg);
}

/** The job queue and running jobs: counts from /metrics, the latest jobs from /api/v1/jobs. */
async function jobs() {
  const [metricsText, list] = await Promise.all([
    read('dispatcher', 'metrics'), readJson('dispatcher', 'api/v1/jobs?limit=25')]);
  const m = parseMetrics(metricsText, ['swarmsched_jobs_queued', 'swarmsched_jobs_running', 'swarmsched_workers']);
  const value = (name, label) => m.filter(x => x.name === name && (!label || x.labels.state === label))
      .reduce((a, x) => a + x.value, 0);
  const pill = (id, text, v) => el('span', {class: 'pill', id, 'data-value': v}, text + ' ', el('b', {}, v));
  setReplace(document.getElementById('jobs-summary'),
      pill('jobs-queued', 'queued', value('swarmsched_jobs_queued')),
      pill('jobs-running', 'running', value('swarmsched_jobs_running')),
      pill('workers-available', 'workers available', value('swarmsched_workers', 'available')),
      pill('workers-busy', 'workers busy', value('swarmsched_workers', 'busy')));
  const rows = list.jobs.map(j => el('tr', {'data-job': j.job_id, 'data-state': j.state},
      el('td', {}, j.job_id),
      el('td', {class: 'state'}, j.state),
      el('td', {}, j.priority),
      el('td', {}, `${j.attempt}/${j.max_attempts}`),
      el('td', {}, j.worker_host_id || ''),
      el('td', {}, (j.required_tags || []).join(', ')),
      el('td', {class: 'reason'}, j.reason || j.result_ref || '')));
  setReplace(document.querySelector('#jobs tbody'),
      ...(rows.length ? rows : [el('tr', {}, el('td', {colspan: 7, class: 'muted'}, 'no jobs'))]));
}

async function deadLetters() {
  const d = await readJson('ingest', 'api/v1/dead-letters?limit=20');
  const rows = d.dead_letters.map(x => el('tr', {'data-stage': x.stage},
      el('td', {}, new Date(x.timestamp).toLocaleTimeString()),
      el('td', {}, x.stage),
      el('td', {class: 'reason'}, x.reason),
      el('td', {}, `${x.source_topic ?? '?'}[${x.source_partition ?? '?'}]@${x.source_offset ?? '?'}`)));
  setReplace(document.querySelector('#dead-letters tbody'),
      ...(rows.length ? rows : [el('tr', {}, el('td', {colspan: 4, class: 'muted'}, 'none'))]));
}

function legend() {
  setReplace(document.getElementById('legend'), ...Object.entries(STATE_COLORS).map(([s, c]) =>
      el('span', {class: 'pill'}, el('span', {class: 'dot', style: 'background:' + c}), s)));
}

/** One section's failure is shown in place and does not stop the others. */
async function guarded(id, f) {
  try {
    const r = await f();
    document.getElementById(id).querySelectorAll(':scope > .error').forEach(e => e.remove());
    return r;
  } catch (e) {
    const section = document.getElementById(id);
    let box = section.querySelector(':scope > .error');
    if (!box) { box = el('div', {class: 'error'}); section.append(box); }
    box.textContent = String(e.message || e);
    return null;
  }
}

async function tick(targets) {
  const [hostList, taskList] = await Promise.all([
    guarded('hosts-section', hosts), guarded('tasks-section', tasks),
    guarded('dead-letters-section', deadLetters), guarded('jobs-section', jobs), services(targets)]);
  await guarded('decisions-section', () => decisions(hostList, taskList));
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  document.body.dataset.ticks = String(Number(document.body.dataset.ticks || 0) + 1);
}

(async function main() {
  legend();
  const targets = await (await fetch('targets')).json();
  for (;;) {
    const started = Date.now();
    await tick(targets);
    await new Promise(r => setTimeout(r, Math.max(100, POLL_MS - (Date.now() - started))));
  }
})();
