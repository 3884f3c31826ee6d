/* Dashboard charts: data comes from <script type="application/json"> blocks written by the server. */
(function () {
  "use strict";

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function drawMap(data, labels) {
    var element = document.getElementById("district-map");
    fetch(element.dataset.geojson).then(function (response) { return response.json(); }).then(function (geo) {
      echarts.registerMap("beijing", geo);
      var chart = echarts.init(element);
      chart.on("finished", function () { element.dataset.rendered = "true"; });
      var values = data.districts.map(function (d) { return d.value; });
      chart.setOption({
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            if (!p.data) { return p.name; }
            return p.name + "<br>" + labels.rate + " " + p.data.value + "%<br>" +
              p.data.numerator.toLocaleString() + " / " + p.data.denominator.toLocaleString();
          }
        },
        visualMap: {
          min: Math.floor(Math.min.apply(null, values.concat([100]))), max: 100, left: "left", bottom: 10,
          text: [labels.high, labels.low], calculable: true, inRange: { color: ["#fde0dc", "#e57373", "#9f1c1c"] }
        },
        series: [{
          type: "map", map: "beijing", roam: false, data: data.districts,
          label: { show: true, fontSize: 10 }, emphasis: { label: { show: true } }
        }]
      });
      chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function drawTrend(data, labels) {
    var chart = echarts.init(document.getElementById("trend-chart"));
    chart.setOption({
      tooltip: { trigger: "axis", formatter: function (p) {
        var d = p[0].data;
        return p[0].name + "<br>" + labels.rate + " " + d.value + "%<br>" + d.numerator.toLocaleString() + " / " + d.denominator.toLocaleString();
      } },
      grid: { left: 40, right: 16, top: 16, bottom: 24 },
      xAxis: { type: "category", data: data.trend.map(function (d) { return d.name; }) },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{ type: "line", data: data.trend, smooth: true, areaStyle: { opacity: 0.15 }, color: "#9f1c1c" }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawSystems(data) {
    var element = document.getElementById("system-chart");
    var chart = echarts.init(element);
    var systems = data.systems.slice().sort(function (a, b) { return a.value - b.value; });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 100, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: systems.map(function (d) { return d.name; }) },
      series: [{ type: "bar", data: systems, color: "#c0392b" }]
    });
    chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = read("chart-data");
    var labels = read("chart-labels") || {};
    if (!data) { return; }
    drawMap(data, labels);
    drawTrend(data, labels);
    drawSystems(data);
    document.querySelectorAll("[data-autosubmit]").forEach(function (input) {
      input.addEventListener("change", function () { if (input.value) { input.form.submit(); } });
    });
  });
})();
