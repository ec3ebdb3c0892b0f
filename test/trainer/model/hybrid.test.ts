import { HybridMF } from "../../../trainer/model/hybrid.ts";
import { runConformance } from "./conformance.case.ts";

runConformance("hybrid (WARP)", () => new HybridMF({ loss: "warp", epochs: 30, components: 16, threads: 1 }));
runConformance("hybrid (BPR)", () => new HybridMF({ loss: "bpr", epochs: 40, components: 16, threads: 1 }));
