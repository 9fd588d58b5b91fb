// The dashboard page: one event stream per page, whose every message is the page's whole view;
// each message redraws the page. Text from the cluster is only ever set as text, never as HTML.
'use strict';

const app = document.getElementById('app');
const crumbs = document.getElementById('crumbs');
const live = document.getElementById('live');
const problems = document.getElementById('problems');
let stream = null;
let draws = 0;

/** An element with attributes and children (strings become text nodes). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'class') el.className = value;
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function link(href, ...children) {
  return h('a', { href }, ...children);
}

/** `✓ Ready` or `✗ reason`: the state in words and a shape, not only a colour. */
function state(ready, reason) {
  return h('span', { class: 'state ' + (ready ? 'ok' : 'bad') }, ready ? '✓ Ready' : '✗ ' + (reason || 'Not ready'));
}

function bar(b) {
  const level = b.percent >= 90 ? ' full' : b.percent >= 70 ? ' high' : '';
  const fill = h('span', { class: 'fill' + level });
  fill.style.width = Math.min(100, Math.max(0, b.percent)) + '%';
  const track = h('span', { class: 'track' }, fill);
  let usage = '';
  if (b.usedPercent !== undefined) {
    const mark = h('span', { class: 'used', title: 'used ' + b.usedPercent + '%' });
    mark.style.left = Math.min(100, b.usedPercent) + '%';
    track.append(mark);
    usage = ', used ' + b.usedPercent + '%';
  }
  return h('div', {
    class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': b.percent,
    'aria-label': b.resource + ' allocated ' + b.percent + '%' + usage,
    'data-resource': b.resource, 'data-percent': b.percent,
  }, h('span', {}, b.resource), track, h('span', {}, b.percent + '% of ' + b.allocatable + usage));
}

function pods(p) {
  return `running ${p.running} · pending ${p.pending} · failed ${p.failed} · succeeded ${p.succeeded}` +
    (p.notReady ? ` · ${p.notReady} not ready` : '');
}

function workloadList(lines, omitted, here) {
  if (!lines.length) return h('p', { class: 'muted' }, 'None.');
  const rows = lines.map((w) => h('tr', { 'data-workload': w.key, 'data-ready': w.ready },
    h('td', {}, link('#/workload/' + w.key, w.workload)),
    h('td', {}, w.namespace || '—'),
    h('td', {}, here ? `${w.readyHere ?? '—'} / ${w.here}` : w.replicas),
    h('td', {}, state(w.ready, w.reason)),
    h('td', {}, w.message)));
  const head = h('tr', {}, ['workload', 'namespace', here ? 'ready / assigned here' : 'replicas', 'state', 'why']
    .map((t) => h('th', { scope: 'col' }, t)));
  const table = h('table', {}, h('thead', {}, head), h('tbody', {}, rows));
  return omitted ? [table, h('p', { class: 'muted' }, `${omitted} more not listed.`)] : table;
}

function fleetPage(v) {
  crumbs.replaceChildren('Fleet');
  const t = v.totals;
  const tiles = v.clusters.map((c) => link('#/cluster/' + encodeURIComponent(c.name),
    h('h3', {}, c.name, ' ', state(c.ready, c.reason)),
    h('div', {}, `nodes ${c.nodesReady}/${c.nodesTotal} ready`, c.problemNodes ? h('span', { class: 'warn' }, ` · ⚠ ${c.problemNodes} with problems`) : ''),
    h('div', { class: 'muted' }, 'pods: ' + pods(c.pods)),
    h('div', { class: 'bars' }, c.bars.map(bar))));
  tiles.forEach((tile, i) => {
    const c = v.clusters[i];
    tile.className = 'tile ' + (c.ready ? 'ready' : 'not-ready');
    tile.setAttribute('data-cluster', c.name);
    tile.setAttribute('data-ready', c.ready);
  });
  return [
    h('h1', {}, 'Fleet'),
    h('div', { class: 'totals' },
      h('div', {}, h('div', { class: 'muted' }, 'clusters ready'), h('div', { class: 'figure', 'data-total': 'clusters' }, t.clusters)),
      h('div', {}, h('div', { class: 'muted' }, 'nodes ready'), h('div', { class: 'figure', 'data-total': 'nodes' }, t.nodes)),
      h('div', {}, h('div', { class: 'muted' }, 'workloads'), h('div', { class: 'figure', 'data-total': 'workloads' }, t.workloads)),
      h('div', {}, h('div', { class: 'muted' }, 'pods'), h('div', { class: 'figure' }, pods(t.pods)))),
    h('div', { class: 'bars wide-bars' }, t.bars.map(bar)),
    h('h2', {}, `Clusters (${v.clusters.length})`),
    h('div', { class: 'tiles' }, tiles),
    h('h2', {}, 'Workloads that are not Ready'),
    workloadList(v.unready, v.omittedUnready, false),
  ];
}

