/**
 * The demo storefront at `/`: a static shell (no external network: system fonts, inline styles,
 * images come from the artifact as data URIs) that /demo.js fills in. The recommendations on it
 * are all <edgerec-recommendations> elements, exactly as a store would embed them.
 */
const css = `
:root{--ink:#1d2939;--muted:#667085;--line:#e4e7ec;--bg:#f6f7f9;--accent:#0b6bcb;--edgerec-accent:var(--accent);font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0}
header{background:#101828;color:#fff;padding:14px 28px;display:flex;align-items:center;gap:16px;flex-wrap:wrap}
header h1{font-size:1.25rem;margin:0;font-weight:700;letter-spacing:.2px}
header .tag{font-size:.8rem;color:#d0d5dd}
header .chip{margin-left:auto;font:12px ui-monospace,monospace;background:#1d2939;border:1px solid #344054;border-radius:999px;padding:4px 10px;color:#d0d5dd}
main{max-width:1180px;margin:0 auto;padding:20px 28px 60px;display:grid;gap:20px}
main>*,.two>*,.card-grid>*{min-width:0}
section.panel{background:#fff;border:1px solid var(--line);border-radius:14px;padding:18px 20px}
section.panel>h2{font-size:1.05rem;margin:0 0 12px}
.hint{color:var(--muted);font-size:.9rem;margin:0 0 10px}
.combo{position:relative;max-width:560px}
.combo input{width:100%;box-sizing:border-box;font:inherit;padding:11px 14px;border:1px solid #d0d5dd;border-radius:10px;outline:none}
.combo input:focus{border-color:var(--accent);box-shadow:0 0 0 3px #0b6bcb22}
.combo ul{position:absolute;z-index:5;left:0;right:0;top:calc(100% + 4px);margin:0;padding:4px;list-style:none;background:#fff;border:1px solid var(--line);border-radius:10px;box-shadow:0 8px 24px #1018281f;max-height:340px;overflow:auto}
.combo li{display:flex;gap:10px;align-items:center;padding:6px 8px;border-radius:8px;cursor:pointer}
.combo li[aria-selected=true],.combo li:hover{background:#eef4ff}
.combo li img{width:34px;height:34px;border-radius:6px;background:var(--bg)}
.combo li .m{color:var(--muted);font-size:.8rem}
.product{display:grid;grid-template-columns:180px 1fr;gap:18px;align-items:start;margin:16px 0}
.product img{width:180px;height:180px;border-radius:12px;background:var(--bg);object-fit:contain}
.product h3{margin:0 0 4px;font-size:1.2rem}
.product .meta{color:var(--muted);font-size:.9rem;margin:2px 0}
.product .price{font-size:1.2rem;font-weight:700;margin:8px 0}
button{font:inherit;cursor:pointer;border-radius:9px;border:1px solid var(--accent);background:var(--accent);color:#fff;padding:8px 14px}
button.ghost{background:#fff;color:var(--accent)}
button.small{padding:3px 9px;font-size:.82rem}
select{font:inherit;padding:9px 12px;border:1px solid #d0d5dd;border-radius:10px;min-width:260px;background:#fff}
.two{display:grid;grid-template-columns:minmax(220px,300px) 1fr;gap:20px;margin-top:14px}
.mini{list-style:none;margin:0;padding:0;display:grid;gap:6px}
.mini li{display:flex;gap:10px;align-items:center;font-size:.88rem;padding:4px;border-radius:8px}
.mini img{width:38px;height:38px;border-radius:6px;background:var(--bg);flex:none}
.mini .t{flex:1;min-width:0}
.mini .m{color:var(--muted);font-size:.78rem}
.empty{color:var(--muted);font-style:italic;font-size:.9rem}
.card-grid{display:grid;grid-template-columns:1.15fr 1fr;gap:24px}
.card-grid>div:first-child{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{text-align:right;padding:6px 8px;border-bottom:1px solid var(--line)}
th:first-child,td:first-child{text-align:left}
thead th{color:var(--muted);font-weight:600;font-size:.78rem;vertical-align:bottom}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 14px;margin:0 0 12px;font-size:.9rem}
dt{color:var(--muted)}dd{margin:0;font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-all}
.chart svg{width:100%;height:auto}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:.8rem;color:var(--muted);margin-top:6px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.error{color:#b42318}
@media (max-width:760px){.two,.card-grid,.product{grid-template-columns:1fr}main{padding:12px 10px 40px}header{padding:12px 14px}section.panel{padding:14px 12px}}
`;

export function demoPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgerec — demo store</title>
<link rel="icon" href="data:,">
<style>${css}</style>
<script type="module" src="/widget.js"></script>
<script type="module" src="/demo.js"></script>
</head>
<body>
<header>
  <h1>edgerec demo store</h1>
  <span class="tag">recommendations served at the edge from one artifact</span>
  <span class="chip" id="version-chip">loading model…</span>
</header>
<main>
  <p id="status" class="error" role="alert" hidden></p>
  <section class="panel" aria-labelledby="find-h">
    <h2 id="find-h">Find a product</h2>
    <p class="hint">Type part of a product title, then pick one to see what shoppers like it also bought.</p>
    <div class="combo">
      <input id="search" type="search" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="search-results" placeholder="Search products, e.g. “tea”" autocomplete="off">
      <ul id="search-results" role="listbox" aria-label="Matching products" hidden></ul>
    </div>
    <div id="product" hidden></div>
    <edgerec-recommendations id="similar" k="8" heading="Popular right now" reasons></edgerec-recommendations>
  </section>
  <section class="panel" aria-labelledby="user-h">
    <h2 id="user-h">Shop as a known customer</h2>
    <p class="hint">Pick a shopper from the training data: their history is on the left, their recommendations beside it.</p>
    <label for="user-select" class="hint">Shopper </label><select id="user-select"><option value="">Choose a shopper…</option></select>
    <div class="two" id="user-view" hidden>
      <div><h3 class="hint">Recently bought / rated</h3><ul class="mini" id="history"></ul></div>
      <div id="user-slot"></div>
    </div>
  </section>
  <section class="panel" aria-labelledby="cart-h">
    <h2 id="cart-h">Your cart</h2>
    <ul class="mini" id="cart"></ul>
    <p class="empty" id="cart-empty">The cart is empty: add products from the search above.</p>
    <button type="button" id="buy" hidden>Buy</button>
    <div id="basket-slot"></div>
  </section>
  <section class="panel" aria-labelledby="model-h">
    <h2 id="model-h">Model card</h2>
    <div class="card-grid">
      <div><dl id="model-facts"></dl><table id="metrics"></table><table id="candidates" hidden></table><p class="hint" id="anchor-note"></p></div>
      <div class="chart"><h3 class="hint" id="chart-title">Training</h3><div id="chart"></div></div>
    </div>
  </section>
</main>
</body>
</html>`;
}
