// Draws the charts of the figures pages with Apache ECharts. Each chart is
// a <div data-chart="{...}"> whose data the server wrote from the same
// report as the table under it; the table is the chart's text alternative,
// so the chart itself is hidden from screen readers' reading order behind
// its aria-label. Without JavaScript the tables remain.
(function () {
  if (typeof echarts === 'undefined') return;
  // Det Fælles Designsystem's colours, then distinguishable extras.
  var palette = ['#0059b3', '#e6a300', '#358000', '#b51a25', '#6b42a8', '#00838f',
    '#7a5c00', '#c2185b', '#455a64', '#1b5e20', '#8d6e63', '#283593'];
  var danish = function (n, decimals) {
    return Number(n).toLocaleString('da-DK', {
      minimumFractionDigits: decimals || 0, maximumFractionDigits: decimals || 0
    });
  };
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var d;
    try { d = JSON.parse(el.getAttribute('data-chart')); } catch (e) { return; }
    // A line through one point is a dot on top of another: one period is
    // drawn as columns.
    if (d.kind === 'line' && d.categories.length < 2) d.kind = 'columns';
    var horizontal = d.kind === 'bar' || d.kind === 'stacked';
    var rows = d.categories.length;
    // The legend wraps under the chart: room for its lines.
    var legendLines = Math.max(1, Math.ceil(d.series.length * 170 / Math.max(el.clientWidth, 300)));
    var legendHeight = 12 + legendLines * 22;
    var plot = horizontal ? Math.max(110, 16 + rows * (d.kind === 'stacked' ? 34 : 22 * d.series.length + 10)) : 280;
    el.style.height = (plot + legendHeight) + 'px';
    var chart = echarts.init(el, null, { renderer: 'svg', locale: 'EN' });
    var valueAxis = {
      type: 'value',
      max: d.percent ? 100 : null,
      axisLabel: { formatter: function (v) { return danish(v) + (d.percent ? ' %' : ''); } }
    };
    var categoryAxis = {
      type: 'category', data: d.categories, inverse: horizontal,
      axisLabel: { width: 180, overflow: 'truncate' }
    };
    chart.setOption({
      color: palette,
      aria: { enabled: false },
      animation: false,
      textStyle: { fontFamily: 'IBM Plex Sans, Arial, sans-serif' },
      tooltip: {
        trigger: 'axis', axisPointer: { type: 'shadow' },
        valueFormatter: function (v) { return d.percent ? danish(v, 1) + ' %' : danish(v); }
      },
      legend: { type: 'plain', bottom: 0, left: 0, right: 0, itemGap: 14 },
      grid: { left: 8, right: 24, top: 8, bottom: legendHeight + 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: d.series.map(function (s) {
        return {
          name: s.name, data: s.data,
          type: d.kind === 'line' ? 'line' : 'bar',
          stack: d.kind === 'stacked' ? 'andel' : null,
          barMaxWidth: 28
        };
      })
    });
    window.addEventListener('resize', function () { chart.resize(); });
    window.addEventListener('beforeprint', function () { chart.resize(); });
  });
})();
