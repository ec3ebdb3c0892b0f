import { describe, expect, it } from "vitest";
import { categoryPath, checkedUrl, cleanText, cleanTitle, decodeEntities, parsePrice } from "../../../trainer/data/item-fields.ts";

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

describe("hostile catalogue values", () => {
  it("decodes entities before looking for markup: encoded tags are refused or stripped like plain ones", () => {
    expect(cleanTitle("&lt;img src=x onerror=alert(1)&gt;").problem).toMatch(/HTML fragment/);
    expect(cleanTitle("&amp;lt;img src=x onerror=alert(1)&amp;gt;").problem).toMatch(/HTML fragment/);
    expect(cleanTitle("Mug &lt;img src=x onerror=alert(1)&gt; blue")).toEqual({ value: "Mug blue" });
    expect(cleanTitle("&#60;script&#62;alert(1)&#60;/script&#62;").problem).toMatch(/HTML fragment/);
    expect(cleanText("Nice &lt;script&gt;alert(1)&lt;/script&gt; mug, dishwasher safe and large enough")).toBe("Nice mug, dishwasher safe and large enough");
    expect(categoryPath(["Home", "&lt;b onmouseover=alert(1)&gt;Kitchen&lt;/b&gt;"])).toEqual(["Home", "Kitchen"]);
    // Text with a bare angle bracket is still text.
    expect(cleanTitle("Size 5 &lt; 6")).toEqual({ value: "Size 5 < 6" });
  });

  it("keeps http(s) image and product URLs (and inline images) and drops every other scheme, reporting it", () => {
    const problems: string[] = [];
    const report = (r: string) => problems.push(r);
    expect(checkedUrl("https://shop.example/p/1", "url", report)).toBe("https://shop.example/p/1");
    expect(checkedUrl(" http://img.example/1.jpg ", "image", report)).toBe("http://img.example/1.jpg");
    expect(checkedUrl("data:image/png;base64,iVBORw0KGgo=", "image", report)).toBe("data:image/png;base64,iVBORw0KGgo=");
    expect(problems).toEqual([]);
    for (const hostile of ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x", "java\tscript:alert(1)"]) {
      expect(checkedUrl(hostile, "url", report)).toBeUndefined();
      expect(checkedUrl(hostile, "image", report)).toBeUndefined();
    }
    expect(checkedUrl("data:image/png;base64,AAAA", "url", report)).toBeUndefined();
    expect(problems).toHaveLength(13);
    expect(problems[0]).toMatch(/url "javascript:alert\(1\)" is not an http\(s\) URL; dropped/);
  });
});
