// Reads the report in the frame at its width: every table cell and every bar must lie
// inside the frame's viewport (not cut off, not behind a horizontal scroll), and every
// bar meant to be seen must be drawn at least 1 px wide. The findings go into
// body[data-layout] for --dump-dom.
document.getElementById('f').addEventListener('load', function () {
  var d = this.contentDocument, W = d.documentElement.clientWidth, bad = [], cells = 0, bars = 0, nums = 0;
  function out(r) { return r.width > 0 && (r.left < -0.5 || r.right > W + 0.5); }
  d.querySelectorAll('main table td, main table th').forEach(function (c) {
    var r = c.getBoundingClientRect();
    cells++;
    if (c.classList.contains('num')) nums++;
    if (out(r)) bad.push('cell "' + c.textContent.trim().slice(0, 30) + '" at x ' + Math.round(r.left) + '..' + Math.round(r.right));
  });
  d.querySelectorAll('main table .pos, main table .neg, main table .p1').forEach(function (b) {
    var r = b.getBoundingClientRect(), want = parseFloat(b.style.width) || 0;
    bars++;
    if (out(r)) bad.push('bar at x ' + Math.round(r.left) + '..' + Math.round(r.right));
    else if (want >= 1 && r.width < 1) bad.push('a bar of ' + want + '% drawn ' + r.width.toFixed(2) + ' px wide');
  });
  document.body.setAttribute('data-layout', JSON.stringify({ width: W, cells: cells, numbers: nums, bars: bars, bad: bad }));
});
