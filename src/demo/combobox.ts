/**
 * The product search box: an ARIA combobox (input + listbox) with debounced requests,
 * arrow-key navigation, Enter to choose, Escape to close. Stale responses are dropped.
 */
import type { Item } from "./api.ts";
import { clear, h, imageSrc, money } from "./dom.ts";

export function attachCombobox(
  input: HTMLInputElement,
  list: HTMLUListElement,
  search: (q: string, signal: AbortSignal) => Promise<Item[]>,
  onChoose: (item: Item) => void,
): void {
  let items: Item[] = [];
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;

  const close = () => {
    items = [];
    clear(list);
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const highlight = (index: number) => {
    active = index;
    list.querySelectorAll("li").forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", `search-option-${index}`);
  };

  const choose = (index: number) => {
    const item = items[index];
    if (!item) return;
    input.value = item.title;
    close();
    onChoose(item);
  };

  const show = (found: Item[]) => {
    items = found;
    clear(list);
    found.forEach((item, i) => {
      const li = h(
        "li",
        { role: "option", id: `search-option-${i}`, "aria-selected": "false", "data-id": item.id },
        h("img", { src: imageSrc(item.image), alt: "" }),
        h("span", {}, h("span", {}, item.title), h("br"), h("span", { class: "m" }, [item.brand, money(item.price)].filter(Boolean).join(" · "))),
      );
      li.addEventListener("mousedown", (e) => {
        e.preventDefault(); // keep focus in the input
        choose(i);
      });
      list.appendChild(li);
    });
    if (found.length === 0) list.appendChild(h("li", { class: "m", "aria-disabled": "true" }, "No product matches"));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(found.length > 0 ? 0 : -1);
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) return close();
    timer = setTimeout(async () => {
      controller?.abort();
      const mine = (controller = new AbortController());
      try {
        const found = await search(q, mine.signal);
        if (mine === controller) show(found);
      } catch {
        if (mine === controller) close();
      }
    }, 120);
  });

  input.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = items.length;
      if (n > 0) highlight((active + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
    } else if (e.key === "Enter") {
      e.preventDefault();
      choose(active);
    } else if (e.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}
