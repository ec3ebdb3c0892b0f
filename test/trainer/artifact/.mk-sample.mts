import { writeFileSync } from "node:fs";
import { buildArtifact } from "../../../trainer/artifact/build.ts";
import { GroupModel, smallStore } from "./fixture.ts";
const s = smallStore();
const out = process.argv[2];
const bytes = await buildArtifact({ model: new GroupModel(s.warmItems, 40, 3), interactions: s.interactions, items: s.items, metrics: { "ndcg@10": 0.2 }, headlineMetric: "ndcg@10", createdAt: process.argv[3] ? new Date(process.argv[3]) : undefined });
writeFileSync(out, bytes);
