/**
 * Shadow DOM styles. Every visual choice reads a --edgerec-* custom property so a store can theme
 * the widget from its own stylesheet; ::part(card|title|price|image|heading|…) reaches the rest.
 */
export const styles = `
:host{display:block;min-width:0;max-width:100%;font:var(--edgerec-font,inherit);color:var(--edgerec-fg,inherit);--a:var(--edgerec-accent,#0b6bcb);--r:var(--edgerec-radius,10px);--w:var(--edgerec-card-width,180px);--g:var(--edgerec-gap,14px)}
:host([hidden]){display:none!important}
h2{font-size:var(--edgerec-heading-size,1.15em);margin:0 0 .6em;font-weight:650}
ul{list-style:none;margin:0;padding:2px 2px 8px;display:grid;gap:var(--g)}
.grid ul{grid-template-columns:repeat(auto-fill,minmax(min(var(--w),calc(50% - var(--g))),1fr))}
.carousel ul{grid-auto-flow:column;grid-auto-columns:var(--w);overflow-x:auto;scroll-snap-type:x mandatory;scrollbar-width:thin}
li{scroll-snap-align:start;min-width:0}
.rail{position:relative}
.nav{position:absolute;top:calc(var(--w) / 2 - 18px);width:36px;height:36px;border-radius:50%;border:1px solid var(--edgerec-border,#e3e6ea);background:var(--edgerec-bg,#fff);color:var(--edgerec-fg,#1d2939);font-size:22px;line-height:1;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.15)}
.nav[hidden]{display:none}.prev{left:-6px}.next{right:-6px}
.nav:hover,.nav:focus-visible{border-color:var(--a);color:var(--a)}
a{display:flex;flex-direction:column;gap:4px;height:100%;box-sizing:border-box;padding:10px;border:1px solid var(--edgerec-border,#e3e6ea);border-radius:var(--r);background:var(--edgerec-bg,#fff);color:inherit;text-decoration:none;transition:box-shadow .15s,border-color .15s}
a:hover,a:focus-visible{border-color:var(--a);box-shadow:0 2px 10px rgba(0,0,0,.08);outline:none}
a:focus-visible{outline:2px solid var(--a);outline-offset:2px}
img,.ph{width:100%;height:auto;aspect-ratio:1;object-fit:contain;border-radius:calc(var(--r) - 4px);background:var(--edgerec-image-bg,#f4f5f7)}
.t{font-size:.92em;line-height:1.3;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.b,.why{font-size:.78em;color:var(--edgerec-muted,#667085)}
.p{font-weight:650;color:var(--edgerec-price,inherit);margin-top:auto}
.sk a{border-color:transparent}
.sk .ph,.sk .t,.sk .p{background:linear-gradient(90deg,#eceef1 25%,#f6f7f9 50%,#eceef1 75%);background-size:300% 100%;animation:s 1.2s infinite;border-radius:6px}
.sk .t{height:2.4em}.sk .p{height:1.1em;width:45%}
@keyframes s{to{background-position:-150% 0}}
@media (prefers-reduced-motion:reduce){.sk .ph,.sk .t,.sk .p{animation:none}a{transition:none}}
`;
