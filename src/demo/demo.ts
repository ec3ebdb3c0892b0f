/**
 * The demo storefront's script (served as /demo.js): search → product → similar items, a known
 * shopper's history beside their recommendations, a cart with basket recommendations, and the
 * model card. Every recommendation list is an <edgerec-recommendations> element.
 */
import { ANCHORS, normaliseMetric } from "./anchors.ts";
import { barChart, lineChart, type BarGroup } from "./chart.ts";
import { api, type Item, type ModelCardResponse } from "./client.ts";
import { attachCombobox } from "./combobox.ts";
import { byId, clear, h, imageSrc, money } from "./dom.ts";
import { flushEvents, queueEvent } from "../widget/beacon.ts";

const cart: Item[] = [];

function showStatus(message: string): void {
  const status = byId("status");
  status.textContent = message;
  status.hidden = false;
}

function widget(attrs: Record<string, string>): HTMLElement {
  const el = document.createElement("edgerec-recommendations");
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function miniItem(item: Item, action?: HTMLElement): HTMLLIElement {
  return h(
    "li",
    { "data-id": item.id },
    h("img", { src: imageSrc(item.image), alt: item.title }),
    h("span", { class: "t" }, item.title, h("br"), h("span", { class: "m" }, [item.brand, money(item.price)].filter(Boolean).join(" · "))),
    action ?? null,
  );
}

/** Sends a shopper event to this worker's POST /v1/events, as the chosen shopper (else this tab's session). */
function send(type: string, item: Item): void {
  const user = (byId("user-select") as unknown as HTMLSelectElement).value || undefined;
  queueEvent("", { type, item: item.id, user, price: item.price ?? undefined, quantity: type === "add_to_cart" || type === "purchase" ? 1 : undefined });
}

function selectProduct(item: Item): void {
  send("view", item);
  (byId("search") as HTMLInputElement).value = item.title;
  const panel = byId("product");
  clear(panel);
  const add = h("button", { type: "button", id: "add-to-cart" }, "Add to cart");
  add.addEventListener("click", () => addToCart(item));
  panel.appendChild(
    h(
      "div",
      { class: "product", "data-id": item.id },
      h("img", { src: imageSrc(item.image), alt: item.title }),
      h(
        "div",
        {},
        h("h3", {}, item.title),
        item.brand ? h("p", { class: "meta" }, `by ${item.brand}`) : null,
        item.category ? h("p", { class: "meta" }, item.category) : null,
        h("p", { class: "price" }, money(item.price)),
        add,
      ),
    ),
  );
  panel.hidden = false;
  const similar = byId("similar");
  similar.setAttribute("heading", `Similar to ${item.title}`);
  similar.setAttribute("item", item.id);
}

function renderCart(): void {
  const list = byId("cart");
  clear(list);
  cart.forEach((item, index) => {
    const remove = h("button", { type: "button", class: "ghost small", "aria-label": `Remove ${item.title}` }, "Remove");
    remove.addEventListener("click", () => {
      cart.splice(index, 1);
      renderCart();
    });
    list.appendChild(miniItem(item, remove));
  });
  byId("cart-empty").hidden = cart.length > 0;
  byId("buy").hidden = cart.length === 0;
  const slot = byId("basket-slot");
  if (cart.length === 0) return clear(slot);
  const ids = cart.map((i) => i.id).join(",");
  const existing = slot.querySelector("edgerec-recommendations");
  if (existing) existing.setAttribute("items", ids);
  else slot.appendChild(widget({ id: "basket", items: ids, k: "8", heading: "Complete your basket", reasons: "" }));
}

function addToCart(item: Item): void {
  if (!cart.some((c) => c.id === item.id)) {
    cart.push(item);
    send("add_to_cart", item);
  }
  renderCart();
}

function buy(): void {
  for (const item of cart) send("purchase", item);
  flushEvents();
  const bought = cart.length;
  cart.length = 0;
  renderCart();
  byId("cart-empty").textContent = `Thank you: ${bought} item${bought === 1 ? "" : "s"} bought (recorded by POST /v1/events).`;
}

async function selectUser(id: string): Promise<void> {
  const view = byId("user-view");
  const slot = byId("user-slot");
  if (!id) {
    view.hidden = true;
    return clear(slot);
  }
  view.hidden = false;
  const existing = slot.querySelector("edgerec-recommendations");
  if (existing) existing.setAttribute("user", id);
  else slot.appendChild(widget({ id: "for-user", user: id, k: "8", layout: "grid", heading: "Recommended for this shopper", reasons: "" }));
  const history = byId("history");
  clear(history);
  try {
    const { items } = await api.history(id);
    for (const item of items) history.appendChild(miniItem(item));
    if (items.length === 0) history.appendChild(h("li", { class: "empty" }, "No stored history"));
  } catch (err) {
    history.appendChild(h("li", { class: "empty" }, `History unavailable: ${(err as Error).message}`));
  }
}

function renderModelCard(card: ModelCardResponse): void {
  byId("version-chip").textContent = `model ${card.version}`;
  const facts = byId("model-facts");
  clear(facts);
  const params = Object.entries(card.model.params ?? {})
    .filter(([, v]) => typeof v !== "object")
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  for (const [k, v] of [
    ["Version", card.version],
    ["Built", card.createdAt],
    ["Model", card.model.type],
    ["Parameters", params || "–"],
    ["Catalogue", `${card.counts.items} items · ${card.counts.users} shoppers · ${card.counts.categories} categories`],
  ]) {
    facts.appendChild(h("dt", {}, k));
    facts.appendChild(h("dd", {}, v));
  }

  const ours = Object.entries(card.metrics ?? {});
  const anchors = ANCHORS.filter((a) => ours.some(([m]) => normaliseMetric(m) in a.metrics));
  const table = byId("metrics");
  clear(table);
  table.appendChild(
    h("thead", {}, h("tr", {}, h("th", {}, "metric"), h("th", {}, "this model"), ...anchors.map((a) => h("th", { title: a.dataset }, `${a.label} (${a.dataset})`)))),
  );
  const body = h("tbody");
  for (const [metric, value] of ours) {
    const key = normaliseMetric(metric);
    const shown = Number.isInteger(value) && value > 1 ? String(value) : value.toFixed(4);
    const row = h("tr", {}, h("td", {}, metric === card.headlineMetric ? `${metric} ★` : metric), h("td", {}, shown));
    for (const a of anchors) row.appendChild(h("td", {}, a.metrics[key] !== undefined ? a.metrics[key].toFixed(4) : "–"));
    body.appendChild(row);
  }
  if (ours.length === 0) body.appendChild(h("tr", {}, h("td", { colspan: "2" }, "No metrics recorded in this artifact")));
  table.appendChild(body);
  byId("anchor-note").textContent = anchors.length
    ? "Reference columns: LightFM and baselines measured on public datasets (ANCHORS.md); on other data they show scale, not a like-for-like score."
    : "";

  const chart = byId("chart");
  clear(chart);
  const legendOf = (items: { name: string; colour: string; range?: string }[]) =>
    h("div", { class: "legend" }, ...items.map((l) => h("span", {}, h("i", { style: `background:${l.colour}` }), l.range ? `${l.name} ${l.range}` : l.name)));
  const training = card.training ?? [];
  if (training.length >= 2) {
    byId("chart-title").textContent = `Training history (${training.length} epochs, each series on its own scale)`;
    const names = [...new Set(training.flatMap((p) => Object.keys(p)))].filter((n) => n !== "epoch").slice(0, 5);
    const series = names.map((name) => ({ name, values: training.map((p) => p[name]).filter((v) => typeof v === "number") }));
    const { svg, legend } = lineChart(series.filter((x) => x.values.length >= 2), "epoch");
    chart.appendChild(svg);
    chart.appendChild(legendOf(legend));
  } else if (ours.length > 0) {
    byId("chart-title").textContent = "Metrics beside the anchors";
    // Rates only: counts such as the number of evaluated users do not belong on a 0–1 chart.
    const rates = ours.filter(([, value]) => value >= 0 && value <= 1);
    const groups: BarGroup[] = rates.map(([metric, value]) => ({
      metric,
      bars: [
        { label: "this model", value },
        ...anchors
          .filter((a) => a.metrics[normaliseMetric(metric)] !== undefined)
          .map((a) => ({ label: `${a.label} · ${a.dataset}`, value: a.metrics[normaliseMetric(metric)] })),
      ],
    }));
    const { svg, legend } = barChart(groups);
    chart.appendChild(svg);
    chart.appendChild(legendOf(legend));
  } else {
    byId("chart-title").textContent = "Training";
    chart.appendChild(
      h("p", { class: "empty" }, "This artifact records no evaluation metrics or training history; `edgerec train` evaluates on held-out data and records the metrics here."),
    );
  }
}

async function start(): Promise<void> {
  attachCombobox(
    byId<HTMLInputElement>("search"),
    byId<HTMLUListElement>("search-results"),
    async (q, signal) => (await api.search(q, signal)).items,
    selectProduct,
  );

  // Inside the demo a click on a recommendation opens that product here instead of following its link.
  document.addEventListener("edgerec:click", (event) => {
    const { id } = (event as CustomEvent<{ id: string }>).detail;
    event.preventDefault();
    api.item(id).then(
      ({ item }) => {
        selectProduct(item);
        byId("product").scrollIntoView({ behavior: "smooth", block: "start" });
      },
      (err: Error) => showStatus(err.message),
    );
  });

  const select = byId("user-select") as unknown as HTMLSelectElement;
  select.addEventListener("change", () => void selectUser(select.value));
  byId("buy").addEventListener("click", buy);
  renderCart();

  const [card, users] = await Promise.allSettled([api.modelCard(), api.users()]);
  if (card.status === "fulfilled") renderModelCard(card.value);
  else showStatus(`The model is not available: ${(card.reason as Error).message}`);
  if (users.status === "fulfilled") {
    for (const u of users.value.users) select.appendChild(h("option", { value: u.id }, `${u.id} (${u.historyLength} items)`));
  }
}

void start();
