import { describe, expect, it } from "vitest";
import { categoryPath, cleanText, cleanTitle, decodeEntities, parsePrice } from "../../../trainer/data/item-fields.ts";

describe("catalogue field cleaning", () => {
  it("keeps clean titles, decodes entities, strips complete tags", () => {
    expect(cleanTitle("Coffee &amp; Tea")).toEqual({ value: "Coffee & Tea" });
    expect(cleanTitle("<b>Dark</b>   roast")).toEqual({ value: "Dark roast" });
    expect(cleanTitle("Vacuum --- 12 Month Warranty &gt;&gt;&gt; THT")).toEqual({ value: "Vacuum --- 12 Month Warranty >>> THT" });
    expect(cleanTitle("")).toEqual({});
    expect(cleanTitle(undefined)).toEqual({});
  });

  it("refuses HTML fragments as titles (the Magazine metadata)", () => {
    expect(cleanTitle('<span class="a-size-medium a-color-secondary"').problem).toMatch(/HTML fragment/);
    expect(cleanTitle(' Magazines" />').problem).toMatch(/HTML fragment/);
    expect(cleanTitle("\n\n\n<script").problem).toMatch(/HTML fragment/);
  });

  it("parses prices and refuses CSS/JS text", () => {
    expect(parsePrice("$25.00")).toEqual({ value: 25 });
    expect(parsePrice("$1,299.99")).toEqual({ value: 1299.99 });
    expect(parsePrice("$10.99 - $15.99")).toEqual({ value: 10.99 });
    expect(parsePrice(7)).toEqual({ value: 7 });
    expect(parsePrice("")).toEqual({});
    expect(parsePrice(undefined)).toEqual({});
    expect(parsePrice(".a-box-inner{background-color:#fff}#alohaBuyBoxWidget .selected{background-color").problem).toMatch(/not a price/);
    expect(parsePrice('<div class="a-section a-spacing-none"').problem).toMatch(/not a price/);
    expect(parsePrice(-3).problem).toBeDefined();
  });

  it("cleans descriptions and category paths", () => {
    expect(cleanText(["<p>Strong</p>", "and dark"])).toBe("Strong and dark");
    expect(cleanText("<script>var x = 1;</script>")).toBeUndefined();
    expect(categoryPath(["Grocery &amp; Gourmet Food", "", "<img src=x>", "Coffee"])).toEqual(["Grocery & Gourmet Food", "Coffee"]);
    expect(decodeEntities("&#233;&#x41;&nbsp;&bogus;")).toBe("éA &bogus;");
  });
});