const SYMBOL = { NotReady: '×', MemoryPressure: '!', DiskPressure: '!', PIDPressure: '!', NetworkUnavailable: '!', Cordoned: '⊘' };

function cell(n) {
  const level = Math.min(6, Math.floor(n.hottest / 15));
  const words = `${n.name}: cpu ${n.cpu}%, memory ${n.memory}%, pods ${n.pods}` +
    (n.problems.length ? ', ' + n.problems.join(', ') : '');
  return h('span', {
    class: `cell l${level}` + (n.problems.length ? ' problem' : ''), tabindex: 0, role: 'img',
    title: words, 'aria-label': words, 'data-node': n.name, 'data-hottest': n.hottest,
    'data-problems': n.problems.join(','),
  }, h('span', { class: 'glyph', 'aria-hidden': 'true' }, n.problems.length ? SYMBOL[n.problems[0]] || '!' : ''),
  h('span', { class: 'name', 'aria-hidden': 'true' }, n.name));
}

function clusterPage(v, name) {
  crumbs.replaceChildren(link('#/', 'Fleet'), ' / ', name);
  if (!v) return h('p', {}, `karmada-manager has no ClusterInsight named ${name}.`);
  const listed = v.nodes.length;
  return [
    h('h1', {}, name, ' ', h('span', { class: 'pill' }, v.source || 'no source yet')),
    h('div', { class: 'bars wide-bars' }, v.bars.map(bar)),
    h('h2', {}, 'Nodes'),
    h('div', { class: 'legend' }, 'Colour: the highest of cpu, memory and pod-slot allocation (darker is fuller).',
      ' × not ready · ! under pressure or network unavailable · ⊘ cordoned; dashed border: a problem.'),
    h('div', { class: 'heat', 'data-listed': listed, 'data-omitted': v.omittedNodes }, v.nodes.map(cell)),
    h('p', { class: 'muted', 'data-node-count': v.nodesTotal },
      `${listed} of ${v.nodesTotal} nodes shown` + (v.omittedNodes ? `; ${v.omittedNodes} not listed by the ClusterInsight (problem nodes are listed first).` : '.')),
    h('h2', {}, 'Conditions'),
    h('table', {}, h('tbody', {}, v.conditions.map((c) => h('tr', { 'data-condition': c.type },
      h('th', { scope: 'row' }, c.type), h('td', {}, c.status), h('td', {}, c.reason), h('td', {}, c.message))))),
    h('h2', {}, 'Workloads here, most replicas first'),
    workloadList(v.workloads.map((w) => ({ ...w })), v.omittedWorkloads, true),
  ];
}

function podDot(p) {
  const words = `${p.name}: ${p.phase}, ${p.ready ? 'ready' : 'not ready'}` + (p.restarts ? `, ${p.restarts} restarts` : '');
  return h('span', { class: 'pod' + (p.ready ? '' : ' not-ready'), title: words, 'data-pod': p.name, 'data-ready': p.ready },
    (p.ready ? '● ' : '○ ') + p.name);
}

