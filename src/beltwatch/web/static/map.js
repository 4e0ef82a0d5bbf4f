// beltwatch map page: Leaflet (vendored at install time) over the Natural Earth countries and the
// corridor, both served by beltwatch itself; no tile server. Article text reaches the page only
// through textContent, never as HTML: the popups are built node by node.
"use strict";

(function () {
  const box = document.getElementById("live-map");
  const source = document.getElementById("map-data");
  if (!box || !source || typeof L === "undefined" || typeof L.markerClusterGroup !== "function") return;
  const data = JSON.parse(source.textContent);
  const PLACED = {
    sentence: "where its own sentence says",
    paragraph: "at a place named in its paragraph (approximate)",
    dateline: "at the article's dateline (approximate)",
    article: "at the article's main place (approximate)",
  };

  const map = L.map(box, { worldCopyJump: true, minZoom: 1, maxZoom: 12 });
  // panes keep the basemap under the corridor and the corridor under the events, whatever loads first
  map.createPane("basemap").style.zIndex = 200;
  map.createPane("corridor").style.zIndex = 350;
  const [west, south, east, north] = data.bounds;
  map.on("zoomend", () => {
    box.dataset.zoom = String(map.getZoom());
  map.attributionControl.addAttribution("Made with Natural Earth");
  });
  map.fitBounds([
    [south, west],
    [north, east],
  ]);
  box.dataset.zoom = String(map.getZoom());

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(href, text) {
    const a = el("a", null, text);
    if (typeof href === "string" && href.startsWith("/")) a.href = href; // local pages only
    return a;
  }

  function popup(props) {
    const root = el("div", "map-popup");
    const head = el("p");
    head.append(el("span", "type type-" + props.type, props.type.replaceAll("_", " ")), " " + (props.date || "undated"));
    if (props.location) head.append(" · " + props.location);
    root.append(head);
    if (props.evidence) root.append(el("blockquote", "evidence", props.evidence));
    root.append(el("p", "muted placed", "Placed " + (PLACED[props.placed_by] || props.placed_by) + "."));
    const links = el("p");
    links.append(link(props.article, props.title), " · ", link(props.event, "event"));
    root.append(links);
    return root;
  }

  function eventMarker(feature, latlng) {
    const props = feature.properties;
    const approximate = props.placed_by !== "sentence";
    const marker = L.circleMarker(latlng, {
      radius: 7,
      color: "#222",
      weight: approximate ? 1.6 : 1,
      dashArray: approximate ? "3 2" : null,
      fillColor: data.colours[props.type] || "#333",
      fillOpacity: approximate ? 0.6 : 0.9,
      className: "event-marker type-" + props.type + (approximate ? " approximate" : ""),
    });
    marker.bindPopup(() => popup(props), { maxWidth: 360 });
    return marker;
  }

  const events = L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false });
  const hidden = new Set();
  function drawEvents() {
    events.clearLayers();
    events.addLayer(
      L.geoJSON(data.events, { pointToLayer: eventMarker, filter: (f) => !hidden.has(f.properties.type) }),
    );
  }
  drawEvents();
  events.addTo(map);

  const routes = L.layerGroup().addTo(map);
  const sites = L.layerGroup().addTo(map);
  L.control
    .layers(null, { Events: events, "Corridor routes": routes, "Project sites": sites }, { collapsed: false })
    .addTo(map);
  L.control.scale().addTo(map);

  function drawCountries(basemap) {
    for (const country of basemap.countries) {
      const rings = country.rings.map((ring) => ring.map(([lon, lat]) => [lat, lon]));
      L.polygon(rings, {
        pane: "basemap",
        color: "#a9a39a",
        weight: 0.6,
        fillColor: "#f4f1ea",
        fillOpacity: 1,
        interactive: false,
        className: "country",
      }).addTo(map);
    }
  }

  function drawCorridor(corridor) {
    corridor.alignments.forEach((alignment, i) => {
      const style = data.routes[i % data.routes.length];
      L.polyline(
        alignment.points.map((p) => [p.lat, p.lon]),
        {
          pane: "corridor",
          color: style.colour,
          weight: style.width,
          dashArray: style.dashes.length ? style.dashes.join(" ") : null,
          opacity: 0.85,
          className: "route",
        },
      )
        .bindTooltip(alignment.name + ": " + alignment.points.map((p) => p.name).join(" – "), { sticky: true })
        .addTo(routes);
    });
    for (const site of corridor.sites) {
      L.circleMarker([site.lat, site.lon], {
        pane: "corridor",
        radius: 4,
        color: "#333",
        weight: 1.2,
        fillColor: "#fff",
        fillOpacity: 1,
        className: "site",
      })
        .bindTooltip(site.name + " (" + site.kind.replaceAll("_", " ") + ", " + site.project + ")")
        .addTo(sites);
    }
  }

  function load(url, draw) {
    return fetch(url, { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      })
      .then(draw);
  }

  Promise.all([load("/static/countries-110m.json", drawCountries), load("/static/corridor.json", drawCorridor)]).then(
    () => {
      box.dataset.ready = "true";
    },
  );

  // the legend's checkboxes show or hide an event type here too
  document.addEventListener("change", (event) => {
    const check = event.target;
    if (!(check instanceof HTMLInputElement) || !check.classList.contains("type-toggle")) return;
    if (check.checked) hidden.delete(check.value);
    else hidden.add(check.value);
    drawEvents();
  });
})();
