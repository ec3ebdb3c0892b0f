import { describe, expect, it } from "vitest";
import { emptyOverlay, indexOfString, mergeChanges, stringAt } from "../../../src/artifact/index.ts";
import { buildArtifactObject } from "../../../trainer/artifact/build.ts";
import { foldOverlay } from "../../../trainer/catalog/fold.ts";
import type { Dataset } from "../../../trainer/data/spec.ts";
import { GroupModel, smallStore } from "../support/group-store.ts";

describe("foldOverlay", () => {
  it("folds display changes and new products into the catalogue; stock stays live in the overlay", async () => {
    const store = smallStore();
    const dataset: Dataset = { interactions: store.interactions, items: store.items.slice(0, store.warmItems), reports: [] };
    const overlay = mergeChanges(
      emptyOverlay(),
      [
        { id: "item-0", op: "patch", change: { title: "Renamed crunchy snack", price: 9.99 } },
        { id: "item-1", op: "patch", change: { inStock: false } },
        { id: "fresh-1", op: "put", change: { title: "Snacks crunchy newcomer", brand: "Brand0", categories: ["Snacks", "Snacks sub 0"], price: 2 } },
        { id: "untitled", op: "put", change: { price: 1 } },
        { id: "item-2", op: "delete" },
      ],
      "2026-12-01T00:00:00.000Z",
    );
    const report = foldOverlay(dataset, overlay);
    expect(report).toEqual({ updated: 2, added: 1, skipped: 1, live: 2, overlayVersion: 1 });
    expect(dataset.items[0]).toMatchObject({ title: "Renamed crunchy snack", price: 9.99 });
    expect(dataset.interactions.itemIds.at(-1)).toBe("fresh-1");

    // The next artifact carries them, and its content index finds the new product's words.
    const { artifact } = await buildArtifactObject({ model: new GroupModel(store.warmItems, 40, 3), interactions: dataset.interactions, items: dataset.items });
    const fresh = indexOfString(artifact.items.ids, "fresh-1");
    expect(fresh).toBeGreaterThanOrEqual(0);
    expect(stringAt(artifact.items.titles, fresh)).toBe("Snacks crunchy newcomer");
    expect(stringAt(artifact.items.titles, indexOfString(artifact.items.ids, "item-0"))).toBe("Renamed crunchy snack");
    const index = artifact.contentIndex!;
    const t = indexOfString(index.tokens, "w:newcomer");
    expect(Array.from(index.ids.subarray(index.ptr[t], index.ptr[t + 1]))).toEqual([fresh]);
    const brand = indexOfString(index.tokens, "b:brand0");
    expect(index.df[brand]).toBeGreaterThan(10);
  });
});
