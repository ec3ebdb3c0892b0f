import { describe, expect, it } from "vitest";
import { DaeNet, MULTDAE_DEFAULTS, MultDaeModel } from "../../../trainer/model/multdae.ts";
import { createModel } from "../../../trainer/model/registry.ts";
import { MULTDAE_TUNE_DEFAULTS } from "../../../trainer/tune/search.ts";
import { createRng } from "../../../trainer/util/rng.ts";

describe("multdae", () => {
  it("back-propagates the exact gradient of the multinomial log-loss (finite differences)", () => {
    const net = new DaeNet(7, 3, createRng(4));
    const history = Int32Array.from([1, 4, 5]);
    const rng = createRng(0);
    const loss = () => net.backward(history, 0, rng, net.zeros());
    const grads = net.zeros();
    net.backward(history, 0, rng, grads);
    const eps = 1e-2;
    for (const [name, w, g] of [
      ["encoder", net.encoder, grads.encoder],
      ["decoder", net.decoder, grads.decoder],
      ["decoderBias", net.decoderBias, grads.decoderBias],
      ["encoderBias", net.encoderBias, grads.encoderBias],
    ] as const) {
      for (const i of new Set([0, Math.min(4, w.length - 1), w.length - 1])) {
        const keep = w[i];
        w[i] = keep + eps;
        const up = loss();
        w[i] = keep - eps;
        const down = loss();
        w[i] = keep;
        expect(g[i], `${name}[${i}]`).toBeCloseTo((up - down) / (2 * eps), 2);
      }
    }
  });

  it("is reproducible with the same seed and differs with another", async () => {
    const { plantedData } = await import("./conformance.case.ts");
    const data = plantedData();
    const scores = async (seed: number) => {
      const model = new MultDaeModel({ hidden: 8, epochs: 3, batchSize: 32 });
      await model.fit({ interactions: data.train, rng: createRng(seed) });
      const out = new Float32Array(data.nItems);
      model.scoreUser(0, out);
      return out;
    };
    expect(await scores(1)).toEqual(await scores(1));
    expect(await scores(2)).not.toEqual(await scores(1));
  });

  it("is built by name and rejects bad settings with the parameter's name", () => {
    expect(createModel("multdae", { hidden: 4 }).name).toBe("multdae");
    expect(() => new MultDaeModel({ dropout: 1 })).toThrow(/dropout must be below 1/);
    expect(() => new MultDaeModel({ hidden: 2.5 })).toThrow(/integers/);
    expect(() => new MultDaeModel({ learningRate: -1 })).toThrow(/learningRate/);
  });

  it("has one default setting: the model's own, which the tuner uses with epochs left to early stopping", () => {
    expect(new MultDaeModel().params()).toEqual(MULTDAE_DEFAULTS);
    const { epochs: _epochs, ...rest } = MULTDAE_DEFAULTS;
    expect(MULTDAE_TUNE_DEFAULTS).toEqual(rest);
  });
});
