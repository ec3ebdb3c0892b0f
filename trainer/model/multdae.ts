import type { CsrMatrix } from "../data/matrix.ts";
import { shuffle, type Rng } from "../util/rng.ts";
import { historyOf, numberParam, positiveRows, requireFitted } from "./model-helpers.ts";
import type { FitInput, Recommender } from "./model.ts";

/**
 * Mult-DAE's settings unless told otherwise: Liang et al.'s dropout on a hidden layer of 200;
 * learning rate and L2 decay from a 3-fold ML-100k validation sweep (without decay it overfits
 * after ~60 epochs; 0.005 held its validation peak to 100). Tuning replaces `epochs` by early stopping.
 */
export const MULTDAE_DEFAULTS = { hidden: 200, epochs: 100, dropout: 0.5, learningRate: 0.001, l2: 0.005, batchSize: 100 };

/**
 * Mult-DAE (Liang et al. 2018, "Variational Autoencoders for Collaborative Filtering"): a
 * denoising autoencoder of a user's whole history with a multinomial likelihood. The input is
 * the history with items dropped at random, L2-normalised; one tanh layer encodes it, a
 * softmax over the catalogue decodes it, and the loss is −Σ log p(item) over the history,
 * trained with Adam on mini-batches of users. The tanh layer makes it the one non-linear
 * view among our models, so it errs unlike EASE's and the factor models' linear ones.
 *
 * Costs hidden × items per user per epoch (dense decoder), so it suits catalogues EASE suits.
 */
export class MultDaeModel implements Recommender {
  readonly name = "multdae";
  readonly hidden: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly dropout: number;
  readonly l2: number;
  readonly batchSize: number;
  private train?: CsrMatrix;
  private net?: DaeNet;

  constructor(params: Record<string, unknown> = {}) {
    const d = MULTDAE_DEFAULTS;
    this.hidden = numberParam(params, "hidden", d.hidden, this.name, 1);
    this.epochs = numberParam(params, "epochs", d.epochs, this.name, 0);
    this.learningRate = numberParam(params, "learningRate", d.learningRate, this.name, 0);
    this.dropout = numberParam(params, "dropout", d.dropout, this.name, 0);
    this.l2 = numberParam(params, "l2", d.l2, this.name, 0);
    this.batchSize = numberParam(params, "batchSize", d.batchSize, this.name, 1);
    if (!Number.isInteger(this.hidden) || !Number.isInteger(this.epochs) || !Number.isInteger(this.batchSize)) {
      throw new RangeError(`${this.name}: hidden, epochs and batchSize must be integers, got ${this.hidden}, ${this.epochs} and ${this.batchSize}`);
    }
    if (this.dropout >= 1) throw new RangeError(`${this.name}: dropout must be below 1 (the share of history items dropped), got ${this.dropout}`);
  }

  async fit(input: FitInput): Promise<void> {
    const x = positiveRows(input.interactions);
    const net = new DaeNet(x.nCols, this.hidden, input.rng);
    const order = Int32Array.from({ length: x.nRows }, (_, u) => u);
    const grads = net.zeros();
    const adam = new Adam(net, this.learningRate);
    for (let epoch = 1; epoch <= this.epochs; epoch++) {
      shuffle(order, input.rng);
      let loss = 0;
      for (let start = 0; start < order.length; start += this.batchSize) {
        const end = Math.min(order.length, start + this.batchSize);
        grads.clear();
        for (let b = start; b < end; b++) {
          const u = order[b];
          loss += net.backward(x.indices.subarray(x.indptr[u], x.indptr[u + 1]), this.dropout, input.rng, grads);
        }
        grads.scale(1 / (end - start));
        grads.addDecay(net, this.l2);
        adam.step(grads);
      }
      this.net = net;
      this.train = x;
      if ((await input.onEpoch?.(epoch, { loss: loss / Math.max(1, x.nRows) })) === true) break;
    }
    this.net = net;
    this.train = x;
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    const net = requireFitted(this.net, this.name);
    const hist = historyOf(this.train, user, history).filter((i) => i >= 0 && i < net.items);
    net.forward(hist, out);
  }

  params(): Record<string, unknown> {
    return { hidden: this.hidden, epochs: this.epochs, learningRate: this.learningRate, dropout: this.dropout, l2: this.l2, batchSize: this.batchSize };
  }
}

/** The weights: encoder rows per item (a sparse history gathers them), decoder rows per item. Exported for the gradient check. */
export class DaeNet {
  readonly encoder: Float32Array;
  readonly encoderBias: Float32Array;
  readonly decoder: Float32Array;
  readonly decoderBias: Float32Array;
  private readonly h: Float32Array;
  private readonly dh: Float32Array;
  private readonly logits: Float32Array;
  /** Which history items survived dropout (grown to the longest history seen). */
  private kept = new Uint8Array(0);

