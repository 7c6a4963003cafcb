/* The dashboard's daily chart. The server embeds the series with Django's
 * json_script filter; a <canvas data-chart-source="<id of that script>"> is
 * drawn with the vendored Chart.js. htmx.onLoad runs for the first page and
 * for every body htmx swaps in (a new range), and the chart of the body being
 * replaced is destroyed first, so charts never pile up. */
(function () {
  "use strict";

  var COLOURS = {
    gmv: "rgba(214, 51, 108, 0.55)",
    orders: "#1c7ed6",
    estimated: "#f08c00",
    settled: "#2b8a3e"
  };

  function numbers(values) {
    return values.map(function (value) { return Number(value); });
  }

  function line(label, values, colour, axis, dashed) {
    return {
      type: "line", label: label, data: numbers(values), yAxisID: axis,
      borderColor: colour, backgroundColor: colour, borderWidth: 2,
      borderDash: dashed ? [6, 4] : [], pointRadius: values.length > 45 ? 0 : 2, tension: 0
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var existing = Chart.getChart(canvas);
    if (existing) existing.destroy();
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.dates,
        datasets: [
          { type: "bar", label: data.labels.gmv, data: numbers(data.gmv), yAxisID: "money",
            backgroundColor: COLOURS.gmv, order: 3 },
          line(data.labels.estimated, data.estimated, COLOURS.estimated, "money", true),
          line(data.labels.settled, data.settled, COLOURS.settled, "money", false),
          line(data.labels.orders, data.orders, COLOURS.orders, "orders", false)
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          money: { type: "linear", position: "left", beginAtZero: true,
                   title: { display: true, text: "¥" } },
          orders: { type: "linear", position: "right", beginAtZero: true,
                    ticks: { precision: 0 }, grid: { drawOnChartArea: false },
                    title: { display: true, text: data.labels.orders } }
        }
      }
    });
  }

  function charts(root) {
    return root && root.querySelectorAll ? root.querySelectorAll("canvas[data-chart-source]") : [];
  }

  htmx.onLoad(function (root) {
    Array.prototype.forEach.call(charts(root), draw);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (typeof Chart === "undefined") return;
    Array.prototype.forEach.call(charts(event.detail.target), function (canvas) {
      var chart = Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  });
})();
