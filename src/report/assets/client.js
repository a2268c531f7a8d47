/* The interactive parts of report.html: 3-D views of representative environments and of one frame (3Dmol.js),
   and the net-flux network (cytoscape). Reads its data from the JSON block #getsei-data; draws nothing else.
   Runs in the browser, inlined into the page after the two libraries. */
/* global $3Dmol, cytoscape, document */
(function () {
  'use strict';
  const dataEl = document.getElementById('getsei-data');
  if (!dataEl) return;
  const data = JSON.parse(dataEl.textContent);

  function note(el, text) {
    const p = document.createElement('p');
    p.className = 'viewer-note';
    p.textContent = text;
    el.appendChild(p);
  }

  function makeViewer(el) {
    if (typeof $3Dmol === 'undefined') {
      note(el, '3-D view unavailable: 3Dmol.js did not load.');
      return null;
    }
    const viewer = $3Dmol.createViewer(el, { backgroundColor: 'white', antialias: true });
    if (!viewer) note(el, '3-D view unavailable: this browser has WebGL turned off.');
    return viewer;
  }

  // Representative environments (Fig. 2d): one viewer per state, cycling through that state's examples.
  const reps = data.representatives || [];
  const cards = document.querySelectorAll('.rep-card');
  Array.prototype.forEach.call(cards, function (card) {
    const state = Number(card.getAttribute('data-state'));
    const list = reps.filter(function (r) { return r.state === state; });
    const el = card.querySelector('.viewer');
    const label = card.querySelector('.rep-which');
    if (list.length === 0 || !el) return;
    const viewer = makeViewer(el);
    if (!viewer) return;
    let at = 0;
    function show() {
      const rep = list[at];
      viewer.clear();
      const model = viewer.addModel(rep.xyz, 'xyz');
      viewer.setStyle({}, { stick: { radius: 0.1, colorscheme: 'Jmol' }, sphere: { scale: 0.26, colorscheme: 'Jmol' } });
      const atoms = model.selectedAtoms({});
      const centre = atoms[rep.centerIndex] || atoms[0];
      if (centre) {
        viewer.setStyle({ index: centre.index }, { sphere: { scale: 0.42, color: '#d62728' }, stick: { radius: 0.1, colorscheme: 'Jmol' } });
        viewer.addSphere({ center: { x: centre.x, y: centre.y, z: centre.z }, radius: 0.95, color: '#d62728', opacity: 0.25 });
      }
      viewer.zoomTo();
      viewer.render();
      if (label) label.textContent = (at + 1) + ' of ' + list.length + (rep.note ? ' · ' + rep.note : '');
    }
    card.querySelectorAll('button[data-step]').forEach(function (b) {
      b.addEventListener('click', function () {
        at = (at + Number(b.getAttribute('data-step')) + list.length) % list.length;
        show();
      });
    });
    show();
  });

  // One frame with every Li coloured by its state.
  const frame = data.frame;
  const frameEl = document.getElementById('frame-viewer');
  if (frame && frameEl) {
    const fv = makeViewer(frameEl);
    if (fv) {
      fv.addModel(frame.xyz, 'xyz');
      fv.setStyle({}, { sphere: { scale: 0.2, colorscheme: 'Jmol' } });
      // framework atoms in getsei's element colours, chosen apart from the state colours (Jmol's P is S1's orange)
      Object.keys(frame.elementColors || {}).forEach(function (e) {
        fv.setStyle({ elem: e }, { sphere: { scale: 0.2, color: frame.elementColors[e] } });
      });
      const byState = {};
      frame.stateByAtom.forEach(function (s, i) {
        if (s >= 0) (byState[s] = byState[s] || []).push(i);
      });
      Object.keys(byState).forEach(function (s) {
        fv.setStyle({ index: byState[s] }, { sphere: { scale: 0.42, color: frame.colors[s] || '#777777' } });
      });
      // look along y with z (the interface normal) pointing up, so the slab's layers read from bottom to top
      fv.zoomTo();
      fv.rotate(-90, 'x');
      fv.zoomTo();
      fv.render();
    }
  }

  // Net-flux network (Fig. 4c), same layout as the static figure; nodes can be dragged.
  const net = data.network;
  const netEl = document.getElementById('network-cy');
  if (net && netEl) {
    if (typeof cytoscape === 'undefined') {
      note(netEl, 'Network view unavailable: cytoscape did not load.');
    } else {
      const elements = net.nodes.map(function (n) {
        return { data: { id: 'n' + n.index, label: n.label + '\nq⁺ ' + n.q, color: n.color }, position: { x: n.x, y: n.y } };
      }).concat(net.edges.map(function (e, k) {
        return { data: { id: 'e' + k, source: 'n' + e.from, target: 'n' + e.to, width: e.width, label: e.label } };
      }));
      cytoscape({
        container: netEl,
        elements: elements,
        layout: { name: 'preset', fit: true, padding: 30 },
        style: [
          { selector: 'node', style: { 'background-color': 'data(color)', 'border-width': 1, 'border-color': '#333', label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'center', 'text-halign': 'center', 'font-size': 11, width: 50, height: 50 } },
          { selector: 'edge', style: { width: 'data(width)', 'line-color': '#51698a', 'target-arrow-color': '#51698a', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', opacity: 0.85, label: 'data(label)', 'font-size': 9, 'text-background-color': '#fff', 'text-background-opacity': 0.8, 'text-background-padding': 1 } },
        ],
      });
    }
  }
})();