function targetBox(c) {
  return h('section', { class: 'target', 'data-target': c.name, 'aria-label': 'cluster ' + c.name },
    h('h3', {}, link('#/cluster/' + encodeURIComponent(c.name), c.name), c.problems.length ? h('span', { class: 'bad' }, ' ⚠ ' + c.problems.join(', ')) : ''),
    h('div', {}, `assigned ${c.assigned}` + (c.weight !== null && c.weight !== undefined ? ` · weight ${c.weight}` : '') +
      ` · ready ${c.ready ?? '?'} · fit ${c.fit ?? '—'} more`),
    h('p', { class: 'muted' }, c.sentence),
    c.nodes.map((n) => h('div', { class: 'node', 'data-node': n.name },
      h('div', {}, (n.name || 'not scheduled') + ` — ${n.pods} pods`), n.listed.map(podDot))),
    c.omittedNodes || c.omittedPods ? h('p', { class: 'muted' }, `${c.omittedNodes} nodes and ${c.omittedPods} pods not listed.`) : '');
}

function workloadPage(v, key) {
  crumbs.replaceChildren(link('#/', 'Fleet'), ' / ', v ? v.title : key);
  if (!v) return h('p', {}, `karmada-manager has no placement ${key}.`);
  return [
    h('h1', {}, v.title, ' ', state(v.ready, v.reason)),
    h('p', {}, `${v.replicas} replicas · ${v.policy}` + (v.rules ? ` · ${v.rules}` : '')),
    h('h2', {}, `Clusters (${v.clusters.length})`),
    h('div', { class: 'targets' }, v.clusters.map(targetBox)),
    h('h2', {}, 'Not on these clusters'),
    v.candidates.length ? h('ul', {}, v.candidates.map((c) => h('li', { 'data-candidate': c.name, 'data-reason': c.reason }, c.sentence)))
      : h('p', { class: 'muted' }, 'Every cluster is used, or none is listed.'),
    v.omittedCandidates ? h('p', { class: 'muted' }, `${v.omittedCandidates} more not listed.`) : '',
    h('h2', {}, 'Conditions'),
    h('table', {}, h('tbody', {}, v.conditions.map((c) => h('tr', { 'data-condition': c.type },
      h('th', { scope: 'row' }, c.type), h('td', {}, c.status), h('td', {}, c.reason), h('td', {}, c.message))))),
  ];
}

/** The page named by the address's fragment, and its event stream. */
function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  let page; let draw;
  if (parts[0] === 'cluster' && parts[1]) {
    page = 'cluster/' + encodeURIComponent(parts[1]);
    draw = (v) => clusterPage(v, parts[1]);
  } else if (parts[0] === 'workload' && parts.length === 4) {
    const key = parts.slice(1).join('/');
    page = 'workload/' + parts.slice(1).map(encodeURIComponent).join('/');
    draw = (v) => workloadPage(v, key);
  } else {
    page = 'fleet';
    draw = fleetPage;
  }
  if (stream) stream.close();
  live.textContent = 'connecting…';
  live.className = 'live';
  stream = new EventSource('/events/' + page);
  stream.onopen = () => { live.textContent = 'live'; live.className = 'live on'; };
  stream.onerror = () => { live.textContent = 'reconnecting…'; live.className = 'live off'; };
  stream.onmessage = (event) => {
    const message = JSON.parse(event.data);
    problems.replaceChildren(...message.problems.map((p) => h('div', {}, '⚠ ' + p)));
    app.replaceChildren(...[draw(message.view)].flat());
    draws += 1;
    if (draws === 1) {
      // Time to first render, from navigation start (read by the benchmark).
      document.body.dataset.firstDrawMs = String(Math.round(performance.now()));
    }
    document.body.dataset.draws = String(draws);
    document.body.dataset.page = page;
  };
}

window.addEventListener('hashchange', () => { route(); app.focus(); });
route();
