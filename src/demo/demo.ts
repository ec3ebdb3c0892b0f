/**
 * The demo storefront's script (served as /demo.js): search → product → similar items, a known
 * shopper's history beside their recommendations, a cart with basket recommendations, and the
 * model card. Every recommendation list is an <edgerec-recommendations> element.
 */
import { barChart, lineChart, type BarGroup } from "./chart.ts";
import { api, type Item, type ModelCardResponse } from "./api.ts";
import { attachCombobox } from "./combobox.ts";
import { byId, clear, h, imageSrc, money } from "./dom.ts";
import { flushEvents, queueEvent } from "../browser-shared/event-beacon.ts";

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
  const table = byId("metrics");
  clear(table);
  table.appendChild(h("thead", {}, h("tr", {}, h("th", {}, "metric"), h("th", {}, "this model"))));
  const body = h("tbody");
  for (const [metric, value] of ours) {
    const shown = Number.isInteger(value) && value > 1 ? String(value) : value.toFixed(4);
    body.appendChild(h("tr", {}, h("td", {}, metric === card.headlineMetric ? `${metric} ★` : metric), h("td", {}, shown)));
  }
  if (ours.length === 0) body.appendChild(h("tr", {}, h("td", { colspan: "2" }, "No metrics recorded in this artifact")));
  table.appendChild(body);
  renderCandidates(card);

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
    const fitted = (card.candidates ?? []).filter((c) => !c.skipped && c.test);
    byId("chart-title").textContent = fitted.length > 1 ? "This store's candidate models on held-out data" : "Metrics on held-out data";
    // Rates only: counts such as the number of evaluated users do not belong on a 0–1 chart.
    const rates = ours.filter(([, value]) => value >= 0 && value <= 1);
    const groups: BarGroup[] = rates.map(([metric, value]) => ({
      metric,
      bars:
        fitted.length > 1
          ? fitted.filter((c) => c.test![metric] !== undefined).map((c) => ({ label: c.chosen ? `${c.family} (served)` : c.family, value: c.test![metric] }))
          : [{ label: "this model", value }],
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

/** The models training compared on this store's own data: validation chose, test reports. */
function renderCandidates(card: ModelCardResponse): void {
  const table = byId("candidates");
  clear(table);
  const rows = card.candidates ?? [];
  const note = byId("anchor-note");
  const source = card.trainedOn ? `Served model trained on ${card.trainedOn.interactions} interactions (${card.trainedOn.source}).` : "";
  if (rows.length === 0) {
    table.hidden = true;
    note.textContent = source;
    return;
  }
  table.hidden = false;
  const primary = card.candidatesPrimary || card.headlineMetric;
  const head = card.headlineMetric;
  table.appendChild(h("thead", {}, h("tr", {}, h("th", {}, "candidate"), h("th", {}, `validation ${primary}`), h("th", {}, `test ${head}`), h("th", {}, "fit s"))));
  const body = h("tbody");
  for (const c of rows) {
    const cells = c.skipped
      ? [h("td", {}, c.family), h("td", { colspan: "3" }, `skipped: ${c.skipped}`)]
      : [
          h("td", { title: c.description }, c.chosen ? `${c.family} ★` : c.family),
          h("td", {}, c.validation?.[primary] !== undefined ? c.validation[primary].toFixed(4) : "–"),
          h("td", {}, c.test?.[head] !== undefined ? c.test[head].toFixed(4) : "–"),
          h("td", {}, c.fitSeconds.toFixed(1)),
        ];
    body.appendChild(h("tr", c.chosen ? { class: "chosen" } : {}, ...cells));
  }
  table.appendChild(body);
  note.textContent = `★ served: the best of this store's candidates on the validation split; test columns only report. ${source}`;
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
