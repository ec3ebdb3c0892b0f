import { PopularityModel } from "../../../trainer/model/popularity.ts";
import { runConformance } from "./conformance.case.ts";

runConformance("popularity", () => new PopularityModel(), { personalised: false, scoresFromHistory: false });
