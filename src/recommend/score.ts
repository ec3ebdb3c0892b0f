import { type Artifact, neighbourAt, neighbourScore, readVector } from "../artifact/index.ts";
import { scratchFor } from "./scratch.ts";
import { userHistory } from "./user.ts";
import { dotWith } from "./vectors.ts";

export interface PairScore {
  score: number;
  /**
   * "probability": a logistic model's P(user likes item); "score": a model score comparable
   * within one user; "popularity": the user is unknown, so only the item's popularity speaks.
   */
  kind: "probability" | "score" | "popularity";
}

/** True when the model was trained with logistic loss, so u·v + biases is a calibrated logit. */
export function isLogistic(artifact: Artifact): boolean {
  const p = artifact.header.model.params as Record<string, unknown>;
  return p.loss === "logistic" || artifact.header.model.type.includes("logistic");
}

/** The model's score for (user, item); `user` is -1 for an unknown user. */
export function scorePair(artifact: Artifact, user: number, item: number): PairScore {
  const bias = artifact.itemBiases ? artifact.itemBiases[item] : 0;
  if (user < 0) {
    if (artifact.itemBiases && isLogistic(artifact)) return { score: sigmoid(bias), kind: "probability" };
    return { score: Math.log1p(artifact.itemInteractions[item]), kind: "popularity" };
  }
  const users = artifact.users;
  if (users.vectors && artifact.itemVectors) {
    const query = readVector(users.vectors, user, scratchFor(artifact).vector);
    const logit = dotWith(artifact.itemVectors, item, query) + bias + (users.biases ? users.biases[user] : 0);
    return isLogistic(artifact) ? { score: sigmoid(logit), kind: "probability" } : { score: logit, kind: "score" };
  }
  // No vectors: how strongly the user's recent items point at this one through their neighbour lists.
  const history = userHistory(artifact, user);
  const lists = artifact.neighbours;
  let sum = 0;
  for (let t = 0; t < history.length; t++) {
    const h = history[t];
    for (let j = 0; j < lists.k; j++) {
      const n = neighbourAt(lists, h, j);
      if (n === 0xffffffff) break;
      if (n === item) {
        sum += neighbourScore(lists, h, j);
        break;
      }
    }
  }
  return { score: history.length > 0 ? sum / history.length : 0, kind: "score" };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