  constructor(
    readonly items: number,
    readonly hidden: number,
    rng?: Rng,
  ) {
    // Xavier-uniform, as the paper's reference code.
    const init = (n: number, fanIn: number, fanOut: number) => {
      const a = Math.sqrt(6 / (fanIn + fanOut));
      return rng ? Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * a) : new Float32Array(n);
    };
    this.encoder = init(items * hidden, items, hidden);
    this.encoderBias = new Float32Array(hidden);
    this.decoder = init(items * hidden, hidden, items);
    this.decoderBias = new Float32Array(items);
    this.h = new Float32Array(hidden);
    this.dh = new Float32Array(hidden);
    this.logits = new Float32Array(items);
  }

  zeros(): Grads {
    return new Grads(this.items, this.hidden);
  }

  /** Logits for a history (no dropout) into out. */
  forward(history: ArrayLike<number>, out: Float32Array): void {
    this.encode(history, null);
    this.decode(out);
  }

  /** One user's gradient added into g; returns the multinomial log-loss. */
  backward(history: Int32Array, dropout: number, rng: Rng, g: Grads): number {
    if (this.kept.length < history.length) this.kept = new Uint8Array(history.length);
    const kept = this.kept;
    let nKept = 0;
    for (let p = 0; p < history.length; p++) {
      const keep = dropout === 0 || rng.next() >= dropout;
      kept[p] = keep ? 1 : 0;
      if (keep) nKept++;
    }
    const scale = this.encode(history, kept);
    const logits = this.logits;
    this.decode(logits);
    // softmax over the catalogue
    let max = -Infinity;
    for (let i = 0; i < this.items; i++) if (logits[i] > max) max = logits[i];
    let sum = 0;
    for (let i = 0; i < this.items; i++) {
      logits[i] = Math.exp(logits[i] - max);
      sum += logits[i];
    }
    const total = history.length;
    let loss = 0;
    for (let p = 0; p < history.length; p++) loss -= Math.log(logits[history[p]] / sum + 1e-12);
    // d loss / d logit_i = N·softmax_i − x_i
    for (let i = 0; i < this.items; i++) logits[i] = (total * logits[i]) / sum;
    for (let p = 0; p < history.length; p++) logits[history[p]] -= 1;
    const H = this.hidden;
    const h = this.h;
    const dh = this.dh;
    dh.fill(0);
    const dec = this.decoder;
    const gDec = g.decoder;
    for (let i = 0; i < this.items; i++) {
      const e = logits[i];
      g.decoderBias[i] += e;
      const row = i * H;
      for (let k = 0; k < H; k++) {
        gDec[row + k] += e * h[k];
        dh[k] += e * dec[row + k];
      }
    }
    for (let k = 0; k < H; k++) {
      dh[k] *= 1 - h[k] * h[k];
      g.encoderBias[k] += dh[k];
    }
    if (nKept > 0) {
      for (let p = 0; p < history.length; p++) {
        if (kept[p] === 0) continue;
        const row = history[p] * H;
        for (let k = 0; k < H; k++) g.encoder[row + k] += scale * dh[k];
      }
    }
    return loss;
  }

  /** h = tanh(Σ kept encoder rows · scale + bias); returns the input scale (1/‖x‖ / keep-rate). */
  private encode(history: ArrayLike<number>, kept: Uint8Array | null): number {
    const H = this.hidden;
    const h = this.h;
    h.set(this.encoderBias);
    let n = 0;
    for (let p = 0; p < history.length; p++) if (!kept || kept[p] !== 0) n++;
    if (n === 0) {
      for (let k = 0; k < H; k++) h[k] = Math.tanh(h[k]);
      return 0;
    }
    // The paper normalises the (dropped-out) input to unit length.
    const scale = 1 / Math.sqrt(n);
    for (let p = 0; p < history.length; p++) {
      if (kept && kept[p] === 0) continue;
      const row = history[p] * H;
      for (let k = 0; k < H; k++) h[k] += scale * this.encoder[row + k];
    }
    for (let k = 0; k < H; k++) h[k] = Math.tanh(h[k]);
    return scale;
  }

  private decode(out: Float32Array): void {
    const H = this.hidden;
    const h = this.h;
    const dec = this.decoder;
    const n = Math.min(out.length, this.items);
    for (let i = 0; i < n; i++) {
      let v = this.decoderBias[i];
      const row = i * H;
      for (let k = 0; k < H; k++) v += h[k] * dec[row + k];
      out[i] = v;
    }
    for (let i = n; i < out.length; i++) out[i] = -Infinity;
  }
}

export class Grads {
  readonly encoder: Float32Array;
  readonly encoderBias: Float32Array;
  readonly decoder: Float32Array;
  readonly decoderBias: Float32Array;
  constructor(items: number, hidden: number) {
    this.encoder = new Float32Array(items * hidden);
    this.encoderBias = new Float32Array(hidden);
    this.decoder = new Float32Array(items * hidden);
    this.decoderBias = new Float32Array(items);
  }
  parts(): Float32Array[] {
    return [this.encoder, this.encoderBias, this.decoder, this.decoderBias];
  }
  clear(): void {
    for (const p of this.parts()) p.fill(0);
  }
  scale(s: number): void {
    for (const p of this.parts()) for (let i = 0; i < p.length; i++) p[i] *= s;
  }
  /** L2 on the weight matrices (not the biases). */
  addDecay(net: DaeNet, l2: number): void {
    if (l2 === 0) return;
    for (const [g, w] of [
      [this.encoder, net.encoder],
      [this.decoder, net.decoder],
    ] as const) {
      for (let i = 0; i < g.length; i++) g[i] += l2 * w[i];
    }
  }
}

class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  private readonly params: Float32Array[];
  constructor(
    net: DaeNet,
    private readonly lr: number,
  ) {
    this.params = [net.encoder, net.encoderBias, net.decoder, net.decoderBias];
    this.m = this.params.map((p) => new Float32Array(p.length));
    this.v = this.params.map((p) => new Float32Array(p.length));
  }
  step(g: Grads): void {
    const b1 = 0.9;
    const b2 = 0.999;
    this.t++;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    const lr = (this.lr * Math.sqrt(c2)) / c1;
    g.parts().forEach((grad, k) => {
      const p = this.params[k];
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < p.length; i++) {
        const gi = grad[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= (lr * m[i]) / (Math.sqrt(v[i]) + 1e-8);
      }
    });
  }
}
