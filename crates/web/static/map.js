// The start page's map of the municipalities, drawn with Apache ECharts
// from the boundaries in /static/geo/kommuner.geojson and the figures the
// server wrote into data-map (the same as the table under the map).
// Keyboard: the map is one tab stop; the arrow keys move from municipality
// to municipality (alphabetically), showing its figure in the tooltip and
// reading it out through #map-status; Enter opens its page; Home and End
// jump to the first and last.
(function () {
  var el = document.getElementById('map');
  if (!el || typeof echarts === 'undefined') return;
  // The map's own words in the page's language (<html lang>), Danish
  // unless the page is English.
  var TEXT = {
    da: {
      loading: 'Henter kortet …',
      failed: 'Kortet kunne ikke hentes; tallene står i tabellen herunder.',
      kroner: ' kr.'
    },
    en: {
      loading: 'Loading the map …',
      failed: 'The map could not be loaded; the figures are in the table below.',
      kroner: ' DKK'
    }
  };
  var text = TEXT[document.documentElement.lang] || TEXT.da;
  var data = JSON.parse(el.getAttribute('data-map'));
  var status = document.getElementById('map-status');
  var rows = data.municipalities.slice().sort(function (a, b) { return a.name.localeCompare(b.name, 'da'); });
  var byName = {};
  rows.forEach(function (r) { byName[r.name] = r; });
  var values = rows.map(function (r) { return r.value; }).filter(function (v) { return v !== null; });
  values.sort(function (a, b) { return a - b; });
  // Classes by quantile: five colours with about as many municipalities
  // each, so a country whose figures lie close together (77-85 %) is not
  // painted in one colour, as an even scale from the least to the most
  // would. Equal figures never straddle two classes.
  var COLOURS = ['#e8f1fa', '#a9cbee', '#5e9ad8', '#0059b3', '#002a56'];
  var pieces = [];
  (function () {
    var classes = Math.min(COLOURS.length, values.length);
    var start = 0;
    for (var k = 1; k <= classes && start < values.length; k++) {
      var end = k === classes ? values.length - 1 : Math.max(start, Math.round(values.length * k / classes) - 1);
      while (end + 1 < values.length && values[end + 1] === values[end]) end++;
      pieces.push({ min: values[start], max: values[end] });
      start = end + 1;
    }
    pieces.forEach(function (p, i) {
      p.color = COLOURS[Math.round(i * (COLOURS.length - 1) / Math.max(1, pieces.length - 1))];
      p.label = p.min === p.max ? legend(p.min) : legend(p.min) + ' – ' + legend(p.max);
    });
  })();
  // The classes' ends as the figures are shown: a share in percent with
  // one decimal, kroner with two, a count with one, each with a decimal
  // comma (whole percents would show 98 % – 98 % for close classes).
  function legend(v) {
    if (data.share) return v.toFixed(1).replace('.', ',') + ' %';
    if (data.kroner) return v.toFixed(2).replace('.', ',') + text.kroner;
    return v.toFixed(1).replace('.', ',');
  }
  el.style.height = Math.min(720, Math.max(420, el.clientWidth * 0.9)) + 'px';
  var chart = echarts.init(el, null, { renderer: 'svg' });
  var ready = false;
  chart.showLoading({ text: text.loading });
  fetch(el.getAttribute('data-geometry'))
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      geo.features = geo.features.filter(function (f) { return f.properties.er_kommune !== false; });
      geo.features.forEach(function (f) {
        var row = data.municipalities.find(function (m) { return m.code === f.properties.kommunekode; });
        f.properties.name = row ? row.name : f.properties.navn;
      });
      echarts.registerMap('kommuner', geo);
      chart.hideLoading();
      chart.setOption({
        aria: { enabled: false },
        animation: false,
        tooltip: {
          trigger: 'item',
          formatter: function (p) {
            var r = byName[p.name];
            return r ? '<strong>' + r.name + '</strong><br>' + r.shown : p.name;
          }
        },
        visualMap: {
          // In a row where there is room, else (a phone) as a column.
          type: 'piecewise', pieces: pieces, left: 'left', bottom: 0,
          orient: el.clientWidth >= 640 ? 'horizontal' : 'vertical',
          itemGap: el.clientWidth >= 640 ? 12 : 6, textStyle: { fontSize: 13 },
          outOfRange: { color: '#d9d9d9' }
        },
        series: [{
          type: 'map', map: 'kommuner', roam: false, nameProperty: 'name',
          // Longitude degrees are shorter than latitude degrees at 56° N.
          aspectScale: 0.58, layoutCenter: ['50%', '48%'], layoutSize: '95%',
          itemStyle: { borderColor: '#ffffff', borderWidth: 0.6, areaColor: '#d9d9d9' },
          emphasis: { label: { show: false }, itemStyle: { areaColor: '#e6a300' } },
          select: { disabled: true },
          data: rows.map(function (r) { return { name: r.name, value: r.value === null ? '-' : r.value }; })
        }]
      });
      ready = true;
      el.setAttribute('data-ready', String(rows.length));
      chart.on('click', function (p) {
        var r = byName[p.name];
        if (r) window.location.href = '/kommuner/' + r.code;
      });
    })
    .catch(function () {
      chart.hideLoading();
      el.textContent = text.failed;
      var table = document.getElementById('map-table-details');
      if (table) table.open = true;
    });

  var current = -1;
  function focusOn(index) {
    if (!rows.length) return;
    if (current >= 0) chart.dispatchAction({ type: 'downplay', seriesIndex: 0, name: rows[current].name });
    current = (index + rows.length) % rows.length;
    var r = rows[current];
    chart.dispatchAction({ type: 'highlight', seriesIndex: 0, name: r.name });
    chart.dispatchAction({ type: 'showTip', seriesIndex: 0, name: r.name });
    el.setAttribute('data-current', r.code);
    if (status) status.textContent = r.name + ': ' + r.shown;
  }
  el.addEventListener('focus', function () { if (current < 0) focusOn(0); else focusOn(current); });
  el.addEventListener('blur', function () { chart.dispatchAction({ type: 'hideTip' }); });
  el.addEventListener('keydown', function (e) {
    var keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (e.key in keys) { e.preventDefault(); focusOn(current + keys[e.key]); }
    else if (e.key === 'Home') { e.preventDefault(); focusOn(0); }
    else if (e.key === 'End') { e.preventDefault(); focusOn(rows.length - 1); }
    else if (e.key === 'Enter' && current >= 0) { window.location.href = '/kommuner/' + rows[current].code; }
  });
  // Resizing an ECharts chart that is still showing its loading mask throws;
  // until the map is drawn there is nothing to resize. A window resize (a
  // full-page print or screenshot fires several in a row) is acted on once,
  // in the next frame, when the layout has settled: resizing the map in the
  // middle of one leaves its projection without a size and ECharts throws.
  var frame = 0;
  function resize() {
    frame = 0;
    if (ready && el.clientWidth > 0 && el.clientHeight > 0) chart.resize();
  }
  window.addEventListener('resize', function () { if (!frame) frame = requestAnimationFrame(resize); });
})();
