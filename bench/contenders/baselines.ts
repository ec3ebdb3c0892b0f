import { EaseModel } from "../../trainer/model/ease.ts";
import { ItemKnnModel } from "../../trainer/model/itemknn.ts";
import { PopularityModel } from "../../trainer/model/popularity.ts";
import type { Contender, DatasetName } from "../lib/contender.ts";
import { tuneOnValidation } from "../lib/tune.ts";

/** EASE's λ grid per dataset (chosen on validation only; a Grocery fit costs most of a minute). */
const easeGrid: Record<DatasetName, number[]> = {
  "movielens-100k": [100, 200, 300, 500, 800, 1200],
  "amazon-grocery-2014": [100, 300, 1000, 3000],
  "amazon-gift-cards-2018": [10, 30, 100, 300, 1000, 3000],
  "sample-store": [10, 30, 100, 300, 1000],
  // The anchor's λ only: one Sports fit (18k items) takes minutes on a loaded machine.
  "amazon-toys-2014-seq": [100],
  "amazon-sports-2014-seq": [100],
};

const knnGrid = [50, 200].flatMap((k) => [0, 10, 50, 200].map((shrink) => ({ k, shrink })));

export const contenders: Contender[] = [
  {
    name: "popularity",
    async build() {
      return { model: new PopularityModel() };
    },
  },
  {
    name: "itemknn",
    async build(data, seed) {
      return tuneOnValidation(data, knnGrid, (p) => new ItemKnnModel(p), seed);
    },
  },
  {
    name: "ease",
    async build(data, seed) {
      const grid = easeGrid[data.dataset].map((lambda) => ({ lambda }));
      return tuneOnValidation(data, grid, (p) => new EaseModel(p), seed);
    },
  },
];
